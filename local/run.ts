// Runs the workflow offline: the ASL file that is deployed, executed by aws-local-stepfunctions
// against the embedded emulators, with Step Functions' quotas and timeouts applied, and returns
// the same ExecutionRecord the AWS run client produces.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { createClients } from '../workflow/clients.ts';
import { reconcile, type DeliveredMessage, type ExecutionRecord, type ExecutionStatus, type SeededItem } from '../workflow/execution-record.ts';
import { peekMessages } from '../workflow/queue.ts';
import { SEED_FUNCTION, TABLE, WORKFLOW_DEFINITION } from '../workflow/resources.ts';
import { DEFAULT_COUNT } from '../functions/seed/limits.ts';
import { createTaskHandlers } from './bridge/index.ts';
import type { FaultSpec, LocalEnvironment, LocalResources, TaskCall, TaskHandler } from './contracts.ts';
import { forEachState, loadDefinition, renderDefinition, validateDefinition, type AslTemplate } from './definition.ts';
import { LOCAL_CREDENTIALS } from './emulators.ts';
import { startLocalEnvironment } from './environment.ts';
import { createFaultLedger } from './faults.ts';
import { checkFidelity } from './guards.ts';
import { createHistoryTracker, type EngineEvent, type HistorySummary, type QuotaBreach } from './history.ts';
import { localPolicies } from './iam.ts';
import { MissingBundle } from './lambda-runner.ts';
import { createRunGuard, type RunGuard } from './run-guard.ts';

export interface Progress {
  /** Messages sent so far; the caller knows the total from the input (expectedItems). */
  delivered: number;
}

export interface LocalRunOptions {
  count?: number;
  messages?: string[];
  /** A raw execution input, instead of count or messages. */
  input?: unknown;
  /** An ASL template; the deployed one by default. */
  definitionPath?: string;
  faults?: FaultSpec[];
  /** Fail the run at a quota crossing, as AWS would (default); false only warns. */
  quotaFail?: boolean;
  /** Retry without waiting: faster, but no longer AWS's timing, and the report says so. */
  fastRetries?: boolean;
  /** Leave the emulators running; the caller stops them with `env.stop()`. */
  keep?: boolean;
  prefix?: string;
  /** Called at each delivered message; a throw here ends the run with that error. */
  onProgress?: (progress: Progress) => void;
  /** Aborting it ends the run at once with RunInterrupted (the emulators are stopped). */
  signal?: AbortSignal;
}

export interface LocalRun {
  record: ExecutionRecord;
  /** The emulators, still running, when `keep` was set. */
  env?: LocalEnvironment;
}

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

const DEFAULT_DEFINITION_PATH = fromRoot(WORKFLOW_DEFINITION);
const BUNDLE_PATH = fromRoot(SEED_FUNCTION.bundleFile);

/**
 * Refuses, before any emulator starts, a definition that cannot run as on AWS and a missing
 * bundle. (A Task resource the bridge cannot call is refused once the emulators are up, as the
 * bridge needs their endpoints, but still before the execution starts; they are then stopped.)
 */
async function prepareDefinition(path: string = DEFAULT_DEFINITION_PATH): Promise<AslTemplate> {
  const template = await loadDefinition(path);
  checkFidelity(template.preview);
  await validateDefinition(template);
  try {
    await access(BUNDLE_PATH);
  } catch {
    throw new MissingBundle(`the seed function's bundle ${SEED_FUNCTION.bundleFile} is missing: run \`make build\` first`);
  }
  return template;
}

export function executionInput(options: Pick<LocalRunOptions, 'count' | 'messages' | 'input'>): unknown {
  if (options.input !== undefined) return options.input;
  if (options.count !== undefined) return { count: options.count };
  if (options.messages !== undefined) return { messages: options.messages };
  return {};
}

/** The items the seed function will write for this input, for the progress line. */
export function expectedItems(input: unknown): number {
  if (typeof input !== 'object' || input === null) return DEFAULT_COUNT;
  const { count, messages } = input as { count?: unknown; messages?: unknown };
  if (typeof count === 'number') return count;
  if (Array.isArray(messages)) return messages.length;
  return DEFAULT_COUNT;
}

// Node timers hold at most 2^31-1 ms; a longer delay fires after 1 ms instead.
const LONGEST_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * AWS puts no time limit on a Task state without TimeoutSeconds (it documents 99999999 s), but
 * aws-local-stepfunctions gives such a state 60 s (TaskStateAction's DEFAULT_TIMEOUT_SECONDS) and
 * then fails it with States.Timeout. The engine offers no option for that default, so the copy
 * it runs gives those states the longest delay a Node timer can hold, about 24.8 days: no local
 * run lasts that long, and the execution's own TimeoutSeconds, when set, fires first.
 */
export function withoutImplicitTaskTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition);
  forEachState(copy, (_name, state) => {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = LONGEST_TIMER_SECONDS;
    }
  });
  return copy;
}

/** Zero-millisecond waits for every state that has a Retry, nested ones included. */
export function immediateRetries(definition: StateMachineDefinition): Record<string, number> {
  const overrides: Record<string, number> = {};
  forEachState(definition, (name, state) => {
    if (Array.isArray(state.Retry)) overrides[name] = 0;
  });
  return overrides;
}

export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The Context object AWS gives an execution ($$), for the states that read it. */
function contextObject(resources: LocalResources, executionName: string) {
  const { names, accountId } = resources;
  return {
    Execution: {
      Id: executionArnOf(resources.stateMachineArn, executionName),
      Name: executionName,
      RoleArn: `arn:aws:iam::${accountId}:role/${names.stateMachineRole}`,
      RedriveCount: 0,
    },
    StateMachine: { Id: resources.stateMachineArn, Name: names.stateMachine },
  };
}

/** Refuses a service call once the execution has been stopped at a quota, or the run has failed. */
class ExecutionStopped extends Error {
  override name = 'ExecutionStopped';
  // The engine reads these two flags of its own errors: Retry and Catch must not apply.
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/**
 * Each service call first lets the event stream catch up (the engine's events are delivered
 * asynchronously), so a call AWS would never have made, past a quota crossing or once the run
 * has failed, is not made. The calls in flight are kept so the run can wait for them before
 * reading the queue.
 */
function gated(
  handlers: Record<string, TaskHandler>,
  stopped: () => string | undefined,
  inFlight: Set<Promise<unknown>>,
): Record<string, TaskHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (input) => {
        await new Promise((resolve) => setImmediate(resolve));
        const reason = stopped();
        if (reason !== undefined) throw new ExecutionStopped(reason);
        const call = Promise.resolve(handler(input));
        inFlight.add(call);
        try {
          return await call;
        } finally {
          inFlight.delete(call);
        }
      },
    ]),
  );
}

interface Outcome {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
}

function outcomeOf(error: unknown, breach: QuotaBreach | undefined, timeoutSeconds: number | undefined): Outcome {
  if (breach) return { status: 'FAILED', error: breach.error, cause: breach.cause };
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: `The execution ran longer than its TimeoutSeconds (${timeoutSeconds} s).`,
    };
  }
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionError) {
    const failure = error.cause instanceof Error ? error.cause : error;
    return { status: 'FAILED', error: failure.name, cause: failure.message };
  }
  throw error;
}

async function drain(events: AsyncGenerator<EngineEvent>, observe: (event: EngineEvent) => void): Promise<void> {
  for await (const event of events) observe(event);
}

/** Every item in the table: a fresh local table holds exactly what this execution seeded. */
async function readSeeded(dynamodb: DynamoDBClient, tableName: string): Promise<SeededItem[]> {
  const seeded: SeededItem[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      seeded.push({
        messageId: item[TABLE.hashKey]?.S ?? '',
        body: item[TABLE.messageAttribute]?.S ?? '',
      });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  // A scan returns items in hash order; the seed's ids sort in the order it wrote them.
  return seeded.sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
}

function quotaWarning(breach: QuotaBreach): string {
  return `${breach.error}: ${breach.cause} AWS would have failed the execution here; --no-quota-fail let it go on.`;
}

/**
 * Runs the execution and reads what it left behind. Any internal failure (see run-guard.ts)
 * rejects at once with that error, after stopping the execution and the emulators.
 */
export async function runLocal(options: LocalRunOptions = {}): Promise<LocalRun> {
  const template = await prepareDefinition(options.definitionPath);
  const quotaFail = options.quotaFail ?? true;
  const input = executionInput(options);
  const guard = createRunGuard(options.signal ? { signal: options.signal } : {});
  let record: ExecutionRecord;
  let env: LocalEnvironment | undefined;
  try {
    env = await guard.race(startLocalEnvironment(options.prefix === undefined ? {} : { prefix: options.prefix }));
    record = await guard.race(execute(env, template, input, { ...options, quotaFail }, guard));
  } catch (error) {
    // With keep too: a run that failed hands back no env to stop later.
    await env?.stop();
    throw error;
  } finally {
    guard.dispose();
  }
  if (options.keep) return { record, env };
  await env.stop();
  return { record };
}

async function execute(
  env: LocalEnvironment,
  template: AslTemplate,
  input: unknown,
  options: LocalRunOptions & { quotaFail: boolean },
  guard: RunGuard,
): Promise<ExecutionRecord> {
  const { resources, endpoints } = env;
  const definition = renderDefinition(template, resources.templateVars);
  const warnings: string[] = [];
  let delivered = 0;
  const onCall = guard.guard((call: TaskCall) => {
    if (call.service === 'sqs' && call.action.toLowerCase() === 'sendmessage' && call.error === undefined) {
      delivered += 1;
      options.onProgress?.({ delivered });
    }
  });
  const faults = options.faults ?? [];
  const faultLedger = createFaultLedger(faults);
  const handlers = createTaskHandlers(definition, {
    resources,
    endpoints,
    ...localPolicies(resources),
    faults,
    bundlePath: BUNDLE_PATH,
    onCall,
    onFault: faultLedger.fired,
  });

  const tracker = createHistoryTracker({ stopAtBreach: options.quotaFail });
  let stoppedBy: QuotaBreach | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const machine = new StateMachine(withoutImplicitTaskTimeouts(definition), {
    // The preview was validated before the emulators started; only placeholder values differ.
    validationOptions: { noValidate: true },
  });
  const executionName = randomUUID();
  const context = contextObject(resources, executionName);
  if (options.fastRetries) {
    warnings.push('Retry waits were skipped (--fast-retries): Retry and Catch paths are as on AWS, timings are not.');
  }

  const startedAt = new Date();
  const started = performance.now();
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: gated(handlers, () => stoppedBy?.cause ?? guard.failure()?.message, inFlight),
      ...(options.fastRetries ? { retryIntervalOverrides: immediateRetries(definition) } : {}),
    },
    context,
  });
  const drained = drain(execution.eventLogs, (event) => {
    if (event.type === 'StateRetried') faultLedger.retried(event.state.name);
    const breach = tracker.observe(event);
    if (!breach) return;
    if (options.quotaFail) {
      stoppedBy = breach;
      execution.abort();
    } else {
      warnings.push(quotaWarning(breach));
    }
  });
  // A failure to follow the events is the run's own, not the execution's: it ends the run.
  drained.catch((error: unknown) => guard.fail(error));
  guard.onFailure(() => execution.abort());

  const result = await execution.result.then(
    (output) => ({ output }),
    (error: unknown) => ({ error }),
  );
  await drained;
  const durationMs = performance.now() - started;
  // Service calls still running (an aborted execution does not wait for them) finish before
  // anything reads the queue or stops the emulators under them.
  await Promise.allSettled([...inFlight]);
  const outcome: Outcome =
    'error' in result
      ? outcomeOf(result.error, stoppedBy, definition.TimeoutSeconds)
      : stoppedBy
        ? outcomeOf(undefined, stoppedBy, definition.TimeoutSeconds)
        : { status: 'SUCCEEDED', output: result.output };

  const clients = createClients({ region: resources.region, endpoints, credentials: LOCAL_CREDENTIALS });
  let seeded: SeededItem[];
  let messages: DeliveredMessage[];
  try {
    [seeded, messages] = await Promise.all([
      readSeeded(clients.dynamodb, resources.names.table),
      peekMessages(clients.sqs, resources.queueUrl),
    ]);
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }

  const history = tracker.summary();
  return {
    source: 'local',
    executionArn: context.Execution.Id,
    stateMachineArn: resources.stateMachineArn,
    definition,
    status: outcome.status,
    input,
    ...outcomeFields(outcome, history),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    historyEvents: history.historyEvents,
    maxPayloadBytes: history.maxPayloadBytes,
    ...(history.maxPayloadState === undefined ? {} : { maxPayloadState: history.maxPayloadState }),
    stateTransitions: history.stateTransitions,
    states: history.states,
    seeded,
    delivered: messages,
    reconciliation: reconcile(seeded, messages),
    ...(faults.length > 0 ? { faults: faultLedger.report() } : {}),
    warnings,
  };
}

function outcomeFields(outcome: Outcome, history: HistorySummary): Partial<ExecutionRecord> {
  const failed = outcome.status === 'FAILED' || outcome.status === 'TIMED_OUT';
  return {
    ...('output' in outcome ? { output: outcome.output } : {}),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(outcome.cause === undefined ? {} : { cause: outcome.cause }),
    ...(failed && history.failedState !== undefined ? { failedState: history.failedState } : {}),
  };
}

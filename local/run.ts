// Runs the workflow offline: the ASL file that is deployed, executed by the project's own ASL
// engine (engine/) against the embedded emulators, with Step Functions' quotas and timeouts
// applied, and returns the same ExecutionRecord the AWS run client produces.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  awaitTurn,
  DEFAULT_QUOTAS,
  itemsTurnDue,
  runExecution,
  type ExecutionContext,
  type ExecutionResult,
  type HistoryEvent,
  type TaskTokens,
} from '../engine/index.ts';
import type { HistoryFold } from '../execution/history.ts';
import { createExecutionFolds } from '../execution/map-runs.ts';
import { reconcile, type DeliveredMessage, type ExecutionRecord } from '../execution/execution-record.ts';
import type { SeededItem } from '../workflow/description.ts';
import { peekMessages } from '../execution/queue.ts';
import { executionInput } from '../execution/input.ts';
import { APP, DEFAULT_WORKFLOW, findWorkflow, loopOf } from '../workflow/app.ts';
import { executionArnOf } from '../workflow/arns.ts';
import type { Application } from '../workflow/description.ts';
import { reconcileBy, reconcileTarget, seededItem, type Reconcilers, type ReconcileTarget } from '../execution/reconcile.ts';
import { DIST_DIR } from '../workflow/names.ts';
import { createFaultLedger, createTaskHandlers, functionAddress, invokesFunctions } from './bridge/index.ts';
import { engineHost } from './host/engine-host.ts';
import type { FaultSpec, LocalEnvironment, LocalResources, StandInFunction, StepFunctionsApi, TaskCall } from './contracts.ts';
import { loadDefinition, previewVars, renderDefinition, validateDefinition, type AslTemplate } from './definition.ts';
import { createLocalClients } from './services/emulators.ts';
import type { Clients } from '../execution/clients.ts';
import { startLocalEnvironment } from './host/environment.ts';
import { localPolicies, roleArn, userBucketGrants } from './services/iam.ts';
import { prestartContainer } from './services/lambda-container.ts';
import { describedFunctionSettings } from './services/lambda-runner.ts';
import { userBuckets, type UserS3Data } from './services/s3-data.ts';
import { userMessagingGrants, type UserMessaging } from './services/user-messaging.ts';
import { chooseTestCase, createMockLedger, type MockConfig, type TestCase, type TokenAnswers } from './host/mock-config.ts';
import { namePrefix } from '../workflow/settings.ts';
import { workflowNames } from '../workflow/names.ts';
import { childQuotaNotes, quotaNotes } from './cli/quota-notes.ts';
import { createRunGuard, type RunGuard } from './cli/run-guard.ts';
import { nestedTasks, nestedTaskStatements, startNestedRuntime, type NestedExecution, type NestedRuntime } from './cli/nested.ts';
import { ROOT } from './root.ts';

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
  /** Stand-in handlers for functions the definition invokes (`--lambda NAME=MODULE`). */
  functions?: StandInFunction[];
  /** The application; the repository's by default. */
  app?: Application;
  /** The workflow to run (`WORKFLOW=`); transfer-records by default. */
  workflow?: string;
  /** Where the functions' bundles are; dist/ by default. */
  distDir?: string;
  /** The user's buckets and objects (`--s3-bucket`, `--s3-object`), made on the S3 emulator before the execution. */
  s3Data?: UserS3Data;
  /** The user's SNS topics and EventBridge rules (`--sns-topic`, `--event-rule`), made before the execution. */
  messaging?: UserMessaging;
  /** The task tokens of `.waitForTaskToken` Tasks and activities, and their answers (a mocked callback's); without them such a Task fails. */
  taskTokens?: TaskTokens & TokenAnswers;
  /** `--mock-config FILE --test-case NAME`: the test case's states answer from the file and call nothing. */
  mock?: { config: MockConfig; testCase: string };
}

export interface LocalRun {
  record: ExecutionRecord;
  /** The execution's events, as GetExecutionHistory returns them. */
  history: HistoryEvent[];
  /** The emulators, still running, when `keep` was set. */
  env?: LocalEnvironment;
  /** How long reading the table and the queue back for the reconciliation took. */
  reconciliationMs: number;
  /** The executions its Tasks started (states:startExecution), each with its own history. */
  children?: NestedExecution[];
}

const fromRoot = (path: string) => join(ROOT, path);

const DEFAULT_DIST_DIR = fromRoot(DIST_DIR);

/**
 * Refuses, before any emulator starts, a definition the engine cannot run as AWS would. (A Task
 * resource the bridge cannot call, or a function whose bundle is missing, is refused once the
 * emulators are up, as the bridge needs their endpoints, but still before the execution starts.)
 */
async function prepareDefinition(path: string, vars: Record<string, string>): Promise<AslTemplate> {
  const template = await loadDefinition(path, vars);
  validateDefinition(template);
  return template;
}

/** Who the execution is, as the context object ($$) and the history name it. */
function executionContext(resources: LocalResources, executionName: string): ExecutionContext {
  const running = resources.stateMachines[resources.workflow.name]!;
  return {
    executionArn: executionArnOf(running.arn, executionName),
    executionName,
    stateMachineArn: running.arn,
    stateMachineName: running.stateMachine,
    roleArn: roleArn(resources.accountId, running.role),
    startTime: new Date(),
  };
}

/** The ARNs IAM checks when a Task invokes a stand-in: the function, and any version or alias of it. */
function standInArns(functions: StandInFunction[], resources: LocalResources): string[] {
  return functions.flatMap((fn) => {
    const { unqualifiedArn } = functionAddress(fn.nameOrArn, resources);
    return [unqualifiedArn, `${unqualifiedArn}:*`];
  });
}

/**
 * A note for each --lambda stand-in no Task invoked: most often a name the definition does not
 * use (a function of the workflow's own is named with its prefix), so the run went without it.
 */
function unusedStandInNotes(functions: StandInFunction[], invoked: ReadonlySet<string>, resources: LocalResources): string[] {
  const own = resources.app.functions.map((fn) => describedFunctionSettings(resources, fn.name).name);
  const hint = own.length > 0 ? ` (the workflow's own functions: ${own.join(', ')})` : '';
  return functions
    .filter((fn) => !invoked.has(fn.nameOrArn))
    .map((fn) => `--lambda ${fn.nameOrArn}: no Task invoked this function during the run${hint}.`);
}

/**
 * Every item in the table: a fresh local table holds exactly what this execution seeded. Read in
 * process from the emulator's store (a Scan through the API costs as much as the rest of a large
 * run's reconciliation), through the API when only the API can tell.
 */
async function readSeeded(env: LocalEnvironment, dynamodb: DynamoDBClient, target: ReconcileTarget, tableName: string): Promise<SeededItem[]> {
  const seeded: SeededItem[] = [];
  const held = env.tableItemsJson(tableName);
  if (held !== undefined) {
    // A million items took over a second to parse: timers, Ctrl-C and requests get their turns meanwhile.
    for (let index = 0; index < held.length; index++) {
      seeded.push(seededItem(JSON.parse(held[index]!) as Record<string, AttributeValue>, target));
      if (itemsTurnDue(index + 1)) await awaitTurn();
    }
  } else {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
      for (const item of page.Items ?? []) seeded.push(seededItem(item, target));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  // Neither a scan (hash order) nor the store (the order written) keeps the seed's order; its ids sort in it.
  return seeded.sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
}

/** What the queue holds: in process when the emulator can tell (at any size), else through the API. */
async function queueContents(env: LocalEnvironment, clients: Clients, queueUrl: string): Promise<DeliveredMessage[]> {
  return env.queueMessages(queueUrl) ?? (await peekMessages(clients.sqs, queueUrl));
}

interface Reconciling {
  env: LocalEnvironment;
  clients: Clients;
  target: ReconcileTarget;
}

type Read = { seeded: SeededItem[]; messages: DeliveredMessage[] };

/** The fresh table's items and the queue's messages: offline both hold exactly what this execution wrote and sent. */
async function readTableAndQueue(_: unknown, { env, clients, target }: Reconciling): Promise<Read> {
  const { data } = env.resources;
  const [seeded, messages] = await Promise.all([
    readSeeded(env, clients.dynamodb, target, data[target.table.id]!.name),
    queueContents(env, clients, data[target.queue.id]!.url!),
  ]);
  return { seeded, messages };
}

/** Offline, every kind reads the same: the emulators' table and queue hold this execution's items and messages alone. */
const RECONCILERS: Reconcilers<Reconciling, Read> = { loop: readTableAndQueue, 'map-run': readTableAndQueue };

/**
 * Runs the execution and reads what it left behind. Any internal failure (see run-guard.ts)
 * rejects at once with that error, after stopping the execution and the emulators.
 */
export async function runLocal(options: LocalRunOptions = {}): Promise<LocalRun> {
  const app = options.app ?? APP;
  const workflow = findWorkflow(app, options.workflow ?? DEFAULT_WORKFLOW);
  const template = await prepareDefinition(options.definitionPath ?? fromRoot(workflow.definition), previewVars(app, workflow));
  const quotaFail = options.quotaFail ?? true;
  const input = executionInput(options);
  // The test case is found and checked against the definition before any emulator starts.
  const prefix = namePrefix(options.prefix === undefined ? process.env : { NAME_PREFIX: options.prefix });
  const testCase = options.mock && chooseTestCase(options.mock.config, options.mock.testCase, workflowNames(prefix, workflow).stateMachine, template.preview);
  const guard = createRunGuard(options.signal ? { signal: options.signal } : {});
  // A function's container starts its thread while the emulators start.
  if (invokesFunctions(template.preview)) prestartContainer();
  let run: Omit<LocalRun, 'env'>;
  let env: LocalEnvironment | undefined;
  let nested: NestedRuntime | undefined;
  try {
    env = await guard.race(
      startLocalEnvironment({
        app,
        workflow: workflow.name,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        ...(options.s3Data === undefined ? {} : { s3Data: options.s3Data }),
        ...(options.messaging === undefined ? {} : { messaging: options.messaging }),
      }),
    );
    // Tasks that start executions start the description's workflows on Step Functions in process.
    if (nestedTasks(template.preview).some((task) => testCase?.states[task.state] === undefined)) {
      nested = await guard.race(startNestedRuntime(env, options.taskTokens ? { taskTokens: options.taskTokens } : {}));
    }
    run = await guard.race(execute(env, template, input, { ...options, quotaFail, ...(testCase ? { testCase } : {}), ...(nested ? { stepFunctions: nested.api } : {}) }, guard));
    if (nested) {
      // The run ends with its execution: children still running are stopped with it.
      await nested.stop();
      run = { ...run, children: nested.children() };
    }
  } catch (error) {
    // With keep too: a run that failed hands back no env to stop later.
    await nested?.stop();
    await env?.stop();
    throw error;
  } finally {
    guard.dispose();
  }
  if (options.keep) return { ...run, env };
  await env.stop();
  return run;
}

async function execute(
  env: LocalEnvironment,
  template: AslTemplate,
  input: unknown,
  options: LocalRunOptions & { quotaFail: boolean; testCase?: TestCase; stepFunctions?: StepFunctionsApi },
  guard: RunGuard,
): Promise<Omit<LocalRun, 'env'>> {
  const { resources, endpoints } = env;
  const definition = renderDefinition(template, resources.templateVars);
  let delivered = 0;
  const onCall = guard.guard((call: TaskCall) => {
    if (call.sent !== undefined && call.sent > 0) {
      delivered += call.sent;
      options.onProgress?.({ delivered });
    }
  });
  const faults = options.faults ?? [];
  const faultLedger = createFaultLedger(faults);
  const policies = localPolicies(resources, standInArns(options.functions ?? [], resources));
  const running = resources.stateMachines[resources.workflow.name]!;
  // Another definition (--definition) runs under a role written for the workflow's own: as stand-in
  // functions are granted what they need, its Map Runs may start their children (on AWS, a role made
  // for that definition would allow states:StartExecution on its machine), it may read, list and
  // write the user's own buckets, and its nested Tasks may start and watch their children; it may publish to the user's topics and put events on the default bus.
  if (options.definitionPath !== undefined && resolve(options.definitionPath) !== fromRoot(resources.workflow.definition)) {
    policies.stateMachinePolicy.push({ Sid: 'StartOwnMapRunChildren', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [running.arn] });
    policies.stateMachinePolicy.push(...userBucketGrants(userBuckets(options.s3Data)));
    policies.stateMachinePolicy.push(...nestedTaskStatements(nestedTasks(definition), resources));
    policies.stateMachinePolicy.push(...userMessagingGrants(options.messaging, resources.region, resources.accountId));
  }
  // The run's failure or Ctrl-C aborts the execution and tells the functions still running that no time is left.
  const stop = new AbortController();
  guard.onFailure(() => stop.abort());
  const invokedStandIns = new Set<string>();
  const handlers = createTaskHandlers(definition, {
    resources,
    endpoints,
    ...policies,
    faults,
    distDir: options.distDir ?? DEFAULT_DIST_DIR,
    functions: options.functions ?? [],
    onStandInInvoked: (nameOrArn) => invokedStandIns.add(nameOrArn),
    onCall,
    onFault: faultLedger.fired,
    signal: stop.signal,
    messaging: env.messaging,
    ...(options.testCase ? { mockedStates: new Set(Object.keys(options.testCase.states)) } : {}),
    ...(options.stepFunctions ? { stepFunctions: options.stepFunctions } : {}),
  });

  // Service calls still running when the execution ends (it was aborted or timed out) finish
  // before anything reads the queue or stops the emulators under them.
  const inFlight = new Set<Promise<unknown>>();
  const mockLedger = options.testCase && createMockLedger(options.testCase);
  const context = executionContext(resources, randomUUID());
  // A Map Run starts its children only if the role may start the state machine's executions.
  const { dispatch, authorizeChildStart } = engineHost({
    handlers,
    roleArn: context.roleArn,
    policy: policies.stateMachinePolicy,
    stateMachineName: running.stateMachine,
    inFlight,
    refusal: () => guard.failure(),
    ...(options.testCase ? { mock: { testCase: options.testCase, onMocked: mockLedger!.answered, ...(options.taskTokens ? { tokens: options.taskTokens } : {}) } } : {}),
  });
  // The parent's events and each child execution's, apart: a child's quotas are its own.
  const folds = createExecutionFolds(context.executionArn, { onRetry: faultLedger.retried });
  const started = performance.now();
  const result = await runExecution(definition, input, context, {
    dispatch,
    authorizeChildStart,
    // Without quotaFail the engine runs past AWS's quotas, and the report says where AWS would have stopped.
    quotas: options.quotaFail ? DEFAULT_QUOTAS : { historyEvents: Infinity, payloadBytes: Infinity },
    ...(options.fastRetries ? { retryDelay: () => 0 } : {}),
    // The engine's events are GetExecutionHistory's; only its type names are typed as plain strings.
    onEvent: guard.guard((event, execution) => folds.add(event, execution.executionArn)),
    signal: stop.signal,
    ...(options.taskTokens ? { taskTokens: options.taskTokens } : {}),
  });
  const durationMs = performance.now() - started;
  await Promise.allSettled([...inFlight]);

  const clients = createLocalClients(resources.region, endpoints);
  // A workflow that writes and delivers items is reconciled: the items it wrote against the messages it delivered.
  const target = reconcileTarget(resources.app, resources.workflow);
  let seeded: SeededItem[] = [];
  let messages: DeliveredMessage[] = [];
  const reconciling = performance.now();
  try {
    if (target) ({ seeded, messages } = await reconcileBy(RECONCILERS, target.reconcile, { env, clients, target }));
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
  const reconciliationMs = performance.now() - reconciling;

  const history = folds.result();
  const mapRuns = folds.mapRuns(result.mapRuns);
  const warnings = [
    ...(options.fastRetries ? ['Retry waits were skipped (--fast-retries): Retry and Catch paths are as on AWS, timings are not.'] : []),
    ...quotaNotes(result, history, { quotas: DEFAULT_QUOTAS, enforced: options.quotaFail, loop: loopOf(resources.workflow) }),
    ...childQuotaNotes(mapRuns, { quotas: DEFAULT_QUOTAS, enforced: options.quotaFail }),
    ...history.warnings,
    ...unusedStandInNotes(options.functions ?? [], invokedStandIns, resources),
  ];
  const record: ExecutionRecord = {
    source: 'local',
    executionArn: context.executionArn,
    stateMachineArn: context.stateMachineArn,
    definition,
    status: result.status,
    input,
    ...outcomeFields(result, history),
    startedAt: context.startTime.toISOString(),
    durationMs: Math.round(durationMs),
    historyEvents: history.historyEvents,
    maxPayloadBytes: history.maxPayloadBytes,
    ...(history.maxPayloadState === undefined ? {} : { maxPayloadState: history.maxPayloadState }),
    stateTransitions: history.stateTransitions,
    states: history.states,
    ...(mapRuns.length > 0 ? { mapRuns } : {}),
    seeded,
    delivered: messages,
    reconciliation: reconcile(seeded, messages),
    ...(faults.length > 0 ? { faults: faultLedger.report() } : {}),
    ...(mockLedger ? { mocks: mockLedger.report() } : {}),
    ...notificationsOf(env),
    warnings,
  };
  return { record, history: result.history, reconciliationMs };
}

/** What the run's Tasks published and put, when they did. */
function notificationsOf(env: LocalEnvironment): Pick<ExecutionRecord, 'notifications'> {
  const notifications = env.messaging.notifications();
  return notifications.length > 0 ? { notifications } : {};
}

function outcomeFields(result: ExecutionResult, history: HistoryFold): Partial<ExecutionRecord> {
  const failed = result.status === 'FAILED' || result.status === 'TIMED_OUT';
  return {
    ...(result.status === 'SUCCEEDED' ? { output: result.output } : {}),
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.cause === undefined ? {} : { cause: result.cause }),
    ...(failed && history.failedState !== undefined ? { failedState: history.failedState } : {}),
  };
}

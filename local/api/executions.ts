// The endpoint's executions: each runs on the engine, its Task states dispatched to the bridge's
// handlers of the machine it started with, its events and Map Runs kept as they come so that
// DescribeExecution, GetExecutionHistory and DescribeMapRun see a running execution as AWS shows
// one. A distributed Map starts its children only if the machine's role may (states:StartExecution).
import { randomUUID } from 'node:crypto';
import { DEFAULT_QUOTAS, runExecution, type ExecutionResult, type HistoryEvent, type MapRunRecord, type TaskTokens } from '../../engine/index.ts';
import { executionArnOf, expressExecutionArnOf } from '../../workflow/arns.ts';
import { engineHost } from '../host/engine-host.ts';
import type { TestCase, TokenAnswers } from '../host/mock-config.ts';
import { ApiError } from './errors.ts';
import type { StateMachine } from './state-machines.ts';

export type ExecutionStatus = 'RUNNING' | ExecutionResult['status'];

export interface Execution {
  arn: string;
  name: string;
  /** Its place in the order of starts, which ListExecutions pages by. */
  position: number;
  machine: StateMachine;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  mapRuns: MapRunRecord[];
  /** The mock configuration's test case it runs under (`<stateMachineArn>#<TestCase>`), if any. */
  testCase?: TestCase;
  /** Settles when the execution has ended and its service calls have returned. */
  done: Promise<void>;
  abort: AbortController;
}

export class ExecutionDoesNotExist extends ApiError {
  constructor(arn: string) {
    super('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }
}

/**
 * How many finished executions the endpoint keeps, with their histories and Map Runs: beyond it
 * the one that finished first is forgotten, so a long-running endpoint stays within its memory.
 * A running execution is never forgotten.
 */
export const DEFAULT_RETAINED_EXECUTIONS = 1000;

/**
 * How many executions may run at once, synchronous ones included. AWS's quota is a million open
 * executions per account; here each running one holds its history and state in this process, so
 * a workflow that starts itself (`states:startExecution.sync`) would grow until the process runs
 * out of memory. Past the bound a start fails as AWS's does past its quota.
 */
export const DEFAULT_MAX_RUNNING_EXECUTIONS = 1000;

/**
 * The longest cause DescribeExecution returns: AWS's API bounds an execution's cause to 32,768
 * characters. Without the bound a `.sync` parent's cause, which quotes its failed child's
 * description and so its cause, escaped once more, would double at every level of nesting.
 */
export const MAX_CAUSE_LENGTH = 32_768;

export class ExecutionLimitExceeded extends ApiError {
  constructor(limit: number) {
    super('ExecutionLimitExceeded', `${limit} executions are running, the local endpoint's limit: executions must end or be stopped before another can start.`);
  }
}

export interface ExecutionStoreOptions {
  /** The finished executions kept; DEFAULT_RETAINED_EXECUTIONS unless given. */
  retained?: number;
  /** The executions that may run at once; DEFAULT_MAX_RUNNING_EXECUTIONS unless given. */
  maxRunning?: number;
  /** The task tokens of `.waitForTaskToken` Tasks and activities (SendTask*, GetActivityTask), and a mocked callback's answers. */
  taskTokens?: TaskTokens & TokenAnswers;
}

export function createExecutionStore(options: ExecutionStoreOptions = {}) {
  const retained = options.retained ?? DEFAULT_RETAINED_EXECUTIONS;
  const maxRunning = options.maxRunning ?? DEFAULT_MAX_RUNNING_EXECUTIONS;
  const executions = new Map<string, Execution>();
  // The kept executions that have finished, in the order they finished: the first is forgotten first.
  const finished = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  // Every execution still running, synchronous ones (not kept) included: stopAll aborts them.
  const live = new Set<Execution>();
  let started = 0;

  /** Counts a kept execution as finished, and forgets the earliest finished beyond the bound. */
  function retire(arn: string): void {
    finished.add(arn);
    for (const oldest of finished) {
      if (finished.size <= retained) break;
      finished.delete(oldest);
      executions.delete(oldest);
    }
  }

  /** Runs an execution to its end; `record` sees it from its first event. */
  function run(machine: StateMachine, arn: string, name: string, input: string, keep: boolean, testCase?: TestCase): Execution {
    if (live.size >= maxRunning) throw new ExecutionLimitExceeded(maxRunning);
    const execution: Execution = {
      arn,
      name,
      position: started++,
      machine,
      input,
      status: 'RUNNING',
      startDate: new Date(),
      events: [],
      mapRuns: [],
      done: Promise.resolve(),
      abort: new AbortController(),
      ...(testCase === undefined ? {} : { testCase }),
    };
    if (keep) executions.set(arn, execution);
    live.add(execution);
    const context = {
      executionArn: arn,
      executionName: name,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      roleArn: machine.roleArn,
      startTime: execution.startDate,
    };
    const { dispatch, authorizeChildStart } = engineHost({
      handlers: machine.handlers,
      roleArn: machine.roleArn,
      policy: machine.policy,
      stateMachineName: machine.name,
      inFlight,
      ...(testCase === undefined ? {} : { mock: { testCase, ...(options.taskTokens ? { tokens: options.taskTokens } : {}) } }),
    });
    execution.done = runExecution(machine.parsed, JSON.parse(input), context, {
      dispatch,
      authorizeChildStart,
      quotas: DEFAULT_QUOTAS,
      // A Map Run is listed and described from its start, its counts live.
      onMapRun: (mapRun) => execution.mapRuns.push(mapRun),
      // The engine reports a Map Run's children's events too; each child's history is its own.
      onEvent: (event, of) => {
        if (of.executionArn === arn) execution.events.push(event);
      },
      signal: execution.abort.signal,
      ...(options.taskTokens ? { taskTokens: options.taskTokens } : {}),
    })
      .then((result) => {
        execution.status = result.status;
        if (result.status === 'SUCCEEDED') execution.output = JSON.stringify(result.output ?? null);
        if (result.error !== undefined) execution.error = result.error;
        if (result.cause !== undefined) execution.cause = result.cause.slice(0, MAX_CAUSE_LENGTH);
      })
      // The engine fails an execution rather than rejecting; should anything still throw, that
      // execution ends FAILED and the endpoint goes on serving the others.
      .catch((error: unknown) => {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        Object.assign(execution, { status: 'FAILED', error: 'States.Runtime', cause: `The execution stopped on an internal error of the local endpoint: ${name}: ${message}` });
        delete execution.output;
      })
      .finally(() => {
        execution.stopDate = new Date();
        live.delete(execution);
        if (keep) retire(arn);
      });
    return execution;
  }

  return {
    /** StartExecution: a name reused with the same input while running returns that execution, as AWS does. */
    start(machine: StateMachine, name: string | undefined, input: string, testCase?: TestCase): Execution {
      const executionName = name ?? randomUUID();
      const arn = executionArnOf(machine.arn, executionName);
      const existing = executions.get(arn);
      if (existing) {
        if (existing.status === 'RUNNING' && existing.input === input) return existing;
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      return run(machine, arn, executionName, input, true, testCase);
    },

    /** StartSyncExecution: an EXPRESS execution, awaited and not kept (AWS does not list them). */
    async startSync(machine: StateMachine, name: string | undefined, input: string, testCase?: TestCase): Promise<Execution> {
      const executionName = name ?? randomUUID();
      const arn = expressExecutionArnOf(machine.arn, executionName, randomUUID());
      const execution = run(machine, arn, executionName, input, false, testCase);
      await execution.done;
      return execution;
    },

    get(arn: string): Execution {
      const execution = executions.get(arn);
      if (!execution) throw new ExecutionDoesNotExist(arn);
      return execution;
    },

    /** Newest first, as ListExecutions returns them. */
    listFor(machineArn: string): Execution[] {
      return [...executions.values()].filter((execution) => execution.machine.arn === machineArn).reverse();
    },

    all(): Execution[] {
      return [...executions.values()];
    },

    /** StopExecution: aborts it and, as AWS does, records the error and cause given in ExecutionAborted and on the execution. */
    async stop(execution: Execution, reason: { error?: string; cause?: string }): Promise<void> {
      const running = execution.status === 'RUNNING';
      if (!running) return;
      execution.abort.abort();
      await execution.done;
      if (execution.status !== 'ABORTED') return;
      const details = { ...(reason.error === undefined ? {} : { error: reason.error }), ...(reason.cause === undefined ? {} : { cause: reason.cause }) };
      Object.assign(execution, details);
      const aborted = execution.events.at(-1);
      if (aborted?.type === 'ExecutionAborted') aborted.executionAbortedEventDetails = details;
    },

    /** Aborts every running execution and waits for them and their service calls to end. */
    async stopAll(): Promise<void> {
      const running = [...live];
      for (const execution of running) execution.abort.abort();
      await Promise.allSettled(running.map((execution) => execution.done));
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type ExecutionStore = ReturnType<typeof createExecutionStore>;

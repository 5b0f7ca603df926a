// The engine's public types: what a caller gives an execution and what it gets back.

/** The execution's identity, as the context object and the history report it. */
export interface ExecutionContext {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  startTime: Date;
  /** Set for the one-state execution TestState runs, whose context has no RedriveCount (recorded). */
  testState?: true;
}

/** One resource call a Task (or an ItemReader/ResultWriter) asks the dispatcher to perform. */
export interface TaskCall {
  stateName: string;
  resource: string;
  parameters: unknown;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  signal: AbortSignal;
  execution: ExecutionContext;
  /**
   * A `.sync` Task's: the host calls it once the job has started, with the start call's response,
   * which AWS records as TaskSubmitted before the Task waits for the job's end.
   */
  submitted?: (output: unknown) => void;
  /** A `.waitForTaskToken` Task's token for this attempt ($$.Task.Token): a host that answers the call itself answers the token too. */
  taskToken?: string;
}

/** Resolves with the call's result; rejects with a StatesError or any Error (name = error, message = cause). */
export type Dispatcher = (call: TaskCall) => Promise<unknown>;

/**
 * A Task that waits for a task token (`.waitForTaskToken`, or an activity): what the engine tells
 * the host that hands the token out and takes its answers (SendTaskSuccess/Failure/Heartbeat).
 */
export interface TaskTokenRequest {
  execution: ExecutionContext;
  stateName: string;
  /** An activity's task: the activity's ARN and the input a worker gets with the token (GetActivityTask). */
  activity?: { arn: string; input: unknown };
  /** SendTaskHeartbeat for the token. */
  onHeartbeat: () => void;
  /** An activity's: a worker took the task (GetActivityTask), under the name it gave if any. */
  onStarted?: (workerName: string | undefined) => void;
}

/** One open task token. */
export interface TaskTokenWait {
  token: string;
  /** Resolves with SendTaskSuccess's output (parsed); rejects with SendTaskFailure's { error, cause }. */
  answer: Promise<unknown>;
  /** The task has ended (answered, timed out, or its execution or branch ended): no answer is taken after it. */
  close(): void;
}

/** The host's side of task tokens: the engine opens one per attempt of a Task that waits for one. */
export interface TaskTokens {
  /** Throws (a StatesError or an Error: name = error, message = cause) when the task cannot be scheduled. */
  open(request: TaskTokenRequest): TaskTokenWait;
}

export interface Quotas {
  historyEvents: number;
  payloadBytes: number;
}

export interface EngineOptions {
  dispatch: Dispatcher;
  quotas?: Quotas;
  /** The wait before a retry; returning 0 skips the waits (--fast-retries). */
  retryDelay?: (stateName: string, delayMs: number) => number;
  /** Each event as it is appended, for progress and live quota displays. */
  onEvent?: (event: HistoryEvent, execution: ExecutionContext) => void;
  /** Aborting ends the execution as ABORTED. */
  signal?: AbortSignal;
  /** Each Map Run as it is created: the record is updated in place while it runs, as DescribeMapRun shows it. */
  onMapRun?: (mapRun: MapRunRecord, execution: ExecutionContext) => void;
  /**
   * Whether the execution's role may start the Map Run's children (states:StartExecution on its
   * state machine); called once before the first child starts. Throwing refuses: the Map state
   * fails with States.Runtime and the thrown message as its cause, before any child runs.
   */
  authorizeChildStart?: (stateMachineArn: string, execution: ExecutionContext) => void | Promise<void>;
  /** Task tokens for `.waitForTaskToken` Tasks and activities; without it such a Task fails (States.Runtime). */
  taskTokens?: TaskTokens;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionResult {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  mapRuns: MapRunRecord[];
}

/** A GetExecutionHistory event: id, previousEventId, timestamp, type and its `<type>EventDetails`. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

/**
 * One child execution of a distributed Map's Map Run, as AWS keeps it: a summary of every child
 * (what ListExecutions and DescribeMapRun report), and the history only where AWS has one. A
 * STANDARD child keeps its history (GetExecutionHistory works for it); an EXPRESS child has none on
 * AWS (only CloudWatch logs), so one that succeeded keeps only its counts and outcome, and one that
 * did not succeed keeps its history so that the reason can be shown.
 */
export interface MapRunExecution {
  index: number;
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate: Date;
  /** The UTF-8 size of the child's input (the input itself is in its history when one is kept). */
  inputBytes: number;
  /** The items the child was given: its batch's Items, or 1 without an ItemBatcher. */
  items: number;
  /** The child's input as JSON text, kept only where a ResultWriter writes it out. */
  input?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Events the child appended, and how many of them entered a state (its state transitions). */
  eventCount: number;
  stateTransitions: number;
  history?: HistoryEvent[];
}

/** Child executions and the items they were given. */
export interface MapRunCount {
  executions: number;
  items: number;
}

/**
 * A distributed Map's Map Run: its ARN, the state that started it, its resolved settings and its
 * child executions. The engine updates it in place while it runs (EngineOptions.onMapRun).
 */
export interface MapRunRecord {
  mapRunArn: string;
  stateName: string;
  executionType: 'STANDARD' | 'EXPRESS';
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** MaxConcurrency and the tolerated failures as the state resolved them (0 where it sets none). */
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  /** Every child the run starts, once its items are read and batched (0 before). */
  total: MapRunCount;
  /** Children started and not yet ended. */
  running: MapRunCount;
  /** Each child once it has ended, at its index (a child not yet ended leaves a hole). */
  executions: MapRunExecution[];
  /** The children running now, by index (at most MaxConcurrency of them), with the input each holds. */
  inFlight: Map<number, { executionArn: string; name: string; startDate: Date; input: unknown }>;
}

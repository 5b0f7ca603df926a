// Interfaces between the offline runtime's two halves: the AWS side (emulators, provisioning,
// the Lambda runner, the service-integration bridge and local IAM) and the engine side
// (guards, the engine driver, history accounting, the report and the CLI).
import type { TaskCall as DispatchedCall } from '../engine/index.ts';
import type { Application, WorkflowSpec } from '../workflow/description.ts';
import type { DeliveredMessage, Notification } from '../execution/execution-record.ts';
import type { FunctionNames, WorkflowNames } from '../workflow/names.ts';
import type { PolicyStatement, ResourceArns } from '../workflow/permissions.ts';

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  /** The S3 emulator's, when the application has a bucket. */
  s3?: string;
}

/** A data resource of the description, as it exists on the emulators. */
export interface LocalDataResource {
  name: string;
  arn: string;
  /** A queue's URL. */
  url?: string;
}

/**
 * The application's resources as they exist on the emulators, and the workflow this environment
 * runs: every entry is found by its id or name in the description (`data.table`,
 * `functions.seed`, `stateMachines['transfer-records']`), none by a field of its own.
 */
export interface LocalResources {
  region: string;
  accountId: string;
  prefix: string;
  app: Application;
  /** Every data resource, by id. */
  data: Record<string, LocalDataResource>;
  /** Every function, by name. */
  functions: Record<string, FunctionNames & { arn: string }>;
  /** Every workflow's state machine, by workflow name. */
  stateMachines: Record<string, WorkflowNames & { arn: string }>;
  /** The ARN of every ref a grant may name. */
  arns: ResourceArns;
  /** The workflow this environment runs. */
  workflow: WorkflowSpec;
  /** The running workflow's state machine. */
  stateMachineArn: string;
  /** The values that fill the running workflow's placeholders. */
  templateVars: Record<string, string>;
  /** Every workflow's placeholder values, by workflow name (the local endpoint registers them all). */
  workflowVars: Record<string, Record<string, string>>;
}

/** `--fault <service>:<action>:<ErrorName>:<times>` */
export interface FaultFiring {
  /** Index of the fault in the list given. */
  fault: number;
  state: string;
  /** The error it injected, as the calling integration names it. */
  error?: string;
  /** An entry of a batch reported failed: the call succeeded, so no Retry follows it. */
  failedEntry?: boolean;
}

export interface FaultSpec {
  service: string;
  action: string;
  error: string;
  times: number;
  /** `failed-entries`: the call succeeds and `times` entries of the batches sent come back Failed, with `error` as their Code. */
  failedEntries?: true;
  /** `lost-answer`: the call reaches the service, then fails with `error` as a call whose answer never came back. */
  lostAnswer?: true;
}

/** One service call a Task state made, for the report and the tests. */
export interface TaskCall {
  state: string;
  resource: string;
  service: string;
  action: string;
  ms: number;
  /** The Step Functions error name, if the call failed. */
  error?: string;
  /** Messages the call put on a queue: 1 for SendMessage, the Successful entries of SendMessageBatch. */
  sent?: number;
}

/**
 * What a Task state does with its parameters: the service call, resolving with its result. The
 * dispatcher's call comes with them (its signal, the execution, a `.sync` Task's submitted()).
 */
export type TaskHandler = (parameters: unknown, call?: DispatchedCall) => Promise<unknown>;

/** The Step Functions operations a nested execution's Task calls, by name (StartExecution, DescribeExecution, StopExecution). */
export type StepFunctionsOperation =
  | 'StartExecution'
  | 'DescribeExecution'
  | 'StopExecution'
  | 'SendTaskSuccess'
  | 'SendTaskFailure'
  | 'SendTaskHeartbeat';

/**
 * Step Functions' own API, as a `states:startExecution` or `aws-sdk:sfn` Task calls it (AWS's integrations call
 * the service's API too): the endpoint's operations, with their validation, shapes and errors (an
 * Error whose name is AWS's error code and whose `status` is the HTTP status).
 */
export interface StepFunctionsApi {
  call(operation: StepFunctionsOperation, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Settles once the execution has ended. */
  ended(executionArn: string): Promise<void>;
}

/** `--lambda NAME=MODULE`: a module whose `handler` stands in for a function the definition invokes. */
export interface StandInFunction {
  /** The function's name or ARN, as the definition names it. */
  nameOrArn: string;
  /** Absolute path of an ES module exporting `handler(event, context)`. */
  modulePath: string;
}

export interface BridgeOptions {
  resources: LocalResources;
  endpoints: LocalEndpoints;
  /** The state-machine role's statements, resolved to local ARNs. */
  stateMachinePolicy: PolicyStatement[];
  /** Each function role's statements, by function name, resolved to local ARNs. */
  functionPolicies: Record<string, PolicyStatement[]>;
  faults: FaultSpec[];
  /** The folder holding each function's esbuild bundle, `<name>/index.mjs` (dist/ by default). */
  distDir: string;
  /** A function's bundle by name, instead of `<distDir>/<name>/index.mjs`. */
  bundles?: Record<string, string>;
  /** Stand-ins for functions the description does not hold; its own run from their bundles. */
  functions?: StandInFunction[];
  onCall?: (call: TaskCall) => void;
  /** A stand-in (functions) was invoked, by the name or ARN it was given as. */
  onStandInInvoked?: (nameOrArn: string) => void;
  /** A --fault fired: which one (its index in faults) and in which state. */
  onFault?: (firing: FaultFiring) => void;
  /** Aborted when the run or the endpoint stops: the functions still running are told no time is left. */
  signal?: AbortSignal;
  /** Task states a mock configuration answers: an integration the bridge cannot run is no refusal for them. */
  mockedStates?: ReadonlySet<string>;
  /** Accept functions that do not exist, as AWS's CreateStateMachine does: their calls fail at run time (Lambda.ResourceNotFoundException). */
  acceptMissingFunctions?: boolean;
  /** Where a `states:startExecution` Task starts its child executions; without it such a Task is refused. */
  stepFunctions?: StepFunctionsApi;
  /** The role the state machine runs as, by ARN; the environment's workflow's by default. */
  roleArn?: string;
  /** The state machine's name, which names the role's session its calls carry; the environment's workflow's by default. */
  stateMachineName?: string;
  /** SNS and EventBridge, for sns:publish and events:putEvents; without them those calls fail. */
  messaging?: LocalMessaging;
}

/**
 * An emulated service's API, in process: an operation takes its request's members as the API
 * names them and resolves with its response's, or rejects with the service's error
 * (local/services/service-error.ts).
 */
export interface EmulatedApi {
  readonly operations: readonly string[];
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** SNS and EventBridge, emulated in this process, delivering to the SQS emulator's queues. */
export interface LocalMessaging {
  sns: EmulatedApi;
  events: EmulatedApi;
  /** Every message published and event put so far, oldest first, with the queues each reached. */
  notifications(): Notification[];
}

/** A running set of emulators with the workflow's resources provisioned. */
export interface LocalEnvironment {
  endpoints: LocalEndpoints;
  resources: LocalResources;
  /** Environment lines a user can paste to reach the emulators with the AWS CLI or SDK. */
  envLines: string[];
  /** What a queue holds, read in process; undefined when only the API can tell (execution/queue.ts's peek). */
  queueMessages(queueUrl: string): DeliveredMessage[] | undefined;
  /** A table's items, each one's JSON text (attribute values in DynamoDB's JSON), read in process; undefined when only the API can tell. */
  tableItemsJson(tableName: string): string[] | undefined;
  /** SNS and EventBridge, their topics and rules made, delivering to the SQS emulator. */
  messaging: LocalMessaging;
  stop(): Promise<void>;
}

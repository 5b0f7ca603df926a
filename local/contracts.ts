// Interfaces between the offline runtime's two halves: the AWS side (emulators, provisioning,
// the Lambda runner, the service-integration bridge and local IAM) and the engine side
// (guards, the engine driver, history accounting, the report and the CLI).
import type { ResourceNames } from '../workflow/resources.ts';
import type { PolicyStatement } from '../workflow/permissions.ts';
import type { TemplateVars } from '../workflow/template.ts';

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
}

/** The workflow's resources as they exist on the emulators. */
export interface LocalResources {
  region: string;
  accountId: string;
  names: ResourceNames;
  tableArn: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  seedFunctionArn: string;
  stateMachineArn: string;
  /** The values that fill the ASL template's placeholders. */
  templateVars: TemplateVars;
}

/** `--fault <service>:<action>:<ErrorName>:<times>` */
export interface FaultSpec {
  service: string;
  action: string;
  error: string;
  times: number;
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
}

/** What a Task state does with its parameters: the service call, resolving with its result. */
export type TaskHandler = (parameters: unknown) => Promise<unknown>;

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
  /** The seed Lambda role's statements, resolved to local ARNs. */
  lambdaPolicy: PolicyStatement[];
  faults: FaultSpec[];
  /** Path of the esbuild bundle of the seed function (dist/seed/index.mjs). */
  bundlePath: string;
  /** Stand-ins for other functions; the seed function always runs from its bundle. */
  functions?: StandInFunction[];
  onCall?: (call: TaskCall) => void;
  /** A --fault fired: which one (its index in faults) and in which state. */
  onFault?: (firing: { fault: number; state: string }) => void;
}

/** A running set of emulators with the workflow's resources provisioned. */
export interface LocalEnvironment {
  endpoints: LocalEndpoints;
  resources: LocalResources;
  /** Environment lines a user can paste to reach the emulators with the AWS CLI or SDK. */
  envLines: string[];
  stop(): Promise<void>;
}

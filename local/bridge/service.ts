// What one service integration is, in one place: each service's module exports one descriptor
// (its resources, its IAM actions, its error names, its fault kinds, the call), and the tables the
// bridge, the emulators' IAM door and --fault read are built from the list in services.ts.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clients } from '../../execution/clients.ts';
import type { LocalMessaging, StepFunctionsApi } from '../contracts.ts';
import type { RequiredPermission } from '../services/iam.ts';
import type { LambdaRunner } from '../services/lambda-runner.ts';
import type { CallContext, ServiceCall } from './context.ts';
import type { IntegrationStyle, ServiceErrors } from './errors.ts';

/** A function that runs offline, under its unqualified ARN. */
export interface LocalFunction {
  arn: string;
  runner: LambdaRunner;
}

/** What Lambda resolves a FunctionName to. */
export interface FunctionAddress {
  /** The ARN as given or built, qualifier included: what IAM checks and errors name. */
  arn: string;
  unqualifiedArn: string;
  qualifier?: string;
}

export interface FunctionLookup {
  address(nameOrArn: string): FunctionAddress;
  /** The function a name or ARN designates, if it runs offline; only $LATEST exists here. */
  find(nameOrArn: string): LocalFunction | undefined;
  /** What runs offline, for refusals. */
  readonly known: string[];
}

/** What a service's call is built from. */
export interface CallParts {
  style: IntegrationStyle;
  action: string;
  clients: Clients;
  functions: FunctionLookup;
  context: CallContext;
  /** The integration pattern as the Resource writes it (`.sync`, `.sync:2`, `.waitForTaskToken`), if any. */
  pattern?: string;
  /** Step Functions' own API, for the states service's Tasks. */
  stepFunctions?: StepFunctionsApi;
  /** The S3 emulator's client, when it runs (the run has a bucket). */
  s3?: S3Client;
  /** SNS and EventBridge, in process. */
  messaging?: LocalMessaging;
}

/** The IAM action and resources one API operation (PascalCase) needs, from its parameters. */
export type PermissionOf = (operation: string, params: Record<string, unknown>, region: string, accountId: string) => RequiredPermission;

/** What `--fault <service>:<action>:throttled:<n>` injects: the service's answer to a rate it will not take. */
export interface ThrottledAnswer {
  /** The service's error code, quoted in the Cause. */
  code: string;
  status: number;
  message: string;
}

export interface ServiceDescriptor {
  /** The service as Resource ARNs, IAM actions and --fault name it: `arn:aws:states:::<name>:<action>`. */
  name: string;
  /** The optimized integration's actions. */
  optimized: readonly string[];
  /** The optimized actions whose `.waitForTaskToken` runs offline (an aws-sdk action's always does). */
  taskToken?: readonly string[];
  /** The optimized actions whose `.sync` and `.sync:2` (run a job) run offline. */
  sync?: readonly string[];
  /** Whether `arn:aws:states:::aws-sdk:<name>:<action>` names an action the bridge runs. */
  sdkAction?: (action: string) => boolean;
  /** How its failures are named, per integration style. */
  errors: ServiceErrors;
  /** What a call needs from IAM, for a service whose emulator checks a role's calls at its door. */
  permission?: PermissionOf;
  /** The fault kinds besides a named error: throttled always; lost-answer and failed-entries where declared. */
  faults: {
    throttled: ThrottledAnswer;
    /** Actions whose answer a fault may lose after the call reached the service, and where it reached (a lost answer's cause says it). */
    lostAnswer?: { actions: readonly string[]; reached: string };
    /** Whether an action is a batch whose entries a fault may fail one by one. */
    failedEntries?: (action: string) => boolean;
  };
  /** A Task state's call (absent for a service reached only through a Map's ItemReader or ResultWriter). */
  call?: (parts: CallParts) => ServiceCall;
  /** A Map's ItemReader or ResultWriter resources this service serves, by resource ARN. */
  storage?: Record<string, (client: S3Client, context: CallContext) => ServiceCall>;
}

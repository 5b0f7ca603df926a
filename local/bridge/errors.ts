// Task failures named the way Step Functions names them. Optimized integrations report the
// Java SDK v1 exception class (`DynamoDB.ResourceNotFoundException`, or the service's base class
// `DynamoDB.AmazonDynamoDBException` for an error that SDK does not model; the SQS integration
// reports every service error as `SQS.AmazonSQSException`); AWS SDK integrations report the Java
// SDK v2 class under the v2 service prefix (`DynamoDb.ResourceNotFoundException`,
// `DynamoDb.DynamoDbException`). The causes follow each SDK's message format. The names the
// workflow retries are in workflow/service-errors.ts; each service's naming is in its descriptor
// (lambda.ts, dynamodb.ts, sqs.ts, s3.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { LOST_ANSWER } from '../../workflow/service-errors.ts';
import type { AccessDenied } from '../services/iam.ts';

/** The engine reports name as the task's Error and message as its Cause. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** A Task state the bridge cannot run, refused before the execution starts. */
export class UnsupportedResource extends Error {
  override name = 'UnsupportedResource';
}

/**
 * A `.sync` Task whose role may not create the managed EventBridge rule Step Functions watches the
 * job with: AWS refuses such a state machine at creation (AccessDeniedException, this message).
 */
export class ManagedRuleDenied extends Error {
  override name = 'ManagedRuleDenied';
}

export type IntegrationStyle = 'optimized' | 'sdk';

interface Naming {
  prefix: string;
  /** The SDK's base exception class, for errors it does not model. */
  generic: string;
  /** The service name the SDK puts in its messages. */
  service: string;
  /** Exception classes reported under their own name; any other error gets the base class. */
  modeled: ReadonlySet<string>;
  /** Whether the SDK's message names the service's second request id (S3's x-amz-id-2) too. */
  extendedRequestId?: boolean;
}

export interface ServiceErrors {
  optimized: Naming;
  sdk: Naming;
  /** How the service answers a call IAM denies. */
  accessDenied: { status: number; name: string };
}

/** A second request id as S3 makes one (x-amz-id-2): 56 random bytes in base64. */
const newExtendedRequestId = () => randomBytes(56).toString('base64');

function cause(style: IntegrationStyle, naming: Naming, message: string, status: number, code: string, ids: { requestId: string; extendedRequestId?: string }) {
  if (style === 'optimized') {
    return `${message} (Service: ${naming.service}; Status Code: ${status}; Error Code: ${code}; Request ID: ${ids.requestId}; Proxy: null)`;
  }
  const extended = naming.extendedRequestId ? `, Extended Request ID: ${ids.extendedRequestId ?? newExtendedRequestId()}` : '';
  return `${message} (Service: ${naming.service}, Status Code: ${status}, Request ID: ${ids.requestId}${extended})`;
}

/** A service error response, as the service sent it. */
export interface ServiceErrorResponse {
  /** The error's shape in the service's model, e.g. QueueDoesNotExist. */
  name: string;
  /** The error code on the wire when it differs, e.g. SQS's AWS.SimpleQueueService.NonExistentQueue. */
  code?: string;
  message: string;
  status: number;
  /** A fresh id when the failure is the bridge's own, as a denial is. */
  requestId?: string;
  /** S3's second request id, when its answer carried one. */
  extendedRequestId?: string;
}

export function serviceFailure(errors: ServiceErrors, style: IntegrationStyle, response: ServiceErrorResponse): TaskFailure {
  const naming = errors[style];
  const exceptionClass = response.name.endsWith('Exception') ? response.name : `${response.name}Exception`;
  const name = naming.modeled.has(exceptionClass) ? exceptionClass : naming.generic;
  const code = response.code ?? response.name;
  return new TaskFailure(
    `${naming.prefix}.${name}`,
    cause(style, naming, response.message, response.status, code, { requestId: response.requestId ?? randomUUID(), extendedRequestId: response.extendedRequestId }),
  );
}

interface SdkError {
  name?: unknown;
  message?: unknown;
  /** The query-protocol error code, which SQS's JSON responses still carry. */
  Code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
}

/** Maps what the AWS SDK threw, either a service's error response or a failure to reach it. */
export function sdkFailure(errors: ServiceErrors, style: IntegrationStyle, error: unknown): TaskFailure {
  const sdkError = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const message = typeof sdkError.message === 'string' ? sdkError.message : String(error);
  const status = sdkError.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new TaskFailure(`${errors[style].prefix}.SdkClientException`, `Unable to execute HTTP request: ${message}`);
  }
  return serviceFailure(errors, style, {
    name: typeof sdkError.name === 'string' ? sdkError.name : 'UnknownError',
    ...(typeof sdkError.Code === 'string' ? { code: sdkError.Code } : {}),
    message,
    status,
    requestId: sdkError.$metadata?.requestId,
    extendedRequestId: sdkError.$metadata?.extendedRequestId,
  });
}

/** What Step Functions reports when the state machine's role may not make the call. */
export function accessDeniedFailure(errors: ServiceErrors, style: IntegrationStyle, denied: AccessDenied): TaskFailure {
  return serviceFailure(errors, style, { ...errors.accessDenied, message: denied.message });
}

/** A throttled call, as Step Functions reports it for the integration's style; `note` ends the message. */
export function throttledFailure(
  errors: ServiceErrors,
  throttled: { code: string; status: number; message: string },
  note: string,
  style: IntegrationStyle = 'optimized',
): TaskFailure {
  return serviceFailure(errors, style, { name: throttled.code, status: throttled.status, message: `${throttled.message} ${note}` });
}

/** A call that reached the service and whose answer was lost, as Step Functions reports it; `note` ends the cause. */
export function lostAnswerFailure(errors: ServiceErrors, style: IntegrationStyle, note: string): TaskFailure {
  return new TaskFailure(`${errors[style].prefix}.${LOST_ANSWER.exception}`, `${LOST_ANSWER.message} (${note})`);
}

// Lambda offline: the functions that run here, found by name or ARN through one lookup, and the
// two ways a Task calls one. The optimized lambda:invoke integration returns Invoke's response,
// the function's result in Payload; a Task whose Resource is the function's ARN itself (the older
// form, as in the AWS sample) returns the function's result alone. Both fail with the function's
// errorType and Lambda's error document as the cause.
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { randomBytes } from 'node:crypto';
import type { LocalResources } from '../contracts.ts';
import { LambdaFunctionError, type InvokeOptions, type LambdaInvocation } from '../services/lambda-runner.ts';
import { lambdaFunctionArn } from '../services/provision.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { serviceFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { httpMetadata } from './response.ts';
import type { FunctionAddress, FunctionLookup, LocalFunction, ServiceDescriptor } from './service.ts';
import { THROTTLED } from '../../workflow/service-errors.ts';


const LAMBDA_MODELED: ReadonlySet<string> = new Set([
  'InvalidParameterValueException',
  'InvalidRequestContentException',
  'RequestTooLargeException',
  'ResourceConflictException',
  'ResourceNotFoundException',
  'ResourceNotReadyException',
  'ServiceException',
  'TooManyRequestsException',
  'UnsupportedMediaTypeException',
]);

export const LAMBDA_ERRORS: ServiceErrors = {
  optimized: { prefix: 'Lambda', generic: 'AWSLambdaException', service: 'AWSLambda', modeled: LAMBDA_MODELED },
  sdk: { prefix: 'Lambda', generic: 'LambdaException', service: 'Lambda', modeled: LAMBDA_MODELED },
  accessDenied: { status: 403, name: 'AccessDeniedException' },
};

// arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
// <account>:function:<name>[:<qualifier>], which Lambda completes with the caller's region.
const PARTIAL_ARN = /^(\d{12}):function:(.+)$/;

/** Whether a Task's Resource names a Lambda function itself rather than a service integration. */
export function isFunctionArn(resource: string): boolean {
  return FUNCTION_ARN.test(resource);
}

/** Lambda accepts a function's name, its ARN or a partial ARN, each with an optional qualifier. */
export function functionAddress(nameOrArn: string, resources: LocalResources): FunctionAddress {
  const partial = PARTIAL_ARN.exec(nameOrArn);
  const arn = nameOrArn.startsWith('arn:')
    ? nameOrArn
    : partial
      ? arns.lambdaFunction({ ...OFFLINE_SCOPE, region: resources.region, account: partial[1]! }, partial[2]!)
      : lambdaFunctionArn(resources.region, resources.accountId, nameOrArn);
  const parts = arn.split(':');
  const qualifier = parts[7];
  return { arn, unqualifiedArn: parts.slice(0, 7).join(':'), ...(qualifier === undefined ? {} : { qualifier }) };
}

export function createFunctionLookup(functions: LocalFunction[], resources: LocalResources): FunctionLookup {
  const byArn = new Map(functions.map((fn) => [fn.arn, fn]));
  const address = (nameOrArn: string) => functionAddress(nameOrArn, resources);
  return {
    address,
    find(nameOrArn) {
      const { unqualifiedArn, qualifier } = address(nameOrArn);
      return qualifier === undefined || qualifier === '$LATEST' ? byArn.get(unqualifiedArn) : undefined;
    },
    known: functions.map((fn) => fn.arn),
  };
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

// Invoke's LogType Tail returns this much of the end of the invocation's log.
const LOG_TAIL_BYTES = 4096;

/** The end of an invocation's log as Invoke returns it with LogType Tail: its last 4 KB, base64. */
function logResult(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

/** The result of a synchronous Invoke as Step Functions returns it, around the function's payload. */
function invokeOutput({ payload, requestId, log }: LambdaInvocation): Record<string, unknown> {
  const body = JSON.stringify(payload);
  const tail = log === undefined ? undefined : logResult(log);
  return {
    ExecutedVersion: '$LATEST',
    ...(tail === undefined ? {} : { LogResult: tail }),
    Payload: payload,
    ...httpMetadata(
      200,
      {
        Connection: 'keep-alive',
        'Content-Length': String(Buffer.byteLength(body)),
        'Content-Type': 'application/json',
        Date: new Date().toUTCString(),
        'X-Amz-Executed-Version': '$LATEST',
        ...(tail === undefined ? {} : { 'X-Amz-Log-Result': tail }),
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': traceId(),
      },
      requestId,
    ),
    StatusCode: 200,
  };
}

// What Lambda answers a request body that is not JSON; the detail after the colon is our parser's.
const UNPARSABLE_BODY = 'Could not parse request body into json: Could not parse payload into json';

/** The event a request body gives the function: Lambda parses it as JSON, an empty body being {}. */
function requestEvent(body: string, style: IntegrationStyle): unknown {
  if (body === '') return {};
  try {
    return JSON.parse(body);
  } catch (error) {
    throw serviceFailure(LAMBDA_ERRORS, style, {
      name: 'InvalidRequestContentException',
      status: 400,
      message: `${UNPARSABLE_BODY}: ${(error as Error).message}`,
    });
  }
}

/**
 * One synchronous Invoke as Lambda answers it: IAM first, then the function, which must exist,
 * then the request body, which the function receives parsed.
 */
async function invoke(
  functions: FunctionLookup,
  nameOrArn: string,
  body: string,
  context: CallContext,
  options: InvokeOptions = {},
  style: IntegrationStyle = 'optimized',
): Promise<LambdaInvocation> {
  const { arn, qualifier } = functions.address(nameOrArn);
  authorize(context, { action: 'lambda:InvokeFunction', resources: [arn] }, LAMBDA_ERRORS, style);
  context.injectFault('lambda', 'invoke');
  const fn = functions.find(nameOrArn);
  if (!fn) {
    throw serviceFailure(LAMBDA_ERRORS, style, {
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${qualifier === undefined ? `${arn}:$LATEST` : arn}`,
    });
  }
  return fn.runner.invoke(requestEvent(body, style), options);
}

/**
 * The request body Step Functions sends for a lambda:invoke Payload: a string is the body's text
 * itself, any other JSON value its JSON text; no Payload, or null, is an empty object.
 */
function payloadBody(params: Record<string, unknown>): string {
  const payload = params.Payload;
  if (payload === undefined || payload === null) return '{}';
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

function functionNameOf(params: Record<string, unknown>, style: IntegrationStyle): string {
  const { FunctionName: functionName } = params;
  if (typeof functionName !== 'string') {
    throw serviceFailure(LAMBDA_ERRORS, style, {
      name: 'InvalidParameterValueException',
      status: 400,
      message: `FunctionName must be a string, got ${JSON.stringify(functionName) ?? 'nothing'}`,
    });
  }
  return functionName;
}

/** arn:aws:states:::lambda:invoke */
export function lambdaTask(functions: FunctionLookup, context: CallContext): ServiceCall {
  return async (params) => {
    const functionName = functionNameOf(params, 'optimized');
    return invokeOutput(await invoke(functions, functionName, payloadBody(params), context, { log: params.LogType === 'Tail' }));
  };
}

/**
 * arn:aws:states:::aws-sdk:lambda:invoke: Invoke's response alone, in the SDK's casing, its Payload
 * the response body's text. A function that fails does not fail the call: Lambda answers it with
 * FunctionError "Unhandled" and the error document as the Payload, as its API does.
 */
export function lambdaSdkInvoke(functions: FunctionLookup, context: CallContext): ServiceCall {
  return async (params) => {
    const functionName = functionNameOf(params, 'sdk');
    const log = params.LogType === 'Tail';
    try {
      const invocation = await invoke(functions, functionName, payloadBody(params), context, { log }, 'sdk');
      const tail = invocation.log === undefined ? {} : { LogResult: logResult(invocation.log) };
      return { ExecutedVersion: '$LATEST', ...tail, Payload: JSON.stringify(invocation.payload), StatusCode: 200 };
    } catch (error) {
      if (!(error instanceof LambdaFunctionError)) throw error;
      return { ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: error.message, StatusCode: 200 };
    }
  };
}

/** A Task whose Resource is the function's ARN: the state's effective input is the event, whatever its JSON type. */
export function functionResourceTask(
  functions: FunctionLookup,
  functionArn: string,
  context: CallContext,
): (input: unknown) => Promise<unknown> {
  return async (input) => (await invoke(functions, functionArn, JSON.stringify(input), context)).payload;
}

/** Lambda: the optimized lambda:invoke and aws-sdk:lambda:invoke (a Task whose Resource is a function's ARN is the bridge's own case). */
export const LAMBDA_SERVICE: ServiceDescriptor = {
  name: 'lambda',
  optimized: ['invoke'],
  taskToken: ['invoke'],
  sdkAction: (action) => action === 'invoke',
  errors: LAMBDA_ERRORS,
  faults: { throttled: THROTTLED.lambda },
  call: ({ style, functions, context }) => (style === 'sdk' ? lambdaSdkInvoke(functions, context) : lambdaTask(functions, context)),
};

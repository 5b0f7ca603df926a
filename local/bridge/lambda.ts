// The optimized lambda:invoke task, for the seed function: its bundle runs in this process.
import { randomBytes } from 'node:crypto';
import type { LocalResources } from '../contracts.ts';
import type { LambdaRunner } from '../lambda-runner.ts';
import { lambdaFunctionArn } from '../provision.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { LAMBDA_ERRORS, serviceFailure } from './errors.ts';
import { httpMetadata } from './response.ts';

/** Lambda accepts a function's name, its ARN, or either with a qualifier. */
function functionArn(functionName: string, resources: LocalResources): string {
  return functionName.startsWith('arn:') ? functionName : lambdaFunctionArn(resources.region, resources.accountId, functionName);
}

export function isSeedFunction(functionName: string, resources: LocalResources): boolean {
  const arn = functionArn(functionName, resources);
  return arn === resources.seedFunctionArn || arn === `${resources.seedFunctionArn}:$LATEST`;
}

// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
function isQualified(arn: string): boolean {
  return arn.split(':').length > 7;
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

/** The result of a synchronous Invoke as Step Functions returns it, around the function's payload. */
function invokeOutput(payload: unknown, requestId: string): Record<string, unknown> {
  const body = JSON.stringify(payload);
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    ...httpMetadata(
      200,
      {
        Connection: 'keep-alive',
        'Content-Length': String(Buffer.byteLength(body)),
        'Content-Type': 'application/json',
        Date: new Date().toUTCString(),
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': traceId(),
      },
      requestId,
    ),
    StatusCode: 200,
  };
}

export function lambdaTask(runner: LambdaRunner, context: CallContext): ServiceCall {
  return async (params) => {
    const { resources } = context;
    const { FunctionName: functionName } = params;
    if (typeof functionName !== 'string') {
      throw serviceFailure(LAMBDA_ERRORS, 'optimized', {
        name: 'InvalidParameterValueException',
        status: 400,
        message: `FunctionName must be a string, got ${JSON.stringify(functionName) ?? 'nothing'}`,
      });
    }
    const arn = functionArn(functionName, resources);
    authorize(context, { action: 'lambda:InvokeFunction', resources: [arn] }, LAMBDA_ERRORS, 'optimized');
    context.injectFault('lambda', 'invoke');
    if (!isSeedFunction(functionName, resources)) {
      throw serviceFailure(LAMBDA_ERRORS, 'optimized', {
        name: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${isQualified(arn) ? arn : `${arn}:$LATEST`}`,
      });
    }
    // A Task without Payload invokes the function with an empty JSON object.
    const { requestId, payload } = await runner.invoke('Payload' in params ? params.Payload : {});
    return invokeOutput(payload, requestId);
  };
}

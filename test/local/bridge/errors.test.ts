import { expect } from 'chai';
import { AccessDenied } from '../../../local/services/iam.ts';
import { accessDeniedFailure, sdkFailure, serviceFailure, TaskFailure, throttledFailure } from '../../../local/bridge/errors.ts';
import { DYNAMODB_ERRORS } from '../../../local/bridge/dynamodb.ts';
import { LAMBDA_ERRORS } from '../../../local/bridge/lambda.ts';
import { SERVICES } from '../../../local/bridge/services.ts';
import { SQS_ERRORS } from '../../../local/bridge/sqs.ts';
import { RETRYABLE_ERRORS, THROTTLED, type RetriedService } from '../../../workflow/service-errors.ts';

const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400, requestId: 'REQ' }, ...extra });

describe('local/bridge errors', () => {
  it('names a modeled exception by its class under the optimized prefix, with the Java SDK v1 cause', () => {
    const failure = sdkFailure(DYNAMODB_ERRORS, 'optimized', sdkError('ConditionalCheckFailedException', 'The conditional request failed'));
    expect(failure).to.be.instanceOf(TaskFailure);
    expect(failure.name).to.equal('DynamoDB.ConditionalCheckFailedException');
    expect(failure.message).to.equal(
      'The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: REQ; Proxy: null)',
    );
  });

  it('adds the Exception suffix the SDK class carries to codes without it', () => {
    expect(sdkFailure(DYNAMODB_ERRORS, 'optimized', sdkError('RequestLimitExceeded', 'm')).name).to.equal(
      'DynamoDB.RequestLimitExceededException',
    );
    expect(sdkFailure(DYNAMODB_ERRORS, 'optimized', sdkError('InternalServerError', 'm')).name).to.equal(
      'DynamoDB.InternalServerErrorException',
    );
  });

  it("falls back to the SDK's base exception for errors it does not model", () => {
    expect(sdkFailure(DYNAMODB_ERRORS, 'optimized', sdkError('ValidationException', 'm')).name).to.equal(
      'DynamoDB.AmazonDynamoDBException',
    );
    expect(sdkFailure(DYNAMODB_ERRORS, 'sdk', sdkError('ValidationException', 'm')).name).to.equal('DynamoDb.DynamoDbException');
    expect(sdkFailure(SQS_ERRORS, 'optimized', sdkError('MissingParameter', 'm')).name).to.equal('SQS.AmazonSQSException');
    expect(sdkFailure(SQS_ERRORS, 'sdk', sdkError('MissingParameter', 'm')).name).to.equal('Sqs.SqsException');
  });

  it('writes the aws-sdk cause in the Java SDK v2 format', () => {
    expect(sdkFailure(DYNAMODB_ERRORS, 'sdk', sdkError('ResourceNotFoundException', 'Requested resource not found')).message).to.equal(
      'Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: REQ)',
    );
  });

  it('reports every SQS service error as SQS.AmazonSQSException, the query error code in the cause', () => {
    const failure = sdkFailure(
      SQS_ERRORS,
      'optimized',
      sdkError('QueueDoesNotExist', 'The specified queue does not exist.', { Code: 'AWS.SimpleQueueService.NonExistentQueue' }),
    );
    expect(failure.name).to.equal('SQS.AmazonSQSException');
    expect(failure.message).to.include('Error Code: AWS.SimpleQueueService.NonExistentQueue;');
    const throttled = sdkFailure(SQS_ERRORS, 'optimized', sdkError('RequestThrottled', 'Request is throttled.'));
    expect(throttled.name).to.equal('SQS.AmazonSQSException');
    expect(throttled.message).to.include('Error Code: RequestThrottled;');
    expect(sdkFailure(SQS_ERRORS, 'optimized', sdkError('KmsThrottled', 'm')).name).to.equal('SQS.AmazonSQSException');
  });

  it('names SQS errors by their Java SDK v2 class in aws-sdk integrations', () => {
    expect(sdkFailure(SQS_ERRORS, 'sdk', sdkError('QueueDoesNotExist', 'm')).name).to.equal('Sqs.QueueDoesNotExistException');
  });

  it('reports an on-demand table\'s ThrottlingException as DynamoDB.AmazonDynamoDBException, as SDK v1 does', () => {
    const failure = sdkFailure(DYNAMODB_ERRORS, 'optimized', sdkError('ThrottlingException', 'Throughput exceeds the current capacity'));
    expect(failure.name).to.equal('DynamoDB.AmazonDynamoDBException');
    expect(failure.message).to.include('Error Code: ThrottlingException;');
  });

  for (const service of Object.keys(THROTTLED) as RetriedService[]) {
    it(`reports a throttled ${service} call under the name AWS reports, one the workflow retries`, () => {
      const descriptor = SERVICES.find((known) => known.name === service)!;
      const failure = throttledFailure(descriptor.errors, descriptor.faults.throttled, '(injected)');
      expect(failure.name).to.equal(THROTTLED[service].error);
      expect(failure.message).to.include(`Error Code: ${THROTTLED[service].code};`).and.include('(injected)');
      expect(RETRYABLE_ERRORS[service]).to.include(failure.name);
    });
  }

  it('reports a request that got no response as the SDK client exception', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { $metadata: { attempts: 3 } });
    const failure = sdkFailure(DYNAMODB_ERRORS, 'optimized', refused);
    expect(failure.name).to.equal('DynamoDB.SdkClientException');
    expect(failure.message).to.equal('Unable to execute HTTP request: connect ECONNREFUSED 127.0.0.1:1');
  });

  it("reports a denial with each service's status and code", () => {
    const denied = new AccessDenied('arn:aws:sts::0:assumed-role/r/s', 'lambda:InvokeFunction', 'arn:aws:lambda:r:0:function:f', false);
    const failure = accessDeniedFailure(LAMBDA_ERRORS, 'optimized', denied);
    expect(failure.name).to.equal('Lambda.AWSLambdaException');
    expect(failure.message).to.match(
      new RegExp(`^${denied.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`),
    );
    expect(accessDeniedFailure(DYNAMODB_ERRORS, 'optimized', denied).message).to.include('Status Code: 400; Error Code: AccessDeniedException;');
  });

  it('builds a failure from a response the bridge answers itself', () => {
    const failure = serviceFailure(LAMBDA_ERRORS, 'optimized', { name: 'ResourceNotFoundException', status: 404, message: 'Function not found: f', requestId: 'R' });
    expect(failure.name).to.equal('Lambda.ResourceNotFoundException');
    expect(failure.message).to.equal(
      'Function not found: f (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: R; Proxy: null)',
    );
  });
});

// The error names Step Functions reports for the workflow's service calls, the one list the
// ASL's Retry fields, the offline bridge and --fault read. Optimized integrations run on the
// AWS Java SDK v1 and report `<Service>.<exception class>`; an error that SDK does not model,
// and every SQS service error, is reported under the service's base class, with the service's
// own error code in the cause:
// - Lambda: the transient errors of "Handle Lambda service exceptions" (Step Functions best
//   practices), plus TooManyRequestsException, which Lambda throttling reports.
// - DynamoDB: ProvisionedThroughputExceeded, RequestLimitExceeded and InternalServerError are
//   modeled classes; on-demand tables are throttled with the code ThrottlingException, which
//   SDK v1 does not model (aws/aws-sdk-java#2222), so it arrives as AmazonDynamoDBException.
// - SQS: AmazonSQSException for every service error, the code (RequestThrottled, KmsThrottled,
//   InternalError, ...) in the cause; SdkClientException when no response came back (the
//   recorded AWS case error_handling.task_service_sqs.send_message_no_such_queue).
// `SQS.RequestThrottledException` and `DynamoDB.ThrottlingException` are never reported.
// AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`) name errors
// `<ServiceName>.<ExceptionName>` after the Java SDK v2 ("AWS SDK service integrations" page):
// its service prefixes are `DynamoDb` and `Sqs`, its base classes `DynamoDbException` and
// `SqsException`, and its models name throttling: DynamoDB's `ThrottlingException` (on-demand
// tables, modeled since DynamoDB added throttling reasons) and SQS's `RequestThrottledException`.

export type RetriedService = 'lambda' | 'dynamodb' | 'sqs';

/** Transient errors each Task retries, by the service it calls. */
export const RETRYABLE_ERRORS: Record<RetriedService, readonly string[]> = {
  lambda: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  dynamodb: [
    'DynamoDB.ProvisionedThroughputExceededException',
    'DynamoDB.RequestLimitExceededException',
    'DynamoDB.InternalServerErrorException',
    'DynamoDB.AmazonDynamoDBException',
    'DynamoDB.SdkClientException',
  ],
  sqs: ['SQS.AmazonSQSException', 'SQS.SdkClientException'],
};

/** Transient errors an AWS SDK integration Task retries, by the service it calls. */
export const RETRYABLE_SDK_ERRORS: Record<Exclude<RetriedService, 'lambda'>, readonly string[]> = {
  dynamodb: [
    'DynamoDb.ProvisionedThroughputExceededException',
    'DynamoDb.ThrottlingException',
    'DynamoDb.RequestLimitExceededException',
    'DynamoDb.InternalServerErrorException',
    'DynamoDb.DynamoDbException',
    'DynamoDb.SdkClientException',
  ],
  sqs: ['Sqs.RequestThrottledException', 'Sqs.SqsException', 'Sqs.SdkClientException'],
};

/** A throttled call, as Step Functions reports it. */
export interface ThrottledCall {
  /** The task's Error. */
  error: string;
  /** The service's error code, quoted in the Cause. */
  code: string;
  status: number;
  message: string;
}

/** What a throttled call of each service looks like: `--fault <service>:<action>:throttled:<n>` injects it. */
export const THROTTLED: Record<RetriedService, ThrottledCall> = {
  lambda: { error: 'Lambda.TooManyRequestsException', code: 'TooManyRequestsException', status: 429, message: 'Rate Exceeded.' },
  dynamodb: {
    error: 'DynamoDB.AmazonDynamoDBException',
    code: 'ThrottlingException',
    status: 400,
    message: 'Throughput exceeds the current capacity of your table or index.',
  },
  sqs: { error: 'SQS.AmazonSQSException', code: 'RequestThrottled', status: 403, message: 'Request is throttled.' },
};

/**
 * A call whose answer never came back (a read timeout): the service may have done the work, and
 * the SDK reports `SdkClientException` (`SQS.SdkClientException` from the optimized integration,
 * `Sqs.SdkClientException` from the AWS SDK one), which the workflows retry: a retried send can
 * put the message on the queue twice. `--fault sqs:<send action>:lost-answer:<n>` injects it.
 */
export const LOST_ANSWER = { exception: 'SdkClientException', message: 'Unable to execute HTTP request: Read timed out' } as const;

// Every ARN the project builds, from one partition, region and account: the stack passes
// Terraform references (data.aws_partition, data.aws_region, data.aws_caller_identity), the
// offline runtime its own values. Built nowhere else, so no ARN assumes the `aws` partition.

/** Where an ARN lives: `aws`, `aws-cn` or `aws-us-gov`; a region; a 12-digit account. */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

/** What the offline runtime answers when nothing else is set. */
export const OFFLINE_SCOPE: ArnScope = { partition: 'aws', region: 'us-east-1', account: '000000000000' };

function regional(scope: ArnScope, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
}

export const arns = {
  stateMachine: (scope: ArnScope, name: string): string => regional(scope, 'states', `stateMachine:${name}`),
  /** Every state machine of the account in the region, as trust policies scope `aws:SourceArn`. */
  anyStateMachine: (scope: ArnScope): string => regional(scope, 'states', 'stateMachine:*'),
  /** One execution, or with `name` '*' every execution of the state machine. */
  execution: (scope: ArnScope, stateMachine: string, name: string): string => regional(scope, 'states', `execution:${stateMachine}:${name}`),
  lambdaFunction: (scope: ArnScope, name: string): string => regional(scope, 'lambda', `function:${name}`),
  dynamodbTable: (scope: ArnScope, name: string): string => regional(scope, 'dynamodb', `table/${name}`),
  sqsQueue: (scope: ArnScope, name: string): string => regional(scope, 'sqs', name),
  logGroup: (scope: ArnScope, name: string): string => regional(scope, 'logs', `log-group:${name}`),
  /** S3 bucket ARNs name neither region nor account. */
  s3Bucket: (scope: Pick<ArnScope, 'partition'>, bucket: string): string => `arn:${scope.partition}:s3:::${bucket}`,
};

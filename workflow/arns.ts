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
  snsTopic: (scope: ArnScope, name: string): string => regional(scope, 'sns', name),
  eventBus: (scope: ArnScope, name: string): string => regional(scope, 'events', `event-bus/${name}`),
  eventRule: (scope: ArnScope, bus: string, name: string): string => regional(scope, 'events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`),
  logGroup: (scope: ArnScope, name: string): string => regional(scope, 'logs', `log-group:${name}`),
  /** An EventBridge rule, such as the managed one Step Functions watches `.sync` child executions with. */
  eventsRule: (scope: ArnScope, name: string): string => regional(scope, 'events', `rule/${name}`),
  /** S3 bucket ARNs name neither region nor account. */
  s3Bucket: (scope: Pick<ArnScope, 'partition'>, bucket: string): string => `arn:${scope.partition}:s3:::${bucket}`,
  /** IAM is global: a role's ARN names no region. */
  role: (scope: Pick<ArnScope, 'partition' | 'account'>, name: string): string => `arn:${scope.partition}:iam::${scope.account}:role/${name}`,
  /** The identity a role's calls carry: an STS session of the role. */
  assumedRole: (scope: Pick<ArnScope, 'partition' | 'account'>, role: string, session: string): string =>
    `arn:${scope.partition}:sts::${scope.account}:assumed-role/${role}/${session}`,
};

/** The ARN of the state machine's execution `name`, from the state machine's own ARN. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The Map Run's state machine (`…:stateMachine:<machine>/<map label>`) from the Map Run's ARN, its run id dropped. */
export function mapRunMachineArn(mapRunArn: string): string {
  return mapRunArn.replace(':mapRun:', ':stateMachine:').replace(/:[^:/]+$/, '');
}

/** An EXPRESS execution's ARN, which StartSyncExecution returns: its name and a run id of its own. */
export function expressExecutionArnOf(stateMachineArn: string, name: string, id: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':express:')}:${name}:${id}`;
}

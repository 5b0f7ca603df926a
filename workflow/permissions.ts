// IAM as data: each role's statements name the resources they touch symbolically.
// The stack resolves the references to Terraform ARNs; the offline runtime resolves
// them to local ARNs and enforces the very same statements.

/**
 * What a grant names, resolved to an ARN by whoever deploys or runs it: `*`, a data resource by
 * its id (`table`), or one of the refs below built from an entry of the description.
 */
export type ResourceRef = string;

export const ref = {
  /** A Lambda function of the description. */
  function: (name: string): ResourceRef => `function:${name}`,
  /** The log streams of a function's own log group. */
  logStreams: (functionName: string): ResourceRef => `logs:${functionName}`,
  /** A workflow's state machine, e.g. for a distributed Map's child executions. */
  stateMachine: (workflowId: string): ResourceRef => `stateMachine:${workflowId}`,
  /** The executions of a workflow's state machine. */
  executions: (workflowId: string): ResourceRef => `executions:${workflowId}`,
  /** The executions a workflow's distributed Map starts as children: `execution:<name>/<label>:<id>`. */
  mapRunExecutions: (workflowId: string): ResourceRef => `mapRunExecutions:${workflowId}`,
  /** An EventBridge rule of the account, by name (Step Functions' managed rules). */
  eventsRule: (name: string): ResourceRef => `eventsRule:${name}`,
  /** The objects of a bucket, or only those under one of its prefixes. */
  objects: (bucketId: string, prefix?: string): ResourceRef => (prefix === undefined ? `objects:${bucketId}` : `objects:${bucketId}/${prefix}`),
};

export interface Grant {
  sid: string;
  actions: string[];
  resources: ResourceRef[];
  /** Required when resources is ['*']: why AWS allows no narrower resource. */
  wildcardReason?: string;
}

/** X-Ray traces, for a function's role (two actions) or a state machine's (sampling too). */
export function writeTraces(actions: string[]): Grant {
  return { sid: 'WriteTraces', actions, resources: ['*'], wildcardReason: 'X-Ray supports no resource-level permissions' };
}

export const LAMBDA_TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
export const STATE_MACHINE_TRACE_ACTIONS = [...LAMBDA_TRACE_ACTIONS, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

/** What every function's role holds besides its own grants' subject: its log streams. */
export function writeOwnLogs(functionName: string): Grant {
  return { sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [ref.logStreams(functionName)] };
}

/** A state machine's log delivery to its log group: the actions AWS's "Logging using CloudWatch Logs" page for Step Functions lists. */
export const DELIVER_EXECUTION_LOGS: Grant = {
  sid: 'DeliverExecutionLogs',
  actions: [
    'logs:CreateLogDelivery',
    'logs:CreateLogStream',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutLogEvents',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  resources: ['*'],
  wildcardReason: 'CloudWatch Logs vended log delivery actions support no resource-level permissions',
};

/** The rule Step Functions manages to learn that a `.sync` child execution has ended (AWS's "IAM policies for AWS Step Functions"). */
export const NESTED_EXECUTION_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

/** How a Task waits for the execution it starts: not at all, until it ends (`.sync`, `.sync:2`), or for a task token. */
export type NestedPattern = 'request' | 'sync' | 'waitForTaskToken';

/** What a nested Task names of its child: its state machine and that machine's executions. */
export interface NestedChild {
  stateMachine: ResourceRef;
  executions: ResourceRef;
}

/** A workflow of the description as a nested Task's child. */
export const childWorkflow = (workflowId: string): NestedChild => ({ stateMachine: ref.stateMachine(workflowId), executions: ref.executions(workflowId) });

/**
 * What a role needs for a Task that starts executions of another state machine (`states:startExecution`),
 * as AWS's "IAM policies for AWS Step Functions" lists it: StartExecution on the child's state
 * machine; for `.sync`, also DescribeExecution and StopExecution on its executions and the managed
 * rule's PutTargets, PutRule and DescribeRule. `sid` names the child in the statements' ids.
 */
export function nestedExecutionGrants(child: NestedChild, pattern: NestedPattern, sid: string): Grant[] {
  const start: Grant = { sid: `Start${sid}Executions`, actions: ['states:StartExecution'], resources: [child.stateMachine] };
  if (pattern !== 'sync') return [start];
  return [
    start,
    { sid: `Watch${sid}Executions`, actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [child.executions] },
    { sid: `Watch${sid}ExecutionEvents`, actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: [ref.eventsRule(NESTED_EXECUTION_RULE)] },
  ];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
}

/** The ARN (or Terraform reference) of each ref a grant may name. */
export type ResourceArns = Record<ResourceRef, string>;

/** A grant names a resource whose ARN was not given. */
export class UnresolvedResource extends Error {
  override name = 'UnresolvedResource';
}

/**
 * Turns grants into IAM statements, with ARNs (or Terraform references) filled in. Only the
 * resources the grants name are needed: a role's policy may exist before the other resources do.
 */
export function resolveGrants(grants: Grant[], arns: Partial<ResourceArns>): PolicyStatement[] {
  const arnOf = (grant: Grant, name: ResourceRef) => {
    if (name === '*') return '*';
    const arn = arns[name];
    if (arn === undefined) throw new UnresolvedResource(`grant ${grant.sid} names the resource "${name}", whose ARN was not given`);
    return arn;
  };
  return grants.map((grant) => ({
    Sid: grant.sid,
    Effect: 'Allow',
    Action: [...grant.actions],
    Resource: grant.resources.map((ref) => arnOf(grant, ref)),
  }));
}

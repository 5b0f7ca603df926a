// IAM as data: each role's statements name the resources they touch symbolically.
// The stack resolves the references to Terraform ARNs; the offline runtime resolves
// them to local ARNs and enforces the very same statements.

export type ResourceRef =
  | 'table'
  | 'queue'
  | 'seedFunction'
  | 'seedLogStreams'
  | '*';

export interface Grant {
  sid: string;
  actions: string[];
  resources: ResourceRef[];
  /** Required when resources is ['*']: why AWS allows no narrower resource. */
  wildcardReason?: string;
}

export const SEED_ROLE_GRANTS: Grant[] = [
  {
    sid: 'WriteOwnLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: ['seedLogStreams'],
  },
  { sid: 'SeedTable', actions: ['dynamodb:BatchWriteItem'], resources: ['table'] },
  {
    sid: 'WriteTraces',
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resources: ['*'],
    wildcardReason: 'X-Ray supports no resource-level permissions',
  },
];

export const STATE_MACHINE_ROLE_GRANTS: Grant[] = [
  { sid: 'InvokeSeedFunction', actions: ['lambda:InvokeFunction'], resources: ['seedFunction'] },
  { sid: 'ReadTable', actions: ['dynamodb:GetItem'], resources: ['table'] },
  { sid: 'SendToQueue', actions: ['sqs:SendMessage'], resources: ['queue'] },
  {
    sid: 'DeliverExecutionLogs',
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resources: ['*'],
    wildcardReason: 'CloudWatch Logs vended log delivery actions support no resource-level permissions',
  },
  {
    sid: 'WriteTraces',
    actions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    resources: ['*'],
    wildcardReason: 'X-Ray supports no resource-level permissions',
  },
];

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
}

export type ResourceArns = Record<Exclude<ResourceRef, '*'>, string>;

/** A grant names a resource whose ARN was not given. */
export class UnresolvedResource extends Error {
  override name = 'UnresolvedResource';
}

/**
 * Turns grants into IAM statements, with ARNs (or Terraform references) filled in. Only the
 * resources the grants name are needed: a role's policy may exist before the other resources do.
 */
export function resolveGrants(grants: Grant[], arns: Partial<ResourceArns>): PolicyStatement[] {
  const arnOf = (grant: Grant, ref: ResourceRef) => {
    if (ref === '*') return '*';
    const arn = arns[ref];
    if (arn === undefined) throw new UnresolvedResource(`grant ${grant.sid} names the resource "${ref}", whose ARN was not given`);
    return arn;
  };
  return grants.map((grant) => ({
    Sid: grant.sid,
    Effect: 'Allow',
    Action: [...grant.actions],
    Resource: grant.resources.map((ref) => arnOf(grant, ref)),
  }));
}

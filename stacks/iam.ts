// Turns the grants of workflow/permissions.ts into IAM policy documents, refusing what
// least privilege forbids: wildcard actions, and resource "*" without a stated reason.
import type { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { arns, type ArnScope } from '../workflow/arns.ts';
import { resolveGrants, type Grant, type ResourceArns } from '../workflow/permissions.ts';

export class InvalidGrant extends Error {
  override name = 'InvalidGrant';
}

export function checkGrants(grants: Grant[]): void {
  for (const grant of grants) {
    if (grant.actions.length === 0 || grant.resources.length === 0) {
      throw new InvalidGrant(`grant ${grant.sid} must name at least one action and one resource`);
    }
    const wildcard = grant.actions.find((action) => action.includes('*'));
    if (wildcard !== undefined) {
      throw new InvalidGrant(`grant ${grant.sid} uses the wildcard action "${wildcard}"; name each action`);
    }
    if (grant.resources.includes('*') && !grant.wildcardReason?.trim()) {
      throw new InvalidGrant(`grant ${grant.sid} uses resource "*" without a wildcardReason`);
    }
  }
}

/** The role's permissions, one statement per grant, with Terraform references for the ARNs. */
export function permissionsPolicy(
  scope: Construct,
  id: string,
  grants: Grant[],
  arns: Partial<ResourceArns>,
): DataAwsIamPolicyDocument {
  checkGrants(grants);
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: resolveGrants(grants, arns).map((statement) => ({
      sid: statement.Sid,
      effect: statement.Effect,
      actions: statement.Action,
      resources: statement.Resource,
    })),
  });
}

/**
 * Names each grant on resource "*" with the reason AWS allows nothing narrower, so the
 * exception is documented on the role itself (IAM statements carry no comments).
 */
export function wildcardExceptions(grants: Grant[]): string {
  const reasons = grants
    .filter((grant) => grant.resources.includes('*'))
    .map((grant) => `${grant.sid}: ${grant.wildcardReason}`);
  return reasons.length === 0 ? '' : `Resource * only where AWS requires it. ${reasons.join('. ')}.`;
}

/** Lets one AWS service assume the role, under the conditions given. */
export function serviceTrustPolicy(
  scope: Construct,
  id: string,
  service: string,
  condition?: { test: string; variable: string; values: string[] }[],
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [service] }], condition }],
  });
}

/**
 * Lets Step Functions assume a state machine's role only for this account's state machines in
 * this region: AWS's confused-deputy protection, aws:SourceArn beside aws:SourceAccount.
 */
export function stateMachineTrustPolicy(scope: Construct, id: string, where: ArnScope): DataAwsIamPolicyDocument {
  return serviceTrustPolicy(scope, id, 'states.amazonaws.com', [
    { test: 'ArnLike', variable: 'aws:SourceArn', values: [arns.anyStateMachine(where)] },
    { test: 'StringEquals', variable: 'aws:SourceAccount', values: [where.account] },
  ]);
}

/**
 * Denies every request to the resources that does not use TLS, whoever makes it. A Deny of
 * `<service>:*` is AWS's documented form; grants (Allow) still name each action.
 */
export function denyInsecureTransport(scope: Construct, id: string, service: 's3' | 'sqs', resources: string[]): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: [`${service}:*`],
        resources,
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ],
  });
}

// Local IAM: the statements the stack synthesizes for each role, resolved to local ARNs and
// evaluated with IAM's rules, so a permission the deployed workflow would lack fails here too.
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { findWorkflow } from '../../workflow/app.ts';
import { resolveGrants, type PolicyStatement } from '../../workflow/permissions.ts';
import type { LocalResources } from '../contracts.ts';
import { s3BucketArn } from './provision.ts';
import { isObject } from '../../workflow/json.ts';
import { rememberedByText } from '../../engine/index.ts';

export interface LocalPolicies {
  /** The running workflow's role. */
  stateMachinePolicy: PolicyStatement[];
  /** Each function's role, by function name. */
  functionPolicies: Record<string, PolicyStatement[]>;
}

/**
 * The stack's policies on the local resources: every function's role, and the state machine
 * role of the workflow that runs (or of the one named). Functions given with --lambda are
 * functions the user adds to the workflow: the state machine role may invoke them, as the grant
 * the user would add to the stack allows, and nothing else changes.
 */
export function localPolicies(resources: LocalResources, standInArns: string[] = [], workflow: string = resources.workflow.name): LocalPolicies {
  const { app, arns } = resources;
  const stateMachinePolicy = resolveGrants(findWorkflow(app, workflow).grants, arns);
  if (standInArns.length > 0) {
    stateMachinePolicy.push({ Sid: 'InvokeStandInFunctions', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: standInArns });
  }
  return {
    stateMachinePolicy,
    functionPolicies: Object.fromEntries(app.functions.map((fn) => [fn.name, resolveGrants(fn.grants, arns)])),
  };
}

/**
 * The user's own buckets (`--s3-bucket`, `--s3-object`) for a role written for another definition:
 * it may read and list them (an ItemReader's s3:GetObject, s3:ListBucket) and write to them (a
 * ResultWriter's s3:PutObject, an aws-sdk:s3 Task's s3:DeleteObject too), as the role the user
 * would make for that definition allows.
 */
export function userBucketGrants(buckets: string[]): PolicyStatement[] {
  if (buckets.length === 0) return [];
  return [
    { Sid: 'ReadWriteUserObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: buckets.map((bucket) => `${s3BucketArn(bucket)}/*`) },
    { Sid: 'ListUserBuckets', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: buckets.map(s3BucketArn) },
  ];
}

/**
 * A distributed Map's children are executions the role starts: Step Functions calls
 * StartExecution on the state machine itself as the role (AWS's "IAM policies for using
 * Distributed Map states"), so a role without it cannot run the Map Run's children.
 * Throws IAM's AccessDenied when the role may not.
 */
export function assertMayStartChildren(policy: PolicyStatement[], principalArn: string, stateMachineArn: string): void {
  assertAllowed(policy, principalArn, 'states:StartExecution', stateMachineArn);
}

/** The identity each role's calls carry on AWS: an STS session of the role. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return arns.assumedRole({ ...OFFLINE_SCOPE, account: accountId }, roleName, sessionName);
}

/** A role's ARN, as the stack's roles are named. */
export function roleArn(accountId: string, roleName: string): string {
  return arns.role({ ...OFFLINE_SCOPE, account: accountId }, roleName);
}

/** The identity a state machine's calls carry: a session of its role (given by ARN) named after the machine. */
export function stateMachinePrincipal(role: string, stateMachineName: string): string {
  const [, account = '', name = ''] = /^arn:[^:]+:iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(role) ?? [];
  return assumedRoleArn(account, name, stateMachineName);
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/**
 * IAM's wildcards: `*` matches any run of characters (colons and slashes included), `?` one
 * character. Matched by walking both strings and, on a mismatch, resuming after the last star one
 * character further: at most pattern × value steps. A RegExp of `.*`s backtracks exponentially: a
 * user's policy such as `a*a*a*a*a*a*a*a*b` would hold the process on a long ARN.
 */
function globMatches(pattern: string, value: string): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < value.length) {
    if (i < pattern.length && (pattern[i] === '?' || (pattern[i] !== '*' && pattern[i] === value[j]))) {
      i += 1;
      j += 1;
    } else if (i < pattern.length && pattern[i] === '*') {
      star = i;
      resume = j;
      i += 1;
    } else if (star !== -1) {
      i = star + 1;
      resume += 1;
      j = resume;
    } else {
      return false;
    }
  }
  while (i < pattern.length && pattern[i] === '*') i += 1;
  return i === pattern.length;
}

// Action names are case-insensitive in IAM: each action pattern is lower-cased once, not on every call.
const lowerCase = rememberedByText((pattern) => pattern.toLowerCase(), 10_000);

/** Identity-policy evaluation: an explicit Deny wins, then any Allow, else the implicit deny. */
export function evaluate(policy: PolicyStatement[], action: string, resourceArn: string): Decision {
  const lowerAction = action.toLowerCase();
  let allowed = false;
  for (const statement of policy) {
    if (!statement.Action.some((pattern) => globMatches(lowerCase(pattern), lowerAction))) continue;
    // Resource ARNs are case-sensitive.
    if (!statement.Resource.some((pattern) => globMatches(pattern, resourceArn))) continue;
    if (statement.Effect === 'Deny') return 'explicitDeny';
    allowed = true;
  }
  return allowed ? 'allowed' : 'implicitDeny';
}

export function isAllowed(policy: PolicyStatement[], action: string, resourceArn: string): boolean {
  return evaluate(policy, action, resourceArn) === 'allowed';
}

/** A call the caller's policy does not allow; the message is AWS's. */
export class AccessDenied extends Error {
  override name = 'AccessDenied';

  constructor(
    readonly principalArn: string,
    readonly action: string,
    readonly resourceArn: string,
    explicit: boolean,
  ) {
    super(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resourceArn} ` +
        (explicit
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${action} action`),
    );
  }
}

export function assertAllowed(
  policy: PolicyStatement[],
  principalArn: string,
  action: string,
  resourceArn: string,
): void {
  const decision = evaluate(policy, action, resourceArn);
  if (decision !== 'allowed') throw new AccessDenied(principalArn, action, resourceArn, decision === 'explicitDeny');
}

/** The IAM action a request needs and every resource it touches. */
export interface RequiredPermission {
  action: string;
  resources: string[];
}

/** Checks every resource a request touches; the first one denied is the one AWS names. */
export function assertPermitted(policy: PolicyStatement[], principalArn: string, permission: RequiredPermission): void {
  for (const resource of permission.resources) assertAllowed(policy, principalArn, permission.action, resource);
}

// What each role's statements were found to allow, by statements array: a run asks the same few
// questions on every item (GetItem on the one table, SendMessage to the one queue). Whoever edits
// such an array in place (a user role's PutRolePolicy) calls statementsChanged. A denial is not
// remembered: it ends the task.
const allowedBy = new WeakMap<PolicyStatement[], Set<string>>();
// A bound on one array's memo: a run touching more resources than this checks the rest each time.
const MAX_REMEMBERED = 10_000;

/** assertPermitted, remembering what the statements allow (a request touching one resource). */
export function assertPermittedRemembering(policy: PolicyStatement[], principalArn: string, permission: RequiredPermission): void {
  if (permission.resources.length !== 1) return assertPermitted(policy, principalArn, permission);
  let allowed = allowedBy.get(policy);
  if (allowed === undefined) allowedBy.set(policy, (allowed = new Set()));
  const asked = `${permission.action} ${permission.resources[0]}`;
  if (allowed.has(asked)) return;
  assertPermitted(policy, principalArn, permission);
  if (allowed.size < MAX_REMEMBERED) allowed.add(asked);
}

/** Forgets what `statements` allowed: they were edited in place. */
export function statementsChanged(statements: PolicyStatement[]): void {
  allowedBy.delete(statements);
}

// A role's calls to the emulators carry its identity in the session token, as role credentials
// do on AWS; the emulators' door reads it back. Calls without one are not restricted.
const TOKEN_PREFIX = 'local-iam.';

export interface Principal {
  arn: string;
  policy: PolicyStatement[];
}

export class InvalidSessionToken extends Error {
  override name = 'InvalidSessionToken';
}

export function sessionToken(principal: Principal): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(principal)).toString('base64url');
}

/** The principal a token names, or undefined for a token that is not a local role's. */
export function principalFromToken(token: string): Principal | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  try {
    const principal: unknown = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString());
    if (isObject(principal) && typeof principal.arn === 'string' && Array.isArray(principal.policy)) {
      return { arn: principal.arn, policy: principal.policy as PolicyStatement[] };
    }
  } catch {
    // Falls through to the error below: a damaged token must not pass as an unrestricted one.
  }
  throw new InvalidSessionToken('The security token included in the request is invalid.');
}

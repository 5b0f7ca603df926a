// The endpoint's IAM roles: the stack's (from the description's grants, read-only here) and the
// user's own, made with CreateRole and PutRolePolicy, so that a user's workflow runs under its own
// policy, enforced by local IAM (local/iam.ts) as the stack's roles are. A role Step Functions may
// not assume (its trust policy does not name states.amazonaws.com) is refused as AWS refuses it.
import { randomBytes } from 'node:crypto';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import { isObject } from '../../workflow/json.ts';
import { statementsChanged } from '../services/iam.ts';
import { ApiError } from './errors.ts';

export interface Role {
  name: string;
  arn: string;
  path: string;
  roleId: string;
  createDate: Date;
  /** The trust policy, as given. */
  assumeRolePolicyDocument: string;
  description?: string;
  /** Inline policies by name, as given. */
  policies: Map<string, string>;
  /**
   * Every inline policy's statements. The same array for the role's whole life, updated in place:
   * state machines already created with the role see a policy put or deleted later, as on AWS.
   */
  statements: PolicyStatement[];
  /** Whether Step Functions may assume it (states.amazonaws.com or states.<region>.amazonaws.com in its trust policy). */
  trustsStepFunctions: boolean;
  /** One of the stack's roles: its policy is the description's, not changed here. */
  stack: boolean;
}

// IAM's errors (API reference): each code with its HTTP status.
export const noSuchEntity = (message: string) => new ApiError('NoSuchEntity', message, 404);
const malformed = (message: string) => new ApiError('MalformedPolicyDocument', message, 400);

/** IAM's rule for role and policy names: 1-64 (policies 128) of letters, digits and `+=,.@_-`. */
export function checkIamName(value: string, field: string, max: number): string {
  if (!/^[\w+=,.@-]+$/.test(value) || value.length > max) {
    throw new ApiError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and length at most ${max}`, 400);
  }
  return value;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function parseDocument(text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!isObject(document)) throw malformed('This policy contains invalid Json');
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17') {
    throw malformed('The policy failed legacy parsing');
  }
  if (document.Statement === undefined || asList(document.Statement).length === 0) throw malformed('Syntax errors in policy.');
  return document;
}

function stringList(value: unknown, what: string): string[] {
  const list = asList(value);
  if (value === undefined || list.length === 0 || !list.every((item) => typeof item === 'string')) {
    throw malformed(`Syntax errors in policy: ${what} must be a string or a list of strings.`);
  }
  return list as string[];
}

/** An identity policy's statements as local IAM evaluates them; what it cannot evaluate is refused by name. */
export function policyStatements(text: string, policyName: string): PolicyStatement[] {
  const document = parseDocument(text);
  return asList(document.Statement).map((raw, index): PolicyStatement => {
    if (!isObject(raw)) throw malformed('Syntax errors in policy.');
    if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) throw malformed('Policy document should not specify a principal.');
    for (const element of ['NotAction', 'NotResource', 'Condition']) {
      if (raw[element] !== undefined) {
        throw malformed(`Statement ${index + 1} of policy ${policyName} uses ${element}: offline, local IAM evaluates Effect, Action and Resource only (state it with Action and Resource)`);
      }
    }
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw malformed('Syntax errors in policy: Effect must be Allow or Deny.');
    const actions = stringList(raw.Action, 'Action');
    for (const action of actions) {
      if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
    const resources = stringList(raw.Resource, 'Resource');
    for (const resource of resources) {
      if (resource !== '*' && !resource.startsWith('arn:')) throw malformed(`Resource ${resource} must be in ARN format or "*".`);
    }
    return { Sid: typeof raw.Sid === 'string' ? raw.Sid : `${policyName}${index}`, Effect: raw.Effect, Action: actions, Resource: resources };
  });
}

/** Whether a trust policy lets Step Functions assume the role: an Allow of sts:AssumeRole to its service principal. */
function trustsStepFunctions(text: string, region: string): boolean {
  const document = parseDocument(text);
  const principals = new Set(['states.amazonaws.com', `states.${region}.amazonaws.com`]);
  return asList(document.Statement).some((statement) => {
    if (!isObject(statement) || statement.Effect !== 'Allow' || !isObject(statement.Principal)) return false;
    const actions = asList(statement.Action);
    const services = asList(statement.Principal.Service);
    return actions.some((action) => action === 'sts:AssumeRole' || action === 'sts:*' || action === '*') && services.some((service) => principals.has(String(service)));
  });
}

/** IAM's role ids: AROA and 17 characters. */
function roleId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `AROA${[...randomBytes(17)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

export interface RoleStoreOptions {
  accountId: string;
  region: string;
  /** The stack's roles, by ARN, with their policies. */
  stackRoles: ReadonlyMap<string, PolicyStatement[]>;
}

/** The trust policy of a role Step Functions may assume, as the stack's roles have it. */
export const STEP_FUNCTIONS_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function createRoleStore(options: RoleStoreOptions) {
  const { accountId, region } = options;
  const roles = new Map<string, Role>();
  for (const [arn, statements] of options.stackRoles) {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    roles.set(name, {
      name,
      arn,
      path: '/',
      roleId: roleId(),
      createDate: new Date(),
      assumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY,
      policies: new Map(),
      statements,
      trustsStepFunctions: true,
      stack: true,
    });
  }

  function get(name: string): Role {
    const role = roles.get(name);
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  function own(name: string): Role {
    const role = get(name);
    if (role.stack) {
      throw new ApiError('UnmodifiableEntity', `Cannot perform the operation on the role ${name}: it is one of the stack's roles, whose policy is the description's grants (workflow/app.ts); create a role of your own`, 400);
    }
    return role;
  }

  /** Puts every inline policy's statements into the role's one array. */
  function refresh(role: Role): void {
    role.statements.splice(0, role.statements.length, ...[...role.policies].flatMap(([name, text]) => policyStatements(text, name)));
    statementsChanged(role.statements);
  }

  return {
    get,

    create(spec: { name: string; path?: string; assumeRolePolicyDocument: string; description?: string }): Role {
      if (roles.has(spec.name)) throw new ApiError('EntityAlreadyExists', `Role with name ${spec.name} already exists.`, 409);
      const path = spec.path ?? '/';
      if (!/^\/(?:[\x21-\x7e]*\/)?$/.test(path) || path.length > 512) {
        throw new ApiError('ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`, 400);
      }
      const trusted = trustsStepFunctions(spec.assumeRolePolicyDocument, region);
      const role: Role = {
        name: spec.name,
        arn: `arn:aws:iam::${accountId}:role${path}${spec.name}`,
        path,
        roleId: roleId(),
        createDate: new Date(),
        assumeRolePolicyDocument: spec.assumeRolePolicyDocument,
        ...(spec.description === undefined ? {} : { description: spec.description }),
        policies: new Map(),
        statements: [],
        trustsStepFunctions: trusted,
        stack: false,
      };
      roles.set(spec.name, role);
      return role;
    },

    putPolicy(roleName: string, policyName: string, document: string): void {
      const role = own(roleName);
      policyStatements(document, policyName);
      role.policies.set(policyName, document);
      refresh(role);
    },

    getPolicy(roleName: string, policyName: string): string {
      const document = get(roleName).policies.get(policyName);
      if (document === undefined) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      return document;
    },

    deletePolicy(roleName: string, policyName: string): void {
      const role = own(roleName);
      if (!role.policies.delete(policyName)) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      refresh(role);
    },

    delete(roleName: string): void {
      const role = own(roleName);
      if (role.policies.size > 0) throw new ApiError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      roles.delete(roleName);
      // A state machine still naming it can no longer act as it.
      role.statements.length = 0;
      statementsChanged(role.statements);
      role.trustsStepFunctions = false;
    },

    /** By name, as ListRoles returns them. */
    list(): Role[] {
      return [...roles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    /** The user's role an ARN names, if Step Functions may assume it: its live statements. */
    assumable(arn: string): PolicyStatement[] | undefined {
      const role = [...roles.values()].find((candidate) => candidate.arn === arn && !candidate.stack);
      return role?.trustsStepFunctions ? role.statements : undefined;
    },
  };
}

export type RoleStore = ReturnType<typeof createRoleStore>;

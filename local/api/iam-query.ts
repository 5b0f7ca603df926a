// IAM on the endpoint's port, in the protocol the AWS CLI and SDKs speak to IAM: AWS's query
// protocol (query-protocol.ts), `Action=CreateRole&Version=2010-05-08&RoleName=…`. Policy
// documents travel URL-encoded in the answers, as IAM returns them (the CLI decodes them).
import { ApiError } from './errors.ts';
import { checkIamName, type Role, type RoleStore } from './iam-roles.ts';
import { element, type QueryAction, type QueryService } from './query-protocol.ts';

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';

function roleXml(role: Role): string {
  return [
    element('Path', role.path),
    element('RoleName', role.name),
    element('RoleId', role.roleId),
    element('Arn', role.arn),
    element('CreateDate', role.createDate.toISOString()),
    element('AssumeRolePolicyDocument', encodeURIComponent(role.assumeRolePolicyDocument)),
    element('Description', role.description),
    element('MaxSessionDuration', '3600'),
  ].join('');
}

type Params = URLSearchParams;

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    throw new ApiError('ValidationError', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`, 400);
  }
  return value;
}

const optional = (params: Params, name: string) => params.get(name) ?? undefined;

/** Each action: its result's inner XML, or undefined for an action whose answer holds only the metadata. */
function actions(roles: RoleStore): Record<string, QueryAction> {
  const roleName = (params: Params) => checkIamName(required(params, 'RoleName'), 'roleName', 64);
  const policyName = (params: Params) => checkIamName(required(params, 'PolicyName'), 'policyName', 128);
  return {
    CreateRole: (params) => {
      const description = optional(params, 'Description');
      const path = optional(params, 'Path');
      const role = roles.create({
        name: roleName(params),
        assumeRolePolicyDocument: required(params, 'AssumeRolePolicyDocument'),
        ...(path === undefined ? {} : { path }),
        ...(description === undefined ? {} : { description }),
      });
      return `<Role>${roleXml(role)}</Role>`;
    },
    GetRole: (params) => `<Role>${roleXml(roles.get(roleName(params)))}</Role>`,
    ListRoles: () => `<Roles>${roles.list().map((role) => `<member>${roleXml(role)}</member>`).join('')}</Roles><IsTruncated>false</IsTruncated>`,
    DeleteRole: (params) => {
      roles.delete(roleName(params));
      return undefined;
    },
    PutRolePolicy: (params) => {
      roles.putPolicy(roleName(params), policyName(params), required(params, 'PolicyDocument'));
      return undefined;
    },
    GetRolePolicy: (params) => {
      const [role, policy] = [roleName(params), policyName(params)];
      return `${element('RoleName', role)}${element('PolicyName', policy)}${element('PolicyDocument', encodeURIComponent(roles.getPolicy(role, policy)))}`;
    },
    ListRolePolicies: (params) => {
      const names = [...roles.get(roleName(params)).policies.keys()];
      return `<PolicyNames>${names.map((name) => element('member', name)).join('')}</PolicyNames><IsTruncated>false</IsTruncated>`;
    },
    DeleteRolePolicy: (params) => {
      roles.deletePolicy(roleName(params), policyName(params));
      return undefined;
    },
  };
}

/** IAM's actions on the endpoint's roles, in the query protocol. */
export function iamQueryService(roles: RoleStore): QueryService {
  return { name: 'IAM', version: IAM_VERSION, namespace: NAMESPACE, actions: actions(roles) };
}

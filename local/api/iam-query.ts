// IAM on the endpoint's port, in the protocol the AWS CLI and SDKs speak to IAM: AWS's query
// protocol, a form-encoded POST (`Action=CreateRole&Version=2010-05-08&RoleName=…`) answered in
// XML, errors as `<ErrorResponse><Error><Type/><Code/><Message/></Error>`. Policy documents travel
// URL-encoded in the answers, as IAM returns them (the CLI decodes them).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import { checkIamName, type Role, type RoleStore } from './iam-roles.ts';
import { readBody } from './protocol.ts';

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';

/** Whether a request is in the query protocol (form-encoded), rather than Step Functions' JSON. */
export function isQueryRequest(request: IncomingMessage): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** `<Name>text</Name>`, or nothing for a missing value. */
const element = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`);

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
function actions(roles: RoleStore): Record<string, (params: Params) => string | undefined> {
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

function send(response: ServerResponse, status: number, xml: string, requestId: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId });
  response.end(body);
}

/** The request listener for IAM's query protocol; an unknown action is IAM's InvalidAction. */
export function iamQueryHandler(roles: RoleStore, onInternalError: (error: Error) => void) {
  const handlers = actions(roles);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    try {
      const params = new URLSearchParams(await readBody(request));
      const action = params.get('Action') ?? '';
      const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
      if (!handler || request.method !== 'POST') {
        throw new ApiError('InvalidAction', `Could not find operation ${action || '(no Action)'} for version ${params.get('Version') ?? IAM_VERSION}: the local endpoint's IAM serves ${Object.keys(handlers).join(', ')}`, 400);
      }
      const result = handler(params);
      const inner = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
      send(response, 200, `<${action}Response xmlns="${NAMESPACE}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId);
    } catch (error) {
      try {
        const known = error instanceof ApiError;
        if (!known) onInternalError(error instanceof Error ? error : new Error(String(error)));
        const { code, message, status } = known ? error : { code: 'ServiceFailure', message: String((error as Error)?.message ?? error), status: 500 };
        const type = status >= 500 ? 'Receiver' : 'Sender';
        send(response, status, `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type>${element('Code', code)}${element('Message', message)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`, requestId);
      } catch {
        response.destroy();
      }
    }
  };
}

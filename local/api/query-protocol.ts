// AWS's query protocol, which the AWS CLI and SDKs speak to IAM and SNS: a form-encoded POST
// (`Action=…&Version=…&…`) answered in XML (`<ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`), errors as
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. Both
// services share the endpoint's port; a request's Version says which one it is for.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import { readBody } from './protocol.ts';

/** Whether a request is in the query protocol (form-encoded), rather than a JSON protocol. */
export function isQueryRequest(request: IncomingMessage): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** `<Name>text</Name>`, or nothing for a missing value. */
export const element = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`);

/** One action: its result's inner XML, or undefined for an action whose answer holds only the metadata. */
export type QueryAction = (params: URLSearchParams) => string | undefined | Promise<string | undefined>;

export interface QueryService {
  /** What an unknown action's error names, e.g. "IAM". */
  name: string;
  version: string;
  namespace: string;
  actions: Record<string, QueryAction>;
}

function send(response: ServerResponse, status: number, xml: string, requestId: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId });
  response.end(body);
}

/** The request listener for the query protocol: the service is the one of the request's Version (else the first); an unknown action is InvalidAction. */
export function queryHandler(services: readonly [QueryService, ...QueryService[]], onInternalError: (error: Error) => void) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let service = services[0];
    try {
      const params = new URLSearchParams(await readBody(request));
      service = services.find((candidate) => candidate.version === params.get('Version')) ?? services[0];
      const action = params.get('Action') ?? '';
      const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
      if (!handler || request.method !== 'POST') {
        throw new ApiError('InvalidAction', `Could not find operation ${action || '(no Action)'} for version ${params.get('Version') ?? service.version}: the local endpoint's ${service.name} serves ${Object.keys(service.actions).join(', ')}`, 400);
      }
      const result = await handler(params);
      const inner = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
      send(response, 200, `<${action}Response xmlns="${service.namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId);
    } catch (error) {
      try {
        const known = error instanceof ApiError;
        if (!known) onInternalError(error instanceof Error ? error : new Error(String(error)));
        const { code, message, status } = known ? error : { code: 'ServiceFailure', message: String((error as Error)?.message ?? error), status: 500 };
        const type = status >= 500 ? 'Receiver' : 'Sender';
        send(response, status, `<ErrorResponse xmlns="${service.namespace}"><Error><Type>${type}</Type>${element('Code', code)}${element('Message', message)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`, requestId);
      } catch {
        response.destroy();
      }
    }
  };
}

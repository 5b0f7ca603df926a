// AWS's JSON 1.0 protocol for Step Functions: a POST whose `X-Amz-Target` names the operation
// (`AWSStepFunctions.StartExecution`) and whose body is the request's JSON; the answer is the
// response's JSON, or `{"__type": code, "message": …}` with AWS's HTTP status, which the SDK and
// the AWS CLI turn into their named errors. Timestamps travel as epoch seconds.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nestingMessage, tooDeep } from '../../engine/index.ts';
import { ApiError, validationError } from './errors.ts';
import type { Body } from './fields.ts';
import type { Operation } from './operations.ts';

const TARGET_PREFIX = 'AWSStepFunctions.';

export const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** Which JSON protocol a handler speaks: Step Functions' (JSON 1.0) by default, or another service's (EventBridge's JSON 1.1). */
export interface JsonProtocol {
  targetPrefix: string;
  contentType: string;
}

const STEP_FUNCTIONS: JsonProtocol = { targetPrefix: TARGET_PREFIX, contentType: CONTENT_TYPE };

/** The largest body read: a 1 MiB definition with JSON escaping and the other fields. Beyond it, 413. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

class BodyTooLarge extends ApiError {
  constructor() {
    super('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
  }
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** JSON text with Date values as epoch seconds, as the JSON 1.0 protocol carries timestamps. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : converted;
  });
}

function parseBody(text: string): Body {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError('SerializationException', 'Start of structure or map found where not expected, or the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object');
  }
  if (tooDeep(body)) throw validationError(`Invalid request body: ${nestingMessage('the JSON')}`);
  return body as Body;
}

function send(response: ServerResponse, status: number, payload: unknown, contentType = CONTENT_TYPE): void {
  const text = toWire(payload);
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(text);
}

/** The request listener: routes each request to its operation and answers in AWS's shape. */
export function protocolHandler(operations: Record<string, Operation>, onInternalError: (error: Error) => void, protocol: JsonProtocol = STEP_FUNCTIONS) {
  const { targetPrefix, contentType } = protocol;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      if (request.method !== 'POST') throw new ApiError('UnknownOperationException', `${request.method} is not supported: send a POST`);
      const target = String(request.headers['x-amz-target'] ?? '');
      const name = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : undefined;
      const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
      const text = await readBody(request);
      if (!operation) throw new ApiError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
      send(response, 200, await operation(parseBody(text)), contentType);
    } catch (error) {
      answerError(response, error, onInternalError, contentType);
    }
  };
}

/**
 * An ApiError as AWS answers it; anything else as AWS's InternalServerError (500). If even that
 * cannot be sent (the answer had begun), the connection is dropped: never an exception that
 * would reach the process and stop the endpoint.
 */
function answerError(response: ServerResponse, error: unknown, onInternalError: (error: Error) => void, contentType: string): void {
  try {
    if (error instanceof ApiError) {
      send(response, error.status, { __type: error.code, message: error.message }, contentType);
      return;
    }
    const internal = error instanceof Error ? error : new Error(String(error));
    onInternalError(internal);
    send(response, 500, { __type: 'InternalServerError', message: `${internal.name}: ${internal.message}` }, contentType);
  } catch {
    response.destroy();
  }
}

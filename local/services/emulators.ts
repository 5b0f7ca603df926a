// The embedded emulators: dynalite (DynamoDB) and local-aws-sqs (SQS), each behind its fast path,
// in this process, on 127.0.0.1 ephemeral ports. A door in front of each lets a local role's calls
// through only when its policy allows them, so the Lambda bundle meets IAM without being changed.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import type { LocalEndpoints } from '../contracts.ts';
import { createClients, type ClientOptions, type Clients } from '../../execution/clients.ts';
import { inProcessTransport, registerInProcess, type AnswerAtOnce, type BodyListener, type RequestHead } from './in-process-transport.ts';
import { applyHeapPolicy } from './heap-policy.ts';
import { correctAttributesDigest } from './sqs-attributes-digest.ts';
import { createDynalite } from './dynalite-store.ts';
import { DYNAMODB_SERVER, fastAnswer } from './dynalite-fast-path.ts';
import { fastSend, type FastPathService, type StoreMessage } from './sqs-fast-path.ts';
import { createSqsBacklog, type BackloggedQueue, type SentMessage } from './sqs-backlog.ts';
import { leaveParsedBody, type FastAnswer, type FastRequest } from './fast-path.ts';
import { enforceDeduplicationInterval, type DeduplicatedQueue } from './fifo-deduplication.ts';
import { createQueueJournal, type EmulatedQueue } from './queue-journal.ts';
import type { DeliveredMessage } from '../../execution/execution-record.ts';
import { nestingMessage, tooDeep } from '../../engine/index.ts';

export type EmulatedService = 'dynamodb' | 'sqs';

/** A call that carries a session token, as the door sees it. */
export interface DoorRequest {
  service: EmulatedService;
  sessionToken: string;
  /** The API operation, e.g. BatchWriteItem. */
  operation: string;
  params: Record<string, unknown>;
}

export interface DoorRefusal {
  code: 'AccessDeniedException' | 'UnrecognizedClientException';
  message: string;
}

/** Decides on a call; undefined lets it through. */
export type Door = (request: DoorRequest) => DoorRefusal | undefined;

export interface EmulatorOptions {
  region: string;
  accountId: string;
  door?: Door;
}

export interface Emulators {
  endpoints: LocalEndpoints;
  /** What a queue holds, read in process (queue-journal.ts); undefined: read it through the API. */
  queueMessages(queueUrl: string): DeliveredMessage[] | undefined;
  /** A table's items, each one's JSON text, read in process from dynalite's store; undefined when there is no such table. */
  tableItemsJson(tableName: string): string[] | undefined;
  stop(): Promise<void>;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const HOST = '127.0.0.1';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** A request's whole body. */
export function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A read body handed to an emulator again (the door or the in-process transport read it). dynalite
 * and local-aws-sqs read a request's body only through its 'data' and 'end' events, and its
 * headers, method and URL: this emits them as a stream does, from the tick after a 'data' listener
 * is added, without a stream's buffering and state. The emulator's listeners run in that later
 * tick: what they throw there goes to `failed`, not out of the process.
 */
class ReplayedRequest extends EventEmitter {
  readonly headers: RequestHead['headers'];
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(head: RequestHead, body: Buffer, failed: (error: unknown) => void) {
    super();
    this.headers = head.headers;
    this.method = head.method;
    this.url = head.url;
    const flow = (event: string | symbol) => {
      if (event !== 'data') return;
      this.off('newListener', flow);
      process.nextTick(() => {
        try {
          if (body.length > 0) this.emit('data', body);
          this.emit('end');
        } catch (error) {
          failed(error);
        }
      });
    };
    this.on('newListener', flow);
  }
}

const replay = (head: RequestHead, body: Buffer, failed: (error: unknown) => void) =>
  new ReplayedRequest(head, body, failed) as unknown as IncomingMessage;

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString());
    leaveParsedBody(body, value);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    // The emulator answers a malformed body with its own error.
    return {};
  }
}

function isJsonProtocol(req: RequestHead): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim() === JSON_CONTENT_TYPE;
}

/** Reads the operation and parameters from either wire protocol (JSON, or SQS's older query). */
function parseCall(req: RequestHead, body: Buffer): { operation: string; params: Record<string, unknown> } {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return { operation: target.slice(target.lastIndexOf('.') + 1), params: parseJson(body) };
  }
  const params = Object.fromEntries(new URLSearchParams(body.toString()));
  return { operation: params.Action ?? '', params };
}

// Each service's wire format for an authorization failure.
function refuse(service: EmulatedService, req: RequestHead, res: ServerResponse, refusal: DoorRefusal): void {
  const requestId = randomUUID();
  res.setHeader('x-amzn-RequestId', requestId);
  if (service === 'dynamodb') {
    res.writeHead(400, { 'Content-Type': JSON_CONTENT_TYPE });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${refusal.code}`, Message: refusal.message }));
    return;
  }
  // SQS answers both with HTTP 403 and gives query-protocol clients the older error codes.
  const status = 403;
  const queryCode = refusal.code === 'AccessDeniedException' ? 'AccessDenied' : 'InvalidClientTokenId';
  if (isJsonProtocol(req)) {
    res.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-query-error': `${queryCode};Sender` });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${refusal.code}`, message: refusal.message }));
    return;
  }
  const escaped = refusal.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  res.writeHead(status, { 'Content-Type': 'text/xml' });
  res.end(
    `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>` +
      `<Code>${queryCode}</Code><Message>${escaped}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

// A handler that fails after reading the body must not take the process down: the caller gets a server error.
function serverError(res: ServerResponse, error: unknown): void {
  if (res.writableEnded) return;
  if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
  res.end(String(error));
}

/**
 * Why a JSON-protocol request is one the emulators cannot take, or undefined: no operation in its
 * X-Amz-Target (UnknownOperationException, as dynalite answers it; local-aws-sqs ended the process),
 * a body that is JSON but not an object (SerializationException: no operation's input is anything
 * else; both emulators ended the process on `null`), or one nesting deeper than the engine takes
 * (MAX_JSON_DEPTH: the emulators check a request by recursion on a later turn, where a body
 * thousands of levels deep overflows the stack out of reach of any handler). A body that is not
 * JSON is the emulator's to refuse.
 */
function unreadableCall(req: RequestHead, body: Buffer): { type: string; message?: string } | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !/^[^.]+\.[^.]+$/.test(target)) return { type: 'UnknownOperationException' };
  let value: unknown;
  try {
    value = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { type: 'SerializationException', message: 'The request body is not a JSON object' };
  return tooDeep(value) ? { type: 'SerializationException', message: nestingMessage('The request body') } : undefined;
}

/** A JSON-protocol service's answer to a call it cannot take: HTTP 400 and Coral's error type. */
function refuseUnreadable(service: EmulatedService, res: ServerResponse, { type, message }: { type: string; message?: string }): void {
  res.setHeader('x-amzn-RequestId', randomUUID());
  const queryError = type === 'SerializationException' ? 'MalformedInput;Sender' : `${type};Sender`;
  res.writeHead(400, { 'Content-Type': JSON_CONTENT_TYPE, ...(service === 'sqs' ? { 'x-amzn-query-error': queryError } : {}) });
  res.end(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, ...(message === undefined ? {} : { message }) }));
}

/** The session token a call carries (a role's identity, which the door checks), if any. */
function sessionTokenOf(req: RequestHead): string | undefined {
  const token = req.headers['x-amz-security-token'];
  return typeof token === 'string' ? token : undefined;
}

/** The door in front of a handler of read bodies: a call with a session token goes in only if the door lets it. */
function gatedBody(service: EmulatedService, withBody: BodyListener, door: Door | undefined): BodyListener {
  if (!door) return withBody;
  return (req, res, body) => {
    const sessionToken = sessionTokenOf(req);
    try {
      const refusal = sessionToken === undefined ? undefined : door({ service, sessionToken, ...parseCall(req, body) });
      if (refusal) refuse(service, req, res, refusal);
      else withBody(req, res, body);
    } catch (error) {
      serverError(res, error);
    }
  };
}

/**
 * The door in front of an emulator's handler, for requests on its socket: calls without a session
 * token go straight in; the others are read whole and go through `gatedBody`.
 */
function gated(handler: RequestHandler, checked: BodyListener, door: Door | undefined): RequestHandler {
  if (!door) return handler;
  return (req, res) => {
    if (sessionTokenOf(req) === undefined) {
      handler(req, res);
      return;
    }
    readBody(req)
      .then((body) => checked(req, res, body))
      .catch((error: unknown) => serverError(res, error));
  };
}

/** The door in front of the answers given at once: a call with a session token goes to the listener, whose door decides on it. */
function gatedAtOnce(answerAtOnce: AnswerAtOnce, door: Door | undefined): AnswerAtOnce {
  if (!door) return answerAtOnce;
  return (req, body) => (sessionTokenOf(req) === undefined ? answerAtOnce(req, body) : undefined);
}

/**
 * An emulator behind its fast path (dynalite-fast-path.ts, sqs-fast-path.ts): a call the path can
 * answer as the emulator would is answered there, any other call goes to the emulator. In process,
 * the fast path's answers are also given at once (answerAtOnce).
 */
function fastPathHandlers(
  service: EmulatedService,
  emulator: RequestHandler,
  fast: (request: FastRequest) => FastAnswer | undefined,
  beforeEmulator: (res: ServerResponse, answer: () => void) => void = (_, answer) => answer(),
): { handler: RequestHandler; withBody: BodyListener; answerAtOnce: AnswerAtOnce } {
  const withBody: BodyListener = (req, res, body) => {
    const answer = fast({ method: req.method, url: req.url, headers: req.headers, body });
    if (answer === undefined) {
      const unreadable = isJsonProtocol(req) ? unreadableCall(req, body) : undefined;
      if (unreadable) {
        refuseUnreadable(service, res, unreadable);
        return;
      }
      // The emulator may be handed the request a turn later (sqs-backlog.ts). Whatever fails in
      // it, at once, in a later tick or as a rejected promise (local-aws-sqs's handler is async),
      // ends this request alone.
      beforeEmulator(res, () => {
        const failed = (error: unknown) => serverError(res, error);
        try {
          const handled: unknown = emulator(replay(req, body, failed), res);
          if (handled instanceof Promise) handled.catch(failed);
        } catch (error) {
          failed(error);
        }
      });
      return;
    }
    res.statusCode = answer.statusCode;
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.end(answer.body);
  };
  const handler: RequestHandler = (req, res) => {
    readBody(req)
      .then((body) => withBody(req, res, body))
      .catch((error: unknown) => serverError(res, error));
  };
  const answerAtOnce: AnswerAtOnce = (req, body) => {
    try {
      return fast({ method: req.method, url: req.url, headers: req.headers, body });
    } catch {
      // withBody meets the same throw and answers it as the server does.
      return undefined;
    }
  };
  return { handler, withBody, answerAtOnce };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve(`http://${HOST}:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets (the SDK's) and long polls would otherwise hold the close open.
    server.closeAllConnections();
  });
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  // The emulators keep every table item and queued message in this process's heap.
  applyHeapPolicy();
  // Tables become ACTIVE at once: the run should not wait the 500 ms dynalite defaults to. Its
  // data is kept in a faster store of the same behaviour (dynalite-store.ts).
  const { server: dynamodbServer, store, tableItemsJson } = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [dynaliteHandler] = dynamodbServer.listeners('request') as RequestHandler[];
  dynamodbServer.removeAllListeners('request');
  const dynamodbAnswer: RequestHandler = (req, res) => {
    res.setHeader(DYNAMODB_SERVER.header, DYNAMODB_SERVER.value);
    dynaliteHandler!(req, res);
  };
  const dynamodbCalls = fastPathHandlers('dynamodb', dynamodbAnswer, (request) => fastAnswer(request, store!));
  const dynamodbBodies = gatedBody('dynamodb', dynamodbCalls.withBody, options.door);
  const dynamodbListener = gated(dynamodbCalls.handler, dynamodbBodies, options.door);
  dynamodbServer.on('request', dynamodbListener);

  // Its digest of message attributes, as SQS computes it (the package it uses counts UTF-16 code units).
  correctAttributesDigest();
  // local-aws-sqs's own createSqsServer has no error handler on listen; this server does.
  const sqs = createRequestHandler({
    port: 0,
    hostname: HOST,
    region: options.region,
    accountId: options.accountId,
    emulateQueueCreationLifecycle: false,
    emulateLazyQueues: false,
  });
  // Messages sent on the fast path wait in a compact backlog until local-aws-sqs is asked anything.
  const backlog = createSqsBacklog();
  // The fast path hands the backlog only messages it checked: a string body, String attributes.
  const storeMessage: StoreMessage = (queue, message) => backlog.store(queue as unknown as BackloggedQueue, message as unknown as SentMessage);
  const sqsCalls = fastPathHandlers(
    'sqs',
    sqs.requestHandler,
    (request) => fastSend(request, sqs.service as unknown as FastPathService, storeMessage),
    (res, answer) => backlog.beforeRequest(res, answer),
  );
  const sqsBodies = gatedBody('sqs', sqsCalls.withBody, options.door);
  const sqsListener = gated(sqsCalls.handler, sqsBodies, options.door);
  // Every queue is watched from its creation (CreateQueue adds it to the service's list), and a
  // FIFO queue deduplicates as AWS does (fifo-deduplication.ts).
  const journal = createQueueJournal(backlog.held);
  const queues = sqs.service.Queues as unknown as EmulatedQueue[];
  const addQueues = queues.push.bind(queues);
  queues.push = (...added) => {
    for (const queue of added) {
      // The backlog's hook on newRecord goes under the journal's, which the journal may take off.
      backlog.watch(queue as unknown as BackloggedQueue);
      journal.watch(queue);
      enforceDeduplicationInterval(queue as unknown as DeduplicatedQueue);
    }
    return addQueues(...added);
  };
  const sqsServer = createServer(sqsListener);

  // This process's SDK clients reach the emulators without sockets (in-process-transport.ts),
  // through the same listeners, door included; other processes use the ports.
  const unregister: (() => void)[] = [];
  const stop = async () => {
    for (const remove of unregister) remove();
    sqs.service.resetAll();
    await Promise.all([close(dynamodbServer), close(sqsServer)]);
  };
  try {
    const [dynamodb, sqsUrl] = await Promise.all([listen(dynamodbServer), listen(sqsServer)]);
    // Queue URLs carry the port, known only now.
    sqs.service.PORT = Number(new URL(sqsUrl).port);
    unregister.push(
      registerInProcess(dynamodb, dynamodbListener, { bodyListener: dynamodbBodies, answerAtOnce: gatedAtOnce(dynamodbCalls.answerAtOnce, options.door) }),
      registerInProcess(sqsUrl, sqsListener, { bodyListener: sqsBodies, answerAtOnce: gatedAtOnce(sqsCalls.answerAtOnce, options.door) }),
    );
    // A queue URL's last segment is the queue's name.
    const queueMessages = (queueUrl: string) => journal.messages(new URL(queueUrl).pathname.split('/').at(-1) ?? '');
    return { endpoints: { dynamodb, sqs: sqsUrl }, queueMessages, tableItemsJson: tableItemsJson!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Any key is accepted by the emulators; a role's calls add a session token to these. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** SDK clients of the emulators: local credentials, and no sockets to an emulator in this process. */
export function createLocalClients(region: string, endpoints: NonNullable<ClientOptions['endpoints']>): Clients {
  return createClients({ region, endpoints, credentials: LOCAL_CREDENTIALS, transportFor: inProcessTransport });
}

/**
 * The variables that point an AWS SDK or the AWS CLI at the emulators. AWS CLI v1 (and v2
 * before 2.13) ignores the endpoint variables and v1 reads only AWS_DEFAULT_REGION: those
 * need --endpoint-url (see keep.ts).
 */
export function emulatorEnvironment(endpoints: LocalEndpoints, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    ...(endpoints.s3 === undefined ? {} : { AWS_ENDPOINT_URL_S3: endpoints.s3 }),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

// The SDK's HTTP transport, without the sockets, for servers that run in this process: an
// emulator registers its request listener under the origin it listens on, and an SDK client
// built for that origin hands each signed request to the listener directly. Everything above
// the socket stays as on the wire: the SDK serializes, signs, retries and parses as it would
// over HTTP, and the listener (the IAM door, then the emulator) sees an HTTP request with the
// headers, method, URL and body Node's server would give it, and answers through the response
// methods it uses, with the headers Node's server adds (Date, Connection, Content-Length). A server
// that reads the whole body before anything else (the emulators) may also register a listener of
// the body as a Buffer: it gets the same request without a stream to read it from; and one that
// can answer some requests at once, with nothing to wait for, may give those answers as values
// (answerAtOnce), which spares the response object and the promise around it.
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** The parts of the SDK's HttpRequest (@smithy/types) a request needs. */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The SDK's HttpResponse: lower-case header names, as Node's IncomingMessage gives them. */
export interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The SDK's HttpHandler contract, which a client takes as its requestHandler. */
export interface SdkRequestHandler {
  metadata: { handlerProtocol: string };
  handle(request: SdkHttpRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/** A request whose body is a stream: DynamoDB's and SQS's JSON and query protocols never send one. */
export class UnsupportedInProcessRequest extends Error {
  override name = 'UnsupportedInProcessRequest';
}

/** A request as Node's server presents it, less its body's stream. */
export interface RequestHead {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  httpVersion?: string;
}

/** A listener given the request's body whole, once read. */
export type BodyListener = (head: RequestHead, res: ServerResponse, body: Buffer) => void;

/** An answer as a listener writes it: its status, its headers in the order it sets them, its body. */
export interface WrittenAnswer {
  statusCode: number;
  headers: [string, string][];
  body: string;
}

/**
 * The answer a listener would write to a request, given at once; undefined when the request is
 * the listener's to answer (it then gets it as usual). It must not have begun anything then.
 */
export type AnswerAtOnce = (head: RequestHead, body: Buffer) => WrittenAnswer | undefined;

/** What a server in this process hears requests with besides its listener. */
export interface InProcessListeners {
  bodyListener?: BodyListener;
  answerAtOnce?: AnswerAtOnce;
}

interface Registration extends InProcessListeners {
  listener: RequestListener;
}

const registrations = new Map<string, Registration>();

// Every request names its server's origin: each spelling is parsed once (a process talks to a few servers).
const ORIGINS_KEPT = 64;
const origins = new Map<string, string>();
function originOf(url: string): string {
  let origin = origins.get(url);
  if (origin === undefined) {
    origin = new URL(url).origin;
    if (origins.size >= ORIGINS_KEPT) origins.clear();
    origins.set(url, origin);
  }
  return origin;
}

/**
 * Serves requests to `url`'s origin in process with `listener` (or, given one, `bodyListener`,
 * which must answer as `listener` does, and first `answerAtOnce`, for handleAtOnce) until the
 * returned function is called (when the server stops). The server keeps listening on its port for
 * other processes.
 */
export function registerInProcess(url: string, listener: RequestListener, { bodyListener, answerAtOnce }: InProcessListeners = {}): () => void {
  const origin = originOf(url);
  const registration: Registration = { listener, bodyListener, answerAtOnce };
  registrations.set(origin, registration);
  return () => {
    if (registrations.get(origin) === registration) registrations.delete(origin);
  };
}

export function isInProcess(url: string): boolean {
  return registrations.has(originOf(url));
}

/** The transport an SDK client of `url` takes: in process when a server registered it, else none (HTTP). */
export function inProcessTransport(url: string): InProcessRequestHandler | undefined {
  return isInProcess(url) ? new InProcessRequestHandler() : undefined;
}

/** What Node's client reports when nothing listens: the server stopped under a client still in use. */
function connectionRefused(request: SdkHttpRequest): Error {
  const address = `${request.hostname}:${request.port ?? ''}`;
  return Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
}

// The SDK's own name and message for a call whose abort signal fired (@smithy/node-http-handler).
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reason instanceof Error || reason === undefined ? 'Request aborted' : String(reason));
  error.name = 'AbortError';
  if (reason instanceof Error) error.cause = reason;
  return error;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new UnsupportedInProcessRequest('a streamed request body cannot be handed over in process');
}

function urlOf(request: SdkHttpRequest): string {
  if (request.query === undefined || Object.keys(request.query).length === 0) return request.path;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === null) query.append(key, '');
    else for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
  }
  const search = query.toString();
  return search ? `${request.path}?${search}` : request.path;
}

/** The request's method, URL and lower-case headers, with those Node's client adds. */
function requestHead(request: SdkHttpRequest, body: Buffer): RequestHead {
  const headers: Record<string, string> = {};
  const names = Object.keys(request.headers);
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    headers[name.toLowerCase()] = request.headers[name]!;
  }
  headers.host ??= `${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`;
  headers['content-length'] ??= String(body.length);
  headers.connection ??= 'keep-alive';
  return { method: request.method, url: urlOf(request), headers, httpVersion: '1.1' };
}

/** The request as Node's server presents it: a readable body beside its head. */
function incomingMessage(head: RequestHead, body: Buffer): IncomingMessage {
  const stream = new Readable({
    read() {
      if (body.length > 0) this.push(body);
      this.push(null);
    },
  });
  // The head's four fields alone: a head may be another request, whose stream state is its own.
  const { method, url, headers, httpVersion } = head;
  return Object.assign(stream, { method, url, headers, httpVersion }) as unknown as IncomingMessage;
}

// Node's server answers HTTP/1.1 keep-alive requests with these, its default keepAliveTimeout being 5 s.
const KEEP_ALIVE = { connection: 'keep-alive', 'keep-alive': 'timeout=5' };

// Node's server formats the Date header once per second too.
let dateSecond = -1;
let dateText = '';
function dateHeader(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}
const NO_BODY_STATUS = new Set([204, 304]);

type HeaderValue = string | number | readonly string[];

/**
 * A ServerResponse as far as a listener uses it: status, headers (set one by one or with
 * writeHead), write and end. It resolves with the SDK's HttpResponse once ended. A class, not an
 * object of closures: every in-process call makes one.
 */
class InProcessResponse {
  statusCode = 200;
  statusMessage: string | undefined = undefined;
  readonly #method: string;
  readonly #resolve: (response: SdkHttpResponse) => void;
  readonly #headers = new Map<string, HeaderValue>();
  readonly #chunks: Buffer[] = [];
  #headersSent = false;
  #ended = false;

  constructor(method: string, resolve: (response: SdkHttpResponse) => void) {
    this.#method = method;
    this.#resolve = resolve;
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get writableEnded(): boolean {
    return this.#ended;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.#headersSent) throw new Error('Cannot set headers after they are sent to the client');
    this.#headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.#headers.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  getHeaders(): Record<string, HeaderValue> {
    return Object.fromEntries(this.#headers);
  }

  writeHead(status: number, reasonOrHeaders?: unknown, maybeHeaders?: unknown): this {
    this.statusCode = status;
    const given = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    if (Array.isArray(given)) {
      for (let index = 0; index + 1 < given.length; index += 2) this.#headers.set(String(given[index]).toLowerCase(), given[index + 1] as HeaderValue);
    } else if (given && typeof given === 'object') {
      for (const [name, value] of Object.entries(given)) this.#headers.set(name.toLowerCase(), value as HeaderValue);
    }
    this.#headersSent = true;
    return this;
  }

  write(chunk: unknown): boolean {
    this.#headersSent = true;
    if (chunk !== undefined && chunk !== null) this.#chunks.push(toBuffer(chunk));
    return true;
  }

  end(chunk?: unknown): this {
    if (this.#ended) return this;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this.#chunks.push(toBuffer(chunk));
    // Node knows the length only when the headers wait for end(); after writeHead or write it chunks.
    const chunked = this.#headersSent;
    this.#ended = true;
    this.#headersSent = true;
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    this.#headers.forEach((value, name) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    });
    this.#resolve(sentResponse(this.#method, this.statusCode, this.statusMessage, headers, body, chunked));
    return this;
  }

  // Listeners may listen for the response's end; it has no socket to close early.
  on(): this {
    return this;
  }

  once(): this {
    return this;
  }
}

/**
 * What Node's server sends for a listener's status, headers (lower-case names, their values as
 * sent, which this adds to) and body: the headers it adds, and no body where HTTP allows none.
 * `chunked`: the headers went out before the body was complete, so that Node could not give its length.
 */
function sentResponse(method: string, statusCode: number, reason: string | undefined, sent: Record<string, string>, body: Buffer, chunked: boolean): SdkHttpResponse {
  const bodyless = method === 'HEAD' || NO_BODY_STATUS.has(statusCode);
  if (!bodyless && sent['content-length'] === undefined && sent['transfer-encoding'] === undefined) {
    if (chunked) sent['transfer-encoding'] = 'chunked';
    else sent['content-length'] = String(body.length);
  }
  sent.date ??= dateHeader();
  sent.connection ??= KEEP_ALIVE.connection;
  sent['keep-alive'] ??= KEEP_ALIVE['keep-alive'];
  return { statusCode, ...(reason === undefined ? {} : { reason }), headers: sent, body: bodyless ? Buffer.alloc(0) : body };
}

const toBuffer = (chunk: unknown) => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));

function serverResponse(method: string, resolve: (response: SdkHttpResponse) => void): ServerResponse {
  return new InProcessResponse(method, resolve) as unknown as ServerResponse;
}

function registrationOf(request: SdkHttpRequest): Registration | undefined {
  return registrations.get(originOf(`${request.protocol}//${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`));
}

/**
 * The response to one request when the server registered for its origin answers it at once
 * (answerAtOnce), as handleInProcess would resolve with it; undefined when it does not: send it
 * with handleInProcess then.
 */
export function handleAtOnce(request: SdkHttpRequest): SdkHttpResponse | undefined {
  const answerAtOnce = registrationOf(request)?.answerAtOnce;
  if (answerAtOnce === undefined) return undefined;
  const body = bodyBytes(request.body);
  const answer = answerAtOnce(requestHead(request, body), body);
  if (answer === undefined) return undefined;
  // Set one by one, as a listener's setHeader does: the last of a name stands. (By index: the
  // loops of every call run mostly before V8 optimizes them, where a for...of allocates per element.)
  const headers: Record<string, string> = {};
  for (let i = 0; i < answer.headers.length; i += 1) {
    const header = answer.headers[i]!;
    headers[header[0].toLowerCase()] = header[1];
  }
  return sentResponse(request.method, answer.statusCode, undefined, headers, Buffer.from(answer.body, 'utf8'), false);
}

/** Hands one request to the listener registered for its origin, and resolves with its response. */
export function handleInProcess(request: SdkHttpRequest, abortSignal?: AbortSignal): Promise<SdkHttpResponse> {
  if (abortSignal?.aborted) return Promise.reject(abortError(abortSignal));
  const registration = registrationOf(request);
  if (!registration) return Promise.reject(connectionRefused(request));
  const body = bodyBytes(request.body);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(abortSignal!));
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    const done = (response: SdkHttpResponse) => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve(response);
    };
    try {
      const head = requestHead(request, body);
      const response = serverResponse(request.method, done);
      if (registration.bodyListener) registration.bodyListener(head, response, body);
      else registration.listener(incomingMessage(head, body), response);
    } catch (error) {
      abortSignal?.removeEventListener('abort', onAbort);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** The requestHandler of SDK clients whose endpoint is a server registered in this process. */
export class InProcessRequestHandler implements SdkRequestHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  async handle(request: SdkHttpRequest, options: { abortSignal?: AbortSignal } = {}): Promise<{ response: SdkHttpResponse }> {
    return { response: await handleInProcess(request, options.abortSignal) };
  }

  // The SDK's settings for sockets and agents: there are none here.
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

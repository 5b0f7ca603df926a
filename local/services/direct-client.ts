// SDK clients of an emulator in this process without the SDK's wire work: a direct client's send
// writes and reads the JSON body of plain values itself (json-codec.ts: the SDK's bytes and output,
// without its per-call schema work) and everything else with the SDK's own protocol (the same
// request body, the same output and the same errors as client.send), runs the SDK's retry and the
// command's own input and output middleware (SQS's MD5 checks, say) and any middleware added to the
// client on its input or output, and hands the request to the emulator: the answer it gives at once
// where it has one (in-process-transport.ts), else its listener, the IAM door first. sendCommand
// sends by command class, without the command object client.send takes. When the only middleware
// before the answer is the retry (and SQS's MD5 checks turned off), the first attempt is sent
// before any of it: an answer that is a success goes through the output's middleware alone, and
// gets the $metadata the retry would note (one attempt, no delay); any other answer is handed to
// the whole stack as its first attempt's, so that the retry decides on it as it does in the SDK,
// with no request sent again. The retry's one other deed on such a success, giving a token back to
// a bucket that only earlier retries of the client can have drawn on, is left out. What a direct
// send leaves out otherwise concerns only a request on the wire: endpoint rules (the client's
// endpoint is fixed), SigV4 signing and payload hashing (no emulator checks a signature), the Host
// and Content-Length headers (the in-process transport adds them), trace headers and logging. A
// client whose endpoint is not in this process, a command of another protocol, or a command or
// client with middleware on the request itself is sent through client.send, unchanged.
import { handleAtOnce, handleInProcess, InProcessRequestHandler, type SdkHttpRequest, type SdkHttpResponse } from './in-process-transport.ts';
import { compilePlan, readJson, responseMetadata, writeJson, type JsonPlan } from './json-codec.ts';

/**
 * The SDK middleware a direct send leaves out: the serializer and parser (the protocol's own calls
 * stand in for them) and what only a request on the wire needs. SQS's queueUrlMiddleware changes
 * nothing for a client given its endpoint, as these are.
 */
const WIRE_ONLY: ReadonlySet<string> = new Set([
  'loggerMiddleware',
  'httpAuthSchemeMiddleware',
  'endpointV2Middleware',
  'queueUrlMiddleware',
  'serializerMiddleware',
  'contentLengthMiddleware',
  'hostHeaderMiddleware',
  'recursionDetectionMiddleware',
  'httpSigningMiddleware',
  'deserializerMiddleware',
]);

/** Steps whose middleware sees only the input and the output, so they run unchanged on a direct send. */
const INPUT_OUTPUT_STEPS = new Set(['initialize', 'deserialize']);
/** The SDK's retry, which sends the serialized request again as it does in the SDK. */
const RETRY = 'retryMiddleware';

/**
 * SQS's MD5 checks, which return the answer untouched when the client's md5 setting is false (as
 * for an emulator in this process: execution/clients.ts).
 */
const MD5_CHECKS = new Set(['sendMessageMiddleware', 'sendMessageBatchMiddleware', 'receiveMessageMiddleware']);

/** What the retry notes in the $metadata of an output its first attempt got. */
const FIRST_ATTEMPT = { attempts: 1, totalRetryDelay: 0 };

/** The answer a request's first attempt already got, which the transport hands over instead of sending it. */
const ANSWERED = Symbol('answered');

type AnsweredRequest = SdkHttpRequest & { [ANSWERED]?: SdkHttpResponse };

/** The JSON protocols, whose requests are one POST the emulators read whole. */
const JSON_PROTOCOLS = new Set(['aws.protocols#awsJson1_0', 'aws.protocols#awsJson1_1']);

interface OperationSchema {
  name: string;
  namespace: string;
  traits: unknown;
  input: unknown;
  output: unknown;
}

interface Protocol {
  getShapeId(): string;
  serializeRequest(operation: OperationSchema, input: unknown, context: object): Promise<SdkHttpRequest>;
  deserializeResponse(operation: OperationSchema, context: object, response: SdkHttpResponse): Promise<Record<string, unknown>>;
}

interface Credentials {
  accessKeyId: string;
  sessionToken?: string;
  expiration?: Date;
}

interface Identity {
  credentials?: Credentials;
  region?: string;
}

interface Handled {
  response: SdkHttpResponse;
  output: Record<string, unknown>;
}

interface Args {
  input: unknown;
  request?: SdkHttpRequest;
}

type Handler = (args: Args) => Promise<Handled>;

type Middleware = (next: Handler) => Handler;

/** A middleware entry's options as a stack hands them to another (`applyToStack`). */
interface EntryOptions {
  name?: string;
  aliases?: string[];
  step?: string;
}

/** What a stack copies its entries into (@smithy's MiddlewareStack.applyToStack). */
interface StackTarget {
  add(middleware: Middleware, options: EntryOptions): void;
  addRelativeTo(middleware: Middleware, options: EntryOptions): void;
  identifyOnResolve?(toggle: boolean): unknown;
}

interface Stack extends StackTarget {
  clone(): Stack;
  applyToStack(target: StackTarget): void;
  identify(): string[];
  resolve(handler: Handler, context: object): Handler;
}

/** Whether an entry is named, or aliased, as one of `names` (what a stack's remove(name) matches). */
const namedAs = (entry: EntryOptions, names: ReadonlySet<string>) =>
  (entry.name !== undefined && names.has(entry.name)) || (entry.aliases?.some((alias) => names.has(alias)) ?? false);

/**
 * `target` with the entries of `sources`, in order, that `keep` keeps: what concatenating the
 * sources and removing the others by name gives, without a scan of the whole stack for each name.
 */
function keptInto(target: Stack, sources: Stack[], keep: (entry: EntryOptions) => boolean): Stack {
  const filter: StackTarget = {
    add: (middleware, options) => keep(options) && target.add(middleware, options),
    addRelativeTo: (middleware, options) => keep(options) && target.addRelativeTo(middleware, options),
    identifyOnResolve: (toggle) => toggle && target.identifyOnResolve?.(true),
  };
  for (const source of sources) source.applyToStack(filter);
  return target;
}

/**
 * The client's stack a probe command is resolved against: a command adds its own middleware to
 * its stack (its middlewareFn reads the client's settings, not its stack), then concatenates the
 * two and resolves a handler, which a plan does not use.
 */
const PLUGINS_ONLY = { concat: () => ({ resolve: () => undefined }) };

interface Command {
  input: unknown;
  /** The operation's schema: [kind, namespace, name, traits, input, output]. */
  schema?: unknown;
  middlewareStack: Stack;
  resolveMiddleware(stack: Stack, config: unknown, options: unknown): unknown;
}

/** The parts of an SDK client (@smithy's Client) a direct send reads. */
interface SdkClient {
  middlewareStack: Stack;
  config: object;
  send(command: Command, ...rest: unknown[]): Promise<unknown>;
}

interface Config {
  protocol?: Protocol;
  requestHandler?: unknown;
  region?: () => Promise<string>;
  credentials?: () => Promise<Credentials>;
  endpoint?: () => Promise<unknown>;
  signingName?: string;
  serviceId?: string;
  /** The SDK's setting: a command class's middleware is resolved once and its handler reused. */
  cacheMiddleware?: boolean;
  /** SQS's: false turns its MD5 checks off. */
  md5?: unknown;
}

const DESERIALIZATION_HINT = 'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';

/** What the SDK's deserializer middleware adds to an error the protocol threw without metadata (an unreadable answer). */
function withMetadata(error: unknown, response: SdkHttpResponse): unknown {
  if (typeof error !== 'object' || error === null) return error;
  Object.defineProperty(error, '$response', { value: response, enumerable: false, writable: false, configurable: false });
  if ('$metadata' in error) return error;
  if (error instanceof Error) error.message += `\n  ${DESERIALIZATION_HINT}`;
  const header = (pattern: RegExp) => Object.entries(response.headers).find(([name]) => pattern.test(name))?.[1];
  Object.assign(error, {
    $metadata: {
      httpStatusCode: response.statusCode,
      requestId: header(/^x-[\w-]+-request-?id$/),
      extendedRequestId: header(/^x-[\w-]+-id-2$/),
      cfId: header(/^x-[\w-]+-cf-id$/),
    },
  });
  return error;
}

// The X-Amz-Date of the current second, formatted once a second.
let dateSecond = -1;
let dateText = '';
function amzDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
  }
  return dateText;
}

/** A command's operation, from its schema array; undefined for a command without one. */
function operationOf(command: Command): OperationSchema | undefined {
  const schema = command.schema;
  if (!Array.isArray(schema) || schema.length < 6) return undefined;
  const [, namespace, name, traits, input, output] = schema as [unknown, string, string, unknown, unknown, unknown];
  return { name, namespace, traits, input, output };
}

type CommandClass = new (input: never) => object;

/** A client's direct send by command class (withDirectSend), which needs no command object. */
type SendInput = (Ctor: CommandClass, input: unknown, command?: Command) => Promise<unknown>;

const directSends = new WeakMap<object, SendInput>();

/**
 * Sends `input` as a command of class `Ctor` through the client: by its direct send when it has
 * one, which builds no command object (an SDK command builds its own middleware stack, a cost on
 * every call); else as client.send(new Ctor(input)).
 */
export function sendCommand<Input>(client: { send(command: never): Promise<unknown> }, Ctor: new (input: Input) => object, input: Input): Promise<unknown> {
  const direct = directSends.get(client);
  if (direct) return direct(Ctor as unknown as CommandClass, input);
  return (client.send as (command: object) => Promise<unknown>)(new Ctor(input));
}

/**
 * The client with a direct send when its endpoint is an emulator in this process (see above);
 * the same client otherwise. Middleware added to the client later is not seen by commands it
 * already sent.
 */
export function withDirectSend<Client extends object>(sdkClient: Client): Client {
  const client = sdkClient as unknown as SdkClient;
  const config = (client.config ?? {}) as Config;
  const protocol = config.protocol;
  if (!(config.requestHandler instanceof InProcessRequestHandler) || !protocol || !JSON_PROTOCOLS.has(protocol.getShapeId()) || !config.endpoint) {
    return sdkClient;
  }
  const sdkSend = client.send.bind(client) as (command: Command, ...rest: unknown[]) => Promise<unknown>;
  // What the protocol reads besides the schema: the client's settings, with its fixed endpoint read once.
  let endpoint: Promise<unknown> | undefined;
  const serdeContext = { ...config, endpoint: () => (endpoint ??= config.endpoint!()) };
  const signingName = config.signingName ?? config.serviceId?.toLowerCase() ?? '';

  // Per operation: its schemas' plans (json-codec.ts) and, once the SDK has written one, its
  // request less the body: a JSON protocol's method, URL and headers do not depend on the input.
  const codecs = new Map<string, { input: JsonPlan; output: JsonPlan; template?: SdkHttpRequest }>();
  const codecOf = (operation: OperationSchema) => {
    let codec = codecs.get(operation.name);
    if (codec === undefined) {
      codec = { input: compilePlan(operation.input), output: compilePlan(operation.output) };
      codecs.set(operation.name, codec);
    }
    return codec;
  };

  // The request from the operation's template, with the body written here; undefined until the
  // SDK has written one request of the operation, or for an input the codec leaves to the SDK.
  const fromTemplate = (operation: OperationSchema, input: unknown): SdkHttpRequest | undefined => {
    const codec = codecOf(operation);
    const body = codec.template && writeJson(codec.input, input);
    if (!codec.template || body === undefined) return undefined;
    return Object.assign(Object.create(Object.getPrototypeOf(codec.template) as object) as SdkHttpRequest, codec.template, {
      headers: { ...codec.template.headers },
      query: {},
      body,
    });
  };

  const serialized = async (operation: OperationSchema, input: unknown): Promise<SdkHttpRequest> => {
    const request = await protocol.serializeRequest(operation, input, serdeContext);
    // A host prefix (an endpoint trait) would make the URL depend on the input: such a request is never a template.
    const { hostname } = (await serdeContext.endpoint()) as { hostname?: string };
    const codec = codecOf(operation);
    if (codec.template === undefined && request.hostname === hostname) codec.template = Object.assign(Object.create(Object.getPrototypeOf(request) as object) as SdkHttpRequest, request, { headers: { ...request.headers }, body: undefined });
    return request;
  };

  // The identity and region a request names. Static credentials (no expiration) and the region
  // are the same at every call: they are read from the client's providers once.
  let fixed: Identity | undefined;
  const identity = async (): Promise<Identity> => {
    if (fixed) return fixed;
    const [credentials, region] = await Promise.all([config.credentials?.(), config.region?.()]);
    const read = { credentials, region };
    if (credentials?.expiration === undefined) fixed = read;
    return read;
  };

  const signed = (request: SdkHttpRequest, { credentials, region }: Identity): SdkHttpRequest => {
    const date = amzDate();
    request.headers['x-amz-date'] = date;
    request.headers.authorization =
      `AWS4-HMAC-SHA256 Credential=${credentials?.accessKeyId ?? ''}/${date.slice(0, 8)}/${region ?? ''}/${signingName}/aws4_request, ` +
      'SignedHeaders=host;x-amz-date, Signature=unsigned';
    // A role's identity travels in its session token, which the emulators' IAM door reads.
    if (credentials?.sessionToken) request.headers['x-amz-security-token'] = credentials.sessionToken;
    return request;
  };

  const wireRequest = async (operation: OperationSchema, input: unknown): Promise<SdkHttpRequest> =>
    signed(fromTemplate(operation, input) ?? (await serialized(operation, input)), fixed ?? (await identity()));

  // The same request without a turn of the event loop, when nothing is to be waited for.
  const wireRequestNow = (operation: OperationSchema, input: unknown): SdkHttpRequest | undefined => {
    const request = fixed && fromTemplate(operation, input);
    return request && signed(request, fixed!);
  };

  // The SDK's serializer, where the SDK runs it: after the input's middleware, before the retry. A
  // request whose first attempt was sent already comes with it.
  const serializer = (operation: OperationSchema) => (next: Handler): Handler => async (args) =>
    next({ ...args, request: args.request ?? (await wireRequest(operation, args.input)) });

  // The transport and the SDK's parser, inside the retry as in the SDK; an answer already got is
  // taken once, for the first attempt.
  const core = (operation: OperationSchema): Handler => async ({ request }) => {
    const answered = (request as AnsweredRequest)[ANSWERED];
    // Cleared, not deleted: a deleted property turns the request into a dictionary, a copy of all it holds.
    (request as AnsweredRequest)[ANSWERED] = undefined;
    const response = answered ?? handleAtOnce(request!) ?? (await handleInProcess(request!));
    if (response.statusCode < 300) {
      const output = readJson(codecOf(operation).output, response.body);
      if (output !== undefined) return { response, output: Object.assign(output, { $metadata: responseMetadata(response.statusCode, response.headers) }) };
    }
    try {
      return { response, output: await protocol.deserializeResponse(operation, serdeContext, response) };
    } catch (error) {
      throw withMetadata(error, response);
    }
  };

  // Per command class, read from one command of it: its operation; the middleware that runs, or
  // undefined when one of them needs a wire request; and, when nothing but the retry (and MD5
  // checks turned off) runs before the answer, the output's middleware alone, for an answer that
  // is a success at the first attempt.
  const plans = new Map<unknown, { operation: OperationSchema; stack: Stack; answered?: Stack } | undefined>();
  const planOf = (Ctor: CommandClass) => {
    if (plans.has(Ctor)) return plans.get(Ctor);
    const probe = new (Ctor as new (input: object) => Command)({});
    const operation = operationOf(probe);
    if (operation === undefined) {
      plans.set(Ctor, undefined);
      return undefined;
    }
    // Empty stacks to copy into: the probe's own, before its middleware is added.
    const [empty, emptyToo] = [probe.middlewareStack.clone(), probe.middlewareStack.clone()];
    probe.resolveMiddleware(PLUGINS_ONLY as unknown as Stack, config, undefined);
    const stack = keptInto(empty, [client.middlewareStack, probe.middlewareStack], (entry) => !namedAs(entry, WIRE_ONLY));
    const entries = stack.identify().map((entry) => entry.split(' - ') as [string, string]);
    const runs = entries.every(([name, step]) => name === RETRY || INPUT_OUTPUT_STEPS.has(step));
    if (!runs) {
      plans.set(Ctor, undefined);
      return undefined;
    }
    const passes = (name: string) => name === RETRY || (config.md5 === false && MD5_CHECKS.has(name));
    // Every entry is absolute here (a relative one does not run): its step was given, or is the default.
    const answered = entries.every(([name, step]) => step === 'deserialize' || passes(name))
      ? keptInto(emptyToo, [stack], (entry) => entry.step === 'deserialize')
      : undefined;
    stack.add(serializer(operation), { step: 'serialize', name: 'directSerializer' });
    plans.set(Ctor, { operation, stack, ...(answered ? { answered } : {}) });
    return plans.get(Ctor);
  };

  // Per command class and stack, its resolved handler, when the client caches middleware (as the
  // offline clients do): client.send then reuses one handler, and its context, for every call of a class.
  const handlers = new WeakMap<Stack, Handler>();
  const handlerFor = (operation: OperationSchema, stack: Stack): Handler => {
    // Otherwise resolved per call, as the SDK does: a middleware may note things in its context.
    if (config.cacheMiddleware !== true) return stack.resolve(core(operation), {});
    let handler = handlers.get(stack);
    if (handler === undefined) {
      handler = stack.resolve(core(operation), {});
      handlers.set(stack, handler);
    }
    return handler;
  };

  // `command`, when the caller has one, is the one client.send would be given: the SDK sends it.
  const sendInput: SendInput = async (Ctor, input, command) => {
    const plan = planOf(Ctor);
    if (!plan) return sdkSend(command ?? (new (Ctor as new (input: unknown) => Command)(input)));
    const { operation } = plan;
    if (plan.answered === undefined) return (await handlerFor(operation, plan.stack)({ input })).output;
    const request: AnsweredRequest = wireRequestNow(operation, input) ?? (await wireRequest(operation, input));
    const response = handleAtOnce(request) ?? (await handleInProcess(request));
    if (response.statusCode < 300) {
      request[ANSWERED] = response;
      try {
        const { output } = await handlerFor(operation, plan.answered)({ input, request });
        Object.assign(output.$metadata as object, FIRST_ATTEMPT);
        return output;
      } catch {
        // An answer the parser or the output's middleware refuses: the whole stack decides on it below.
      }
    }
    request[ANSWERED] = response;
    return (await handlerFor(operation, plan.stack)({ input, request })).output;
  };
  // Options (an abort signal, say) are the SDK's to honour.
  client.send = (command, ...rest) => (rest.length === 0 ? sendInput(command.constructor as CommandClass, command.input, command) : sdkSend(command, ...rest));
  directSends.set(sdkClient, sendInput);
  return sdkClient;
}

/** Every client of a set (execution/clients.ts's Clients) with a direct send where it can have one. */
export function withDirectSends<Clients extends object>(clients: Clients): Clients {
  for (const client of Object.values(clients)) if (typeof client === 'object' && client !== null) withDirectSend(client);
  return clients;
}

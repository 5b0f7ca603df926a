// One Lambda container: the Node.js runtime's side of it, on a worker thread of its own
// (lambda-container.ts starts it; the CLI's bundle is dist/local-cli-lambda.mjs). A thread is what
// lets the host stop a function as Lambda does: at its timeout, however it is stuck (a loop that
// never yields included), without ending the run or `make serve`. It also gives the function what
// a container has: its own environment, console, globals and module instances; its own
// process.exit, which ends the container (the thread), not the host; and errors thrown after an
// invocation, which end the container too. The function's code loads at the first invocation
// (Lambda's Init), not when the thread starts; the thread may start before it knows its function
// (lambda-container.ts's prestartContainer), which the first message then names.
import { AsyncLocalStorage } from 'node:async_hooks';
import nodeModule from 'node:module';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { enableCompileCache } from '../start-command.ts';
import { CONSOLE_LEVELS, errorDocument, logLine, type ConsoleMethod, type ErrorDocument } from './lambda-log.ts';

/** The function a container runs, as its first message names it. */
export interface SandboxSetup {
  /** The module's file URL. */
  moduleUrl: string;
  /** The handler setting, `file.export`. */
  handler: string;
  /** The context's fields that stay the same from one invocation to the next. */
  context: Record<string, unknown>;
  /** Whether a handler of three parameters gets a callback: the Node.js runtimes before 24 give one. */
  callbacks: boolean;
}

/** The container's function (always the first message), an invocation, or the host's word that the run stopped. */
export type SandboxRequest =
  | { configure: { setup: SandboxSetup; environment: Record<string, string> } }
  | { invoke: SandboxInvocation }
  | { stopping: true };

/** An invocation: the event as Lambda hands it over (JSON), and the function's timeout. */
export interface SandboxInvocation {
  requestId: string;
  eventJson: string;
  timeoutMs: number;
  log: boolean;
}

/** The handler was called (its code loaded): the function's timeout runs from now. */
export interface SandboxStarted {
  started: string;
}

/** How an invocation ended, with its log lines when they were asked for. */
export interface SandboxAnswer {
  requestId: string;
  /** The result's JSON text; undefined for a handler that returned undefined. */
  resultJson?: string;
  error?: ErrorDocument;
  durationMs: number;
  /** The Init phase's, on the invocation that loaded the code. */
  initMs?: number;
  lines?: string[];
}

/** The thread's first message: it has loaded what it needs of Node. */
export interface SandboxReady {
  ready: true;
}

/** An error the function's code left uncaught; the container is over. */
export interface SandboxCrashed {
  crashed: ErrorDocument;
}

/** A failure of the runtime itself (the code does not load, no handler), not of the function's code. */
class RuntimeFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The Node.js runtime's name for a rejection nothing handled. */
class UnhandledPromiseRejection extends Error {
  override name = 'Runtime.UnhandledPromiseRejection';
}

enableCompileCache();
// The Node modules the AWS SDK of a function's bundle loads (with those they load: https's tls
// and net), loaded while the host holds V8's flag changes (v8-flags.ts): after a change, the
// thread would compile each from source.
const FUNCTION_NODE_MODULES = ['crypto', 'zlib', 'fs/promises', 'https', 'http'];
for (const name of FUNCTION_NODE_MODULES) process.getBuiltinModule(name);
const port = parentPort!;
let function_: (SandboxSetup & { handlerName: string }) | undefined;

/** The function's environment as the whole of this thread's process.env (a worker's own copy). */
function setEnvironment(environment: Record<string, string>): void {
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, environment);
}

// The log of the invocation whose code is running, when its log is kept: invocations of one
// container may overlap here (Lambda would start a container for each).
const invocationLog = new AsyncLocalStorage<{ requestId: string; lines: string[] }>();
for (const [method, level] of Object.entries(CONSOLE_LEVELS) as [ConsoleMethod, string][]) {
  const original = console[method];
  console[method] = (...args: unknown[]) => {
    const log = invocationLog.getStore();
    log?.lines.push(logLine(log.requestId, level, args));
    original.apply(console, args);
  };
}

process.on('uncaughtException', (error) => port.postMessage({ crashed: errorDocument(error) } satisfies SandboxCrashed));
process.on('unhandledRejection', (reason) =>
  port.postMessage({ crashed: errorDocument(new UnhandledPromiseRejection(String(reason))) } satisfies SandboxCrashed),
);

let stopping = false;
let loaded: Promise<Record<string, unknown>> | undefined;

function loadModule(moduleUrl: string): Promise<Record<string, unknown>> {
  return (loaded ??= (import(moduleUrl) as Promise<Record<string, unknown>>).catch((error: unknown) => {
    // Lambda reports code that fails to load as the runtime's error, on every invocation.
    throw new RuntimeFailure('Runtime.ImportModuleError', `Error: ${error instanceof Error ? error.message : String(error)}`);
  }));
}

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: unknown, callback?: Callback) => unknown;

const isPromise = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === 'function';

// How often an invocation that waits for the event loop to empty looks at it.
const EMPTY_LOOP_POLL_MS = 1;

/**
 * Calls the answer `waiting` gives once nothing but this thread's own ports keeps its event loop
 * alive (what a process's 'beforeExit' tells the runtime on Lambda): no timer, socket, file or
 * other request of the function's is pending. It stops looking once `waiting` gives none (the
 * invocation answered otherwise). The look is an unreferenced timer, which keeps nothing alive.
 */
function whenLoopEmpty(waiting: () => (() => void) | undefined): void {
  setTimeout(() => {
    const answer = waiting();
    if (answer === undefined) return;
    if (process.getActiveResourcesInfo().every((resource) => resource === 'MessagePort')) answer();
    else whenLoopEmpty(waiting);
  }, EMPTY_LOOP_POLL_MS).unref();
}

/**
 * The handler's answer on the Node.js runtimes before 24, as their runtime interface client gives
 * it (aws-lambda-nodejs-runtime-interface-client, read for this). The handler gets a callback,
 * whatever its parameters. A promise it returns answers when it settles. The callback answers an
 * error at once, and a result once the event loop is empty, or at once when
 * context.callbackWaitsForEmptyEventLoop is false; context.succeed, fail (with no error: "handled")
 * and done answer at once. The first of them counts, the others do nothing. A handler that returns
 * no promise and never answers answers null once the event loop is empty: a value it returns is
 * not its answer.
 */
function callbackAnswer(handler: Handler, event: unknown, context: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let finished = false;
    let waitsForEmptyLoop = true;
    let emptyLoopAnswer: (() => void) | undefined;
    const done: Callback = (error, result) => {
      emptyLoopAnswer = undefined;
      if (error === undefined || error === null) resolve(result);
      else reject(error);
    };
    const once =
      <Args extends unknown[]>(answer: (...args: Args) => void) =>
      (...args: Args) => {
        if (finished) return;
        finished = true;
        answer(...args);
      };
    const awaitEmptyLoop = (answer: () => void) => {
      const watching = emptyLoopAnswer !== undefined;
      emptyLoopAnswer = answer;
      if (!watching) whenLoopEmpty(() => emptyLoopAnswer);
    };
    const callback = once<[unknown?, unknown?]>((error, result) => {
      if ((error !== undefined && error !== null) || !waitsForEmptyLoop) done(error, result);
      else awaitEmptyLoop(() => done(null, result));
    });
    Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
      get: () => waitsForEmptyLoop,
      set: (value: unknown) => {
        waitsForEmptyLoop = Boolean(value);
      },
      enumerable: true,
    });
    const succeed = once<[unknown?]>((result) => done(null, result));
    const fail = once<[unknown?]>((error) => done(error ?? 'handled'));
    Object.assign(context, { succeed, fail, done: once<[unknown?, unknown?]>(done) });
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (isPromise(returned)) returned.then(succeed, fail);
    else if (!finished) awaitEmptyLoop(() => done(null, null));
  });
}

/** The handler's answer: on the runtimes before 24 as callbackAnswer says; from Node.js 24, which has no callbacks, the promise or value it returns. */
function answerOf(handler: Handler, event: unknown, context: Record<string, unknown>, callbacks: boolean): Promise<unknown> {
  if (callbacks) return callbackAnswer(handler, event, context);
  return Promise.resolve(handler(event, { callbackWaitsForEmptyEventLoop: true, ...context }));
}

async function invoke(
  { moduleUrl, handler: handlerSetting, handlerName, context: fixedContext, callbacks }: NonNullable<typeof function_>,
  request: SandboxInvocation,
): Promise<Omit<SandboxAnswer, 'lines'>> {
  const { requestId } = request;
  const loading = performance.now();
  const cold = loaded === undefined;
  const handler = (await loadModule(moduleUrl))[handlerName];
  const started = performance.now();
  const initMs = cold ? started - loading : undefined;
  // As on Lambda, the timeout runs from the handler's call, the Init phase having a limit of its own.
  const deadline = Date.now() + request.timeoutMs;
  port.postMessage({ started: requestId } satisfies SandboxStarted);
  const timing = () => ({ durationMs: performance.now() - started, ...(initMs === undefined ? {} : { initMs }) });
  try {
    if (typeof handler !== 'function') throw new RuntimeFailure('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
    const context = {
      ...fixedContext,
      awsRequestId: requestId,
      // Once the run stops, a function that watches its time ends at once instead of working on.
      getRemainingTimeInMillis: () => (stopping ? 0 : Math.max(0, deadline - Date.now())),
    };
    const result = await answerOf(handler as Handler, JSON.parse(request.eventJson), context as Record<string, unknown>, callbacks);
    // Lambda serializes the result; undefined comes back as null.
    return { requestId, resultJson: JSON.stringify(result), ...timing() };
  } catch (error) {
    return { requestId, error: errorDocument(error), ...timing() };
  }
}

port.on('message', (request: SandboxRequest) => {
  if ('configure' in request) {
    const { setup, environment } = request.configure;
    setEnvironment(environment);
    function_ = { ...setup, handlerName: setup.handler.split('.')[1] ?? 'handler' };
    return;
  }
  if ('stopping' in request) {
    stopping = true;
    return;
  }
  const { invoke: call } = request;
  const log = call.log ? { requestId: call.requestId, lines: [] as string[] } : undefined;
  const answered = log ? invocationLog.run(log, () => invoke(function_!, call)) : invoke(function_!, call);
  answered.then(
    (answer) => {
      // A worker's compile cache is written only when it is flushed (the host may end the thread
      // at any time): the code loaded, and the modules the function imported as it ran.
      (nodeModule.flushCompileCache as typeof nodeModule.flushCompileCache | undefined)?.();
      port.postMessage({ ...answer, ...(log ? { lines: log.lines } : {}) } satisfies SandboxAnswer);
    },
    // Only the load can fail here (ImportModuleError): everything the handler does is answered above.
    (error: unknown) => port.postMessage({ requestId: call.requestId, error: errorDocument(error), durationMs: 0 } satisfies SandboxAnswer),
  );
});

port.postMessage({ ready: true } satisfies SandboxReady);

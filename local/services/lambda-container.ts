// A Lambda container as the host sees it: a worker thread running lambda-sandbox.ts, the
// invocations in flight on it, and how it ends. Lambda discards a container whose invocation
// timed out, whose runtime exited or whose code left an error uncaught; the next invocation then
// starts a new one. Here a container may run several invocations at once (a Map calling one
// function in parallel), so one that timed out is retired: it takes no new invocation and is
// ended with the last of those it runs, each of which ends by its own timeout at the latest.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import { V8_FLAGS, type FlagChanges } from '../v8-flags.ts';
import type { ErrorDocument } from './lambda-log.ts';
import type { SandboxAnswer, SandboxCrashed, SandboxInvocation, SandboxReady, SandboxRequest, SandboxSetup, SandboxStarted } from './lambda-sandbox.ts';

/** The sandbox's file in the CLI's bundle, beside the chunk this module lands in (scripts/build.ts builds it). */
export const LAMBDA_SANDBOX_BUNDLE = 'local-cli-lambda';

/**
 * The sandbox's module: its bundle beside this chunk when this module is bundled. From source
 * (the tests), the source bundled once per process in memory, so that no thread needs a
 * TypeScript loader: Node's type stripping took 50 ms of every thread's start.
 */
let sandboxFromSource: URL | undefined;
function sandboxUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL(`./${LAMBDA_SANDBOX_BUNDLE}.mjs`, import.meta.url);
  return (sandboxFromSource ??= bundleFromSource());
}

function bundleFromSource(): URL {
  // esbuild is the build's own tool, there wherever the sources run.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const entry = fileURLToPath(new URL('./lambda-sandbox.ts', import.meta.url));
  const [code] = buildSync({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node22' }).outputFiles;
  // Named by its source in stack traces: a frame would otherwise quote the whole data: URL, and a
  // function's error document (its trace) outgrow the 32,768 characters of a Step Functions cause.
  const named = `${code!.text}\n//# sourceURL=${pathToFileURL(entry).href}\n`;
  return new URL(`data:text/javascript;base64,${Buffer.from(named).toString('base64')}`);
}

/** How an invocation ended: the sandbox's answer, or the document of what ended it from outside. */
export type Outcome = { answer: SandboxAnswer } | { ended: ErrorDocument };

export interface Container {
  /** Whether it takes invocations: not once retired or ended. */
  readonly usable: boolean;
  /** Whether its thread still runs. */
  readonly running: boolean;
  /** Runs one invocation; settles when it ends, however it ends. */
  invoke(request: SandboxInvocation, timeoutDocument: ErrorDocument): Promise<Outcome>;
  /** Tells the function that the run stopped: it has no time left. */
  stopping(): void;
}

/** The runtime's words for an exit status: 0 gives no reason. */
function exitDocument(requestId: string, status: number): ErrorDocument {
  const error = status === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${status}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${error}` };
}

// Lambda's limit on the Init phase (the thread's start and the code's load): past it, Lambda tries
// the Init again within the function's timeout.
const INIT_LIMIT_MS = 10_000;

// Idle containers kept in the process, the least recently used ended first: an endpoint that
// runs many state machines, each with its own runners, must not keep a thread for each.
const MAX_IDLE = 8;
const idle = new Set<() => void>();

function keepIdle(end: () => void): void {
  idle.add(end);
  if (idle.size > MAX_IDLE) {
    const oldest = idle.values().next().value!;
    idle.delete(oldest);
    oldest();
  }
}

/**
 * A thread that loads what every sandbox needs, not yet a function's. It takes none of this
 * process's Node options (a test's TypeScript loader), unless the function's code needs them.
 */
function startThread(hostLoaders = false): Worker {
  const worker = new Worker(sandboxUrl(), hostLoaders ? {} : { execArgv: [] });
  // An idle thread does not keep the process alive; one that runs an invocation does.
  worker.unref();
  return worker;
}

/** Code in TypeScript loads with this process's loaders (the tests' tsx) rather than Node's own type stripping. */
const needsHostLoaders = (moduleUrl: string): boolean => /\.[cm]?ts$/.test(moduleUrl);

// A thread started ahead of the container that will take it.
let spare: Worker | undefined;

/**
 * Starts the next container's thread now: a run that will invoke a function starts it with the
 * run, so that Node's start of the thread (tens of milliseconds) happens on another core while
 * the emulators start, and before V8's flags change, which would make it compile Node's own
 * modules from source: the changes wait until it has loaded (v8-flags.ts).
 */
export function prestartContainer(flags: FlagChanges = V8_FLAGS): void {
  if (spare !== undefined) return;
  const worker = (spare = startThread());
  const gone = () => {
    if (spare === worker) spare = undefined;
  };
  // A thread that failed to start is not taken, and its failure ends nothing else.
  worker.once('error', gone).once('exit', gone);
  flags.holdUntil(new Promise((loaded) => worker.once('message', loaded).once('error', loaded).once('exit', loaded)));
}

/**
 * Starts a container (on the spare thread, if one was started) with the function's environment
 * (the whole of process.env there) and what its sandbox needs; its code loads at the first
 * invocation, within `initLimitMs` and the function's timeout.
 */
export function startContainer(setup: SandboxSetup, environment: Record<string, string>, initLimitMs = INIT_LIMIT_MS): Container {
  let worker: Worker;
  if (needsHostLoaders(setup.moduleUrl)) worker = startThread(true);
  else {
    worker = spare ?? startThread();
    spare = undefined;
  }
  worker.postMessage({ configure: { setup, environment } } satisfies SandboxRequest);
  const inFlight = new Map<string, { settle(outcome: Outcome): void; started(): void }>();
  let retired = false;
  let ended = false;
  const end = () => {
    idle.delete(end);
    if (ended) return;
    ended = true;
    void worker.terminate();
  };
  // Every invocation in flight ends with `document` (their own request id in it), and so does the container.
  const endAll = (document: (requestId: string) => ErrorDocument) => {
    if (ended) return;
    end();
    for (const [requestId, { settle }] of inFlight) settle({ ended: document(requestId) });
    inFlight.clear();
  };
  const settled = (requestId: string) => {
    inFlight.delete(requestId);
    if (inFlight.size > 0) return;
    if (retired) end();
    else {
      worker.unref();
      keepIdle(end);
    }
  };
  worker.on('message', (message: SandboxAnswer | SandboxStarted | SandboxReady | SandboxCrashed) => {
    if ('ready' in message) return;
    if ('crashed' in message) return endAll(() => message.crashed);
    if ('started' in message) return inFlight.get(message.started)?.started();
    const invocation = inFlight.get(message.requestId);
    if (invocation === undefined) return;
    invocation.settle({ answer: message });
    settled(message.requestId);
  });
  // The sandbox catches what the function's code throws: an error here is the thread's own (it could not start).
  worker.on('error', (error) => endAll(() => ({ errorType: 'Runtime.Unknown', errorMessage: `${error.name}: ${error.message}` })));
  worker.on('exit', (status) => endAll((requestId) => exitDocument(requestId, status)));

  return {
    get usable() {
      return !retired && !ended;
    },
    get running() {
      return !ended;
    },
    invoke(request, timeoutDocument) {
      idle.delete(end);
      worker.ref();
      return new Promise<Outcome>((resolve) => {
        const timedOut = () => {
          // Lambda discards a container whose invocation timed out; the next one starts cold.
          retired = true;
          resolve({ ended: timeoutDocument });
          settled(request.requestId);
        };
        let timer = setTimeout(timedOut, initLimitMs + request.timeoutMs);
        inFlight.set(request.requestId, {
          settle(outcome) {
            clearTimeout(timer);
            resolve(outcome);
          },
          started() {
            clearTimeout(timer);
            timer = setTimeout(timedOut, request.timeoutMs);
          },
        });
        worker.postMessage({ invoke: request } satisfies SandboxRequest);
      });
    },
    stopping() {
      if (!ended) worker.postMessage({ stopping: true } satisfies SandboxRequest);
    },
  };
}

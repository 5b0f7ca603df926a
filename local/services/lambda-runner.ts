// Runs a function's bundle (a described function's esbuild bundle, or a stand-in module given with
// --lambda) the way Lambda does: one warm container per run, a Lambda context, the function's
// environment, its timeout, and errors in the runtime's format.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { findFunction, resolveAttribute } from '../../workflow/app.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import type { LocalEndpoints, LocalResources } from '../contracts.ts';
import { emulatorEnvironment } from './emulators.ts';
import { assumedRoleArn, sessionToken } from './iam.ts';
import { consoleCapture, invocationLog, invocationLogText, type InvocationLog } from './lambda-log.ts';
import { asInvocation, exitGuard, RuntimeExited } from './function-exit.ts';

/** What Lambda knows of a function: its identity, its settings and the variables it sets. */
export interface FunctionSettings {
  name: string;
  arn: string;
  roleName: string;
  logGroup: string;
  /** `file.export`, as Lambda's Node.js runtime reads it. */
  handler: string;
  runtime: string;
  memorySize: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

/** What Lambda gives a function created without settings. */
export const LAMBDA_DEFAULTS = { memorySize: 128, timeoutSeconds: 3 };

/** A function of the description as the stack deploys it, its environment resolved to the local resources. */
export function describedFunctionSettings(resources: LocalResources, name: string): FunctionSettings {
  const { app, data, functions, stateMachines } = resources;
  const fn = findFunction(app, name);
  const local = functions[name]!;
  const environment = Object.fromEntries(
    Object.entries(fn.environment).map(([variable, attribute]) => [
      variable,
      resolveAttribute(app, attribute, {
        resource: (r, what) => (what === 'url' ? (data[r.id]!.url ?? data[r.id]!.name) : data[r.id]![what]),
        function: (f, what) => (what === 'arn' ? functions[f.name]!.arn : functions[f.name]!.function),
        workflow: (w, what) => (what === 'arn' ? stateMachines[w.name]!.arn : stateMachines[w.name]!.stateMachine),
      }),
    ]),
  );
  return {
    name: local.function,
    arn: local.arn,
    roleName: local.role,
    logGroup: local.logGroup,
    handler: fn.handler,
    runtime: fn.runtime,
    memorySize: fn.memorySize,
    timeoutSeconds: fn.timeoutSeconds,
    // The variables the stack resolves from resources; Node's own options are the host's to set.
    environment,
  };
}

export interface LambdaRunnerOptions {
  bundlePath: string;
  resources: LocalResources;
  endpoints: LocalEndpoints;
  /** The function role's statements; its SDK calls are checked against them at the emulators. */
  policy: PolicyStatement[];
  settings: FunctionSettings;
  /** settings.timeoutSeconds unless given. */
  timeoutSeconds?: number;
  /**
   * Aborted when the run or the endpoint stops. A function cannot be killed in process as Lambda
   * kills one, so from then on getRemainingTimeInMillis answers 0: a function that watches its
   * time (the seed's write loops do) stops at once instead of finishing its work.
   */
  signal?: AbortSignal;
}

export interface LambdaInvocation {
  requestId: string;
  /** The handler's result after a JSON round trip, as Lambda returns it. */
  payload: unknown;
  /** The invocation's log as Lambda writes it (START, the function's lines, END, REPORT), when asked for. */
  log?: string;
}

export interface InvokeOptions {
  /** Keep the invocation's log, as Invoke's LogType Tail asks. */
  log?: boolean;
}

export interface LambdaRunner {
  invoke(event: unknown, options?: InvokeOptions): Promise<LambdaInvocation>;
}

export class MissingBundle extends Error {
  override name = 'MissingBundle';
}

/**
 * The function failed. name is the error type Step Functions reports as Error; message is the
 * error document Lambda returns ({"errorType","errorMessage","trace"}), which becomes Cause.
 */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly requestId: string,
    errorDocument: string,
  ) {
    super(errorDocument);
    this.name = errorType;
  }
}

/** Lambda stopped the function at its timeout; Lambda's own document has no trace. */
class SandboxTimeout extends Error {
  override name = 'Sandbox.Timedout';
}

// What the Node.js runtime, or Lambda itself for a timeout or an exit, reports for a thrown value.
function errorDocument(error: unknown): { errorType: string; errorMessage: string; trace?: string[] } {
  if (error instanceof SandboxTimeout || error instanceof RuntimeExited) return { errorType: error.name, errorMessage: error.message };
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function functionError(requestId: string, error: unknown): LambdaFunctionError {
  const document = errorDocument(error);
  return new LambdaFunctionError(document.errorType, requestId, JSON.stringify(document));
}

/** A failure the runtime itself raises (a missing handler, a bundle that cannot load), not the function's code. */
class RuntimeFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Host variables the function must not see: a real Lambda starts from an empty environment, so
 * the deployer's profile, SSO session, container or web-identity credentials never reach it.
 */
const isHostAwsVariable = (name: string): boolean => name.startsWith('AWS_');

/** Where Lambda puts the function's code; it holds no .aws folder. */
const LAMBDA_TASK_ROOT = '/var/task';

// Lambda's file system has no ~/.aws; these point the bundle's SDK at none either.
const NO_SHARED_FILES = {
  AWS_CONFIG_FILE: join(LAMBDA_TASK_ROOT, '.aws', 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(LAMBDA_TASK_ROOT, '.aws', 'credentials'),
};

/** The variables Lambda sets for this function, plus the endpoints that lead its SDK to the emulators. */
function functionEnvironment(options: LambdaRunnerOptions): Record<string, string> {
  const { resources, endpoints, policy } = options;
  const { region, accountId } = resources;
  const { settings } = options;
  return {
    ...emulatorEnvironment(endpoints, region),
    ...NO_SHARED_FILES,
    LAMBDA_TASK_ROOT,
    AWS_SESSION_TOKEN: sessionToken({ arn: assumedRoleArn(accountId, settings.roleName, settings.name), policy }),
    AWS_LAMBDA_FUNCTION_NAME: settings.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: settings.logGroup,
    AWS_EXECUTION_ENV: `AWS_Lambda_${settings.runtime}`,
    _HANDLER: settings.handler,
    ...settings.environment,
  };
}

/**
 * Sets the function's environment on process.env while at least one invocation runs (the
 * bundle's SDK client reads it), without the host's AWS_* variables, and puts the previous
 * values back after the last one.
 */
function environmentScope(variables: Record<string, string>): { enter(): void; leave(): void } {
  let active = 0;
  const saved = new Map<string, string | undefined>();
  return {
    enter() {
      active += 1;
      if (active > 1) return;
      for (const key of Object.keys(process.env).filter(isHostAwsVariable)) {
        saved.set(key, process.env[key]);
        delete process.env[key];
      }
      for (const [key, value] of Object.entries(variables)) {
        if (!saved.has(key)) saved.set(key, process.env[key]);
        process.env[key] = value;
      }
    },
    leave() {
      active -= 1;
      if (active > 0) return;
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      saved.clear();
    },
  };
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

type Handler = (event: unknown, context: unknown) => unknown;

/**
 * The containers started in this process, numbered: a container's module URL must differ from
 * every other's in the process, and stay the same from one run to the next, so that Node's
 * compile cache (which the CLI turns on) finds the bundle compiled by the previous run instead of
 * storing one more copy of it under a new name at every run. The count is the process's, not
 * this module's: a loader that evaluates this file twice (tsx, as CommonJS and as an ES module)
 * must not number two containers alike, or they would share one module instance.
 */
const CONTAINERS_STARTED = Symbol.for('transfer-records.lambda-runner.containers-started');

function nextContainer(): number {
  const processWide = globalThis as { [CONTAINERS_STARTED]?: number };
  processWide[CONTAINERS_STARTED] = (processWide[CONTAINERS_STARTED] ?? 0) + 1;
  return processWide[CONTAINERS_STARTED];
}

export function createLambdaRunner(options: LambdaRunnerOptions): LambdaRunner {
  const { settings } = options;
  const bundlePath = resolve(options.bundlePath);
  if (!existsSync(bundlePath)) {
    throw new MissingBundle(`the code of function ${settings.name}, ${options.bundlePath}, does not exist: run \`make build\` first`);
  }
  const timeoutMs = (options.timeoutSeconds ?? settings.timeoutSeconds) * 1000;
  const environment = environmentScope(functionEnvironment(options));
  const [, handlerName = 'handler'] = settings.handler.split('.');
  let container: { module: Promise<Record<string, unknown>>; logStreamName: string } | undefined;

  // A fresh module instance of the entry is a fresh container: its own SDK client, credentials and
  // state. The chunks a bundle imports (code split at a dynamic import) are shared by the
  // containers of the process, so a function holds a container's state in its entry.
  const startContainer = () => ({
    module: (import(`${pathToFileURL(bundlePath).href}?container=${nextContainer()}`) as Promise<Record<string, unknown>>).catch(
      (error: unknown) => {
        // Lambda reports a bundle that fails to load as the runtime's error, on every invocation.
        throw new RuntimeFailure('Runtime.ImportModuleError', `Error: ${error instanceof Error ? error.message : String(error)}`);
      },
    ),
    logStreamName: logStreamName(),
  });

  return {
    async invoke(event, invokeOptions = {}) {
      const requestId = randomUUID();
      const deadline = Date.now() + timeoutMs;
      const log: InvocationLog | undefined = invokeOptions.log ? { requestId, lines: [] } : undefined;
      environment.enter();
      exitGuard.enter();
      if (log) consoleCapture.enter();
      let timer: NodeJS.Timeout | undefined;
      try {
        const cold = container === undefined;
        container ??= startContainer();
        const { module, logStreamName: stream } = container;
        const loading = performance.now();
        const handler = (await module)[handlerName];
        const started = performance.now();
        if (typeof handler !== 'function') {
          throw new RuntimeFailure('Runtime.HandlerNotFound', `${settings.handler} is undefined or not exported`);
        }
        const context = {
          callbackWaitsForEmptyEventLoop: true,
          functionName: settings.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: settings.arn,
          memoryLimitInMB: String(settings.memorySize),
          awsRequestId: requestId,
          logGroupName: settings.logGroup,
          logStreamName: stream,
          getRemainingTimeInMillis: () => (options.signal?.aborted ? 0 : Math.max(0, deadline - Date.now())),
        };
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            // Lambda discards a container whose invocation timed out; the next one starts cold.
            container = undefined;
            reject(
              new SandboxTimeout(`RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
            );
          }, timeoutMs);
        });
        const call = () => asInvocation(requestId, () => (handler as Handler)(event, context));
        const result = await Promise.race([log ? invocationLog.run(log, call) : call(), timedOut]);
        // Lambda serializes the result; undefined comes back as null.
        const json = JSON.stringify(result);
        const payload = json === undefined ? null : JSON.parse(json);
        if (!log) return { requestId, payload };
        const timing = { durationMs: performance.now() - started, initMs: cold ? started - loading : undefined };
        return { requestId, payload, log: invocationLogText(log, timing, settings.memorySize) };
      } catch (error) {
        // Lambda starts the runtime again after it exited: the next invocation starts cold.
        if (error instanceof RuntimeExited) container = undefined;
        throw functionError(requestId, error);
      } finally {
        clearTimeout(timer);
        if (log) consoleCapture.leave();
        exitGuard.leave();
        environment.leave();
      }
    },
  };
}

// Runs a function's bundle (a described function's esbuild bundle, or a stand-in module given with
// --lambda) the way Lambda does: in a container of its own (lambda-container.ts: a worker thread),
// warm from one invocation to the next, with a Lambda context, the function's environment, its
// timeout, and errors in the runtime's format.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFunction, resolveAttribute } from '../../workflow/app.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import type { LocalEndpoints, LocalResources } from '../contracts.ts';
import { emulatorEnvironment } from './emulators.ts';
import { assumedRoleArn, sessionToken } from './iam.ts';
import { startContainer, type Container } from './lambda-container.ts';
import { invocationLogText, type ErrorDocument } from './lambda-log.ts';

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
   * Aborted when the run or the endpoint stops. From then on getRemainingTimeInMillis answers 0:
   * a function that watches its time (the seed's write loops do) stops at once instead of
   * finishing its work, and ends with what it has done.
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

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** The function's whole environment: the host's, less its AWS settings, and Lambda's and the function's variables. */
function containerEnvironment(options: LambdaRunnerOptions): Record<string, string> {
  const host = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !isHostAwsVariable(entry[0]));
  return { ...Object.fromEntries(host), ...functionEnvironment(options) };
}

/** Whether the runtime (`nodejs22.x`) gives a handler a callback: Node.js 24's no longer does. */
function takesCallbacks(runtime: string): boolean {
  const version = /^nodejs(\d+)/.exec(runtime)?.[1];
  return version !== undefined && Number(version) < 24;
}

function failure(requestId: string, document: ErrorDocument): LambdaFunctionError {
  return new LambdaFunctionError(document.errorType, requestId, JSON.stringify(document));
}

export function createLambdaRunner(options: LambdaRunnerOptions): LambdaRunner {
  const { settings } = options;
  const bundlePath = resolve(options.bundlePath);
  if (!existsSync(bundlePath)) {
    throw new MissingBundle(`the code of function ${settings.name}, ${options.bundlePath}, does not exist: run \`make build\` first`);
  }
  const timeoutMs = (options.timeoutSeconds ?? settings.timeoutSeconds) * 1000;
  const timeoutSeconds = (timeoutMs / 1000).toFixed(2);
  const environment = containerEnvironment(options);
  const moduleUrl = pathToFileURL(bundlePath).href;
  const callbacks = takesCallbacks(settings.runtime);
  // Each container writes to a log stream of its own.
  const context = () => ({
    functionName: settings.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: settings.arn,
    memoryLimitInMB: String(settings.memorySize),
    logGroupName: settings.logGroup,
    logStreamName: logStreamName(),
  });
  let container: Container | undefined;
  // Those still running, the retired ones included: each is told when the run stops.
  let running: Container[] = [];
  options.signal?.addEventListener('abort', () => running.forEach((each) => each.stopping()), { once: true });

  const current = (): Container => {
    if (container?.usable !== true) {
      container = startContainer({ moduleUrl, handler: settings.handler, context: context(), callbacks }, environment);
      running = [...running.filter((each) => each.running), container];
    }
    return container;
  };

  return {
    async invoke(event, invokeOptions = {}) {
      const requestId = randomUUID();
      const log = invokeOptions.log === true;
      const target = current();
      if (options.signal?.aborted) target.stopping();
      const outcome = await target.invoke(
        // Lambda hands the function the event as JSON.
        { requestId, eventJson: JSON.stringify(event) ?? 'null', timeoutMs, log },
        { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds} seconds` },
      );
      if ('ended' in outcome) throw failure(requestId, outcome.ended);
      const { answer } = outcome;
      if (answer.error !== undefined) throw failure(requestId, answer.error);
      const payload = answer.resultJson === undefined ? null : JSON.parse(answer.resultJson);
      if (!log) return { requestId, payload };
      const timing = { durationMs: answer.durationMs, initMs: answer.initMs };
      return { requestId, payload, log: invocationLogText({ requestId, lines: answer.lines ?? [] }, timing, settings.memorySize) };
    },
  };
}

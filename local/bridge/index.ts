// The service-integration bridge: one local handler per Task state, chosen by its Resource ARN
// (a service integration's, or a Lambda function's own), which the engine's dispatcher calls.
// Every call is checked against the
// state machine role's policy, may be failed by --fault, and returns what Step Functions returns.
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundlePaths } from '../../workflow/names.ts';
import type { BridgeOptions, StandInFunction, TaskHandler } from '../contracts.ts';
import { classifyResource, isJsonataExpression } from '../../engine/index.ts';
import { isObject } from '../../workflow/json.ts';
import { forEachState } from '../definition.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { createLocalClients, LOCAL_CREDENTIALS } from '../services/emulators.ts';
import { withDirectSends } from '../services/direct-client.ts';
import { checkFaultTargets, createFaultInjectors, type EntryFaults } from './faults.ts';
import { isAllowed, roleArn, stateMachinePrincipal } from '../services/iam.ts';
import { messagesSent } from '../cli/progress.ts';
import { createLambdaRunner, describedFunctionSettings, LAMBDA_DEFAULTS, type FunctionSettings } from '../services/lambda-runner.ts';
import type { CallContext, ServiceCall } from './context.ts';
import { ManagedRuleDenied, UnsupportedResource, type IntegrationStyle } from './errors.ts';
import { createFunctionLookup, functionAddress, functionResourceTask, isFunctionArn } from './lambda.ts';
import { recordHttpResponses } from './response.ts';
import { LIST_READER_RESOURCE } from './s3.ts';
import { managedRulePermissions, NEEDS_EXECUTIONS } from './states.ts';
import { readerConfigProblem, type ReaderConfig } from './s3-items.ts';
import type { FunctionLookup, LocalFunction, ServiceDescriptor } from './service.ts';
import { SERVICES } from './services.ts';

export { ManagedRuleDenied, TaskFailure, UnsupportedResource } from './errors.ts';
// What the run, the CLI, the emulators' door and the benchmarks use of the bridge: its front door is this file.
export { createFaultLedger, InvalidFaultSpec, parseFault } from './faults.ts';
export { functionAddress } from './lambda.ts';
export { parseJsonLines, resultWriterObjects, type ResultWriterParameters } from './s3-objects.ts';
export { EMULATED_PERMISSIONS } from './services.ts';

interface Integration {
  service: ServiceDescriptor;
  style: IntegrationStyle;
  action: string;
  /** The integration pattern as written (`.sync`, `.sync:2`, `.waitForTaskToken`), if any. */
  pattern?: string;
  /** Set when the Resource is a Lambda function's ARN itself: an Invoke whose result is the function's own. */
  functionArn?: string;
}

interface TaskState {
  name: string;
  resource: unknown;
  parameters: unknown;
}

/** Every Task state, those inside Parallel branches and Map iterations included. */
export function taskStates(definition: unknown): TaskState[] {
  const found: TaskState[] = [];
  forEachState(definition, (name, state) => {
    // JSONPath states name their parameters Parameters; JSONata states, Arguments.
    if (state.Type === 'Task') found.push({ name, resource: state.Resource, parameters: state.Parameters ?? state.Arguments });
  });
  return found;
}

const RESOURCE = /^arn:aws:states:::(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\..+)?$/;

/** The services a Task state calls, by name; adding one is its descriptor and its entry in services.ts. */
const INTEGRATIONS = new Map(SERVICES.filter((service) => service.call).map((service) => [service.name, service]));

const LAMBDA = INTEGRATIONS.get('lambda')!;
const STATES = INTEGRATIONS.get('states')!;
const SFN = INTEGRATIONS.get('sfn')!;

const SUPPORTED = [
  'the function ARN itself (a function of the description)',
  ...[...INTEGRATIONS.values()].filter((service) => service.optimized.length > 0).map((service) => `arn:aws:states:::${service.name}:${service.optimized.join('|')}`),
  ...[...INTEGRATIONS.values()].filter((service) => service.sdkAction).map((service) => `arn:aws:states:::aws-sdk:${service.name}:<action>`),
].join(', ');

/** Whether a Task's `.waitForTaskToken` runs offline: every aws-sdk integration's, and the optimized actions its descriptor names. */
function takesTaskToken(style: IntegrationStyle, service: ServiceDescriptor | undefined, action: string): boolean {
  return style === 'sdk' || (service?.taskToken?.includes(action) ?? false);
}

/** Whether the pattern a Resource names runs offline for this action. */
function runsPattern(pattern: string, style: IntegrationStyle, service: ServiceDescriptor | undefined, action: string): boolean {
  if (pattern === '.waitForTaskToken') return takesTaskToken(style, service, action);
  return (pattern === '.sync' || pattern === '.sync:2') && style === 'optimized' && (service?.sync?.includes(action) ?? false);
}

const optimizedWith = (actions: (service: ServiceDescriptor) => readonly string[] | undefined) =>
  [...INTEGRATIONS.values()].flatMap((service) => (actions(service) ?? []).map((action) => `${service.name}:${action}`)).join(', ');

const PATTERNS = `offline, tasks run request-response, .waitForTaskToken (${optimizedWith((service) => service.taskToken)}, aws-sdk) or .sync and .sync:2 (${optimizedWith((service) => service.sync)}) only`;

/** What a user can do about a resource the bridge cannot call: answer its state from a mock configuration. */
const MOCK_HINT =
  'answer the state from a mock configuration instead: --mock-config FILE --test-case NAME on the CLI, or SFN_MOCK_CONFIG and StartExecution of <stateMachineArn>#<TestCase> on the endpoint';

function parseResource(task: TaskState): Integration {
  const unsupported = (why: string) =>
    new UnsupportedResource(`state "${task.name}": resource ${JSON.stringify(task.resource)} ${why}; ${MOCK_HINT}`);
  if (typeof task.resource === 'string' && isFunctionArn(task.resource)) {
    return { service: LAMBDA, style: 'optimized', action: 'invoke', functionArn: task.resource };
  }
  const match = typeof task.resource === 'string' ? RESOURCE.exec(task.resource) : null;
  const [, sdkPrefix, service = '', action = '', pattern] = match ?? [];
  const integration = INTEGRATIONS.get(service);
  const style: IntegrationStyle = sdkPrefix ? 'sdk' : 'optimized';
  // The callback pattern makes the same call, with the token in its arguments; the engine waits for the answer.
  if (pattern && !runsPattern(pattern, style, integration, action)) {
    throw unsupported(`uses the ${pattern} integration pattern; ${PATTERNS}`);
  }
  const patterned = pattern === undefined ? {} : { pattern };
  if (integration) {
    // aws-sdk actions are camelCase API names, as Step Functions requires.
    if (sdkPrefix && integration.sdkAction && /^[a-z]/.test(action)) {
      if (integration.sdkAction(action)) return { service: integration, style: 'sdk', action, ...patterned };
      throw unsupported(`is not supported offline: the local ${integration.name} does not answer ${action}`);
    }
    if (!sdkPrefix && integration.optimized.includes(action)) return { service: integration, style: 'optimized', action, ...patterned };
  }
  throw unsupported(`is not supported offline; supported: ${SUPPORTED}`);
}

// Only the functions of the lookup run offline; a function named in the definition itself is checked before the run.
// With acceptMissing (the endpoint, as AWS), a function that is not here fails its call at run time instead.
function checkLambdaTask(task: TaskState, integration: Integration, functions: FunctionLookup, acceptMissing = false): void {
  const runs = `offline, only these functions run: ${functions.known.join(', ')}`;
  if (integration.functionArn !== undefined) {
    if (acceptMissing || functions.find(integration.functionArn)) return;
    throw new UnsupportedResource(`state "${task.name}": resource "${integration.functionArn}" names a function that is not here; ${runs}`);
  }
  // Arguments computed by one JSONata expression are known only when the state runs.
  if (isJsonataExpression(task.parameters)) return;
  const parameters = isObject(task.parameters) ? task.parameters : {};
  const refuse = (why: string) => new UnsupportedResource(`state "${task.name}": lambda:invoke ${why}`);
  const { FunctionName: functionName, InvocationType: invocationType } = parameters;
  if (functionName === undefined && !('FunctionName.$' in parameters)) throw refuse('needs a FunctionName');
  const literal = typeof functionName === 'string' && !isJsonataExpression(functionName);
  if (literal && !acceptMissing && !functions.find(functionName)) throw refuse(`calls ${functionName}; ${runs}`);
  if (invocationType !== undefined && invocationType !== 'RequestResponse') {
    throw refuse(`has InvocationType ${JSON.stringify(invocationType)}; offline, only RequestResponse runs`);
  }
}

function reported(task: TaskState, integration: { service: string; action: string }, call: TaskHandler, options: BridgeOptions): TaskHandler {
  const { onCall } = options;
  const record = (started: number, outcome: { error: string } | { sent: number }) =>
    onCall?.({
      state: task.name,
      resource: String(task.resource),
      service: integration.service,
      action: integration.action,
      ms: performance.now() - started,
      ...outcome,
    });
  // A chain on the call's promise rather than an async function around it: no async frame to keep on every call.
  return (input, dispatched) => {
    const started = performance.now();
    let pending: Promise<unknown>;
    try {
      pending = call(input, dispatched);
    } catch (error) {
      pending = Promise.reject(error as Error);
    }
    return pending.then(
      (output) => {
        record(started, { sent: messagesSent(integration.service, integration.action, output) });
        return output;
      },
      (error: unknown) => {
        record(started, { error: error instanceof Error ? error.name : String(error) });
        throw error;
      },
    );
  };
}

/**
 * A batch call under a failed-entries fault (SQS's): the entries it fails are left out of the call
 * and added to its result's Failed list, as SQS answers a batch that partly failed. A batch whose
 * every entry fails makes no call (SQS refuses an empty batch) and answers with Failed alone.
 */
function withFailedEntries(call: ServiceCall, service: string, action: string, entryFaults: EntryFaults): ServiceCall {
  return async (params) => {
    if (!Array.isArray(params.Entries)) return call(params);
    const { send, failed } = entryFaults(service, action, params.Entries);
    if (failed.length === 0) return call(params);
    const result = (send.length === 0 ? { Successful: [] } : await call({ ...params, Entries: send })) as { Failed?: unknown[] };
    return { ...result, Failed: [...(result.Failed ?? []), ...failed] };
  };
}

/** Every function of the description, each run from its esbuild bundle; throws MissingBundle if one is absent. */
function describedFunctions(options: BridgeOptions): LocalFunction[] {
  const { resources, endpoints, distDir, functionPolicies, bundles = {}, signal } = options;
  return resources.app.functions.map((fn) => {
    const settings = describedFunctionSettings(resources, fn.name);
    const bundlePath = bundles[fn.name] ?? join(distDir, fn.name, basename(bundlePaths(fn.name).bundleFile));
    const policy = functionPolicies[fn.name] ?? [];
    return { arn: settings.arn, runner: createLambdaRunner({ bundlePath, resources, endpoints, policy, settings, ...(signal ? { signal } : {}) }) };
  });
}

/** The runtime a stand-in reports: Lambda's current Node.js one. */
const STAND_IN_RUNTIME = 'nodejs22.x';

/**
 * A --lambda stand-in, run as a function of Lambda's default settings under a role of its own
 * that grants nothing: any AWS call it makes is denied, as an ungranted role's would be.
 */
function standInFunction(standIn: StandInFunction, options: BridgeOptions): LocalFunction {
  const { resources, endpoints, signal } = options;
  const { unqualifiedArn } = functionAddress(standIn.nameOrArn, resources);
  const name = unqualifiedArn.split(':')[6]!;
  const settings: FunctionSettings = {
    name,
    arn: unqualifiedArn,
    roleName: `${name}-role`,
    logGroup: `/aws/lambda/${name}`,
    handler: 'index.handler',
    runtime: STAND_IN_RUNTIME,
    memorySize: LAMBDA_DEFAULTS.memorySize,
    timeoutSeconds: LAMBDA_DEFAULTS.timeoutSeconds,
    environment: {},
  };
  const runner = createLambdaRunner({ bundlePath: standIn.modulePath, resources, endpoints, policy: [], settings, ...(signal ? { signal } : {}) });
  const { onStandInInvoked } = options;
  if (onStandInInvoked === undefined) return { arn: unqualifiedArn, runner };
  return {
    arn: unqualifiedArn,
    runner: {
      invoke(event, invokeOptions) {
        onStandInInvoked(standIn.nameOrArn);
        return runner.invoke(event, invokeOptions);
      },
    },
  };
}

/** A Map state's ItemReader or ResultWriter: the dispatcher calls it with the Map's name and its own resource. */
interface MapStorage {
  name: string;
  resource: string;
  /** An ItemReader's ReaderConfig. */
  readerConfig?: ReaderConfig;
}

function mapStorage(definition: unknown): MapStorage[] {
  const found: MapStorage[] = [];
  forEachState(definition, (name, state) => {
    if (state.Type !== 'Map') return;
    const reader = state.ItemReader;
    if (isObject(reader) && typeof reader.Resource === 'string') {
      found.push({ name, resource: reader.Resource, readerConfig: isObject(reader.ReaderConfig) ? reader.ReaderConfig : {} });
    }
    const writer = state.ResultWriter;
    if (isObject(writer) && typeof writer.Resource === 'string') found.push({ name, resource: writer.Resource });
  });
  return found;
}

/** The key of a Map's ItemReader or ResultWriter handler: a Map shares its name between both. */
function storageKey(stateName: string, resource: string): string {
  return `${stateName}\u0000${resource}`;
}

/**
 * A Task of Step Functions' (states:startExecution, aws-sdk:sfn) runs only where executions run
 * (stepFunctions); a `.sync` one only if the role may create the managed rule that watches the
 * child, which AWS checks when the state machine is created (ManagedRuleDenied).
 */
function checkNestedTasks(plans: { task: TaskState; integration: Integration }[], options: BridgeOptions, role: string): void {
  const { region, accountId } = options.resources;
  for (const { task, integration } of plans) {
    if (integration.service !== STATES && integration.service !== SFN) continue;
    if (!options.stepFunctions) throw new UnsupportedResource(`state "${task.name}": ${String(task.resource)} ${NEEDS_EXECUTIONS}`);
    if (!integration.pattern?.startsWith('.sync')) continue;
    for (const permission of managedRulePermissions(region, accountId)) {
      if (!permission.resources.every((rule) => isAllowed(options.stateMachinePolicy, permission.action, rule))) throw new ManagedRuleDenied(`'${role}' is not authorized to create managed-rule.`);
    }
  }
}

/** The handler for a dispatcher's call: a Map's ItemReader or ResultWriter by resource, a Task by state name. */
export function handlerFor(handlers: Record<string, TaskHandler>, call: { stateName: string; resource: string }): TaskHandler | undefined {
  return handlers[storageKey(call.stateName, call.resource)] ?? handlers[call.stateName];
}

/** The calls of a Map's ItemReader (getObject, listObjectsV2) and ResultWriter (putObject), by resource. */
const STORAGE_CALLS: Record<string, NonNullable<ServiceDescriptor['storage']>[string]> = Object.assign(
  {},
  ...SERVICES.map((service) => service.storage ?? {}),
);

/** The service and action a Map's ItemReader or ResultWriter calls, as --fault and the report name them. */
function storageTarget(resource: string): { service: string; action: string } {
  const owner = SERVICES.find((service) => service.storage !== undefined && Object.hasOwn(service.storage, resource));
  const [service = '', action = ''] = resource.split(':').slice(5);
  return { service: owner?.name ?? service, action };
}

function storageHandler(storage: MapStorage, client: S3Client | undefined, context: CallContext): TaskHandler {
  const known = Object.keys(STORAGE_CALLS);
  if (!known.includes(storage.resource)) {
    throw new UnsupportedResource(`state "${storage.name}": resource ${JSON.stringify(storage.resource)} is not supported offline; supported: ${known.join(', ')}`);
  }
  if (storage.readerConfig !== undefined) {
    const problem = readerConfigProblem(storage.readerConfig, storage.resource === LIST_READER_RESOURCE ? 'listObjectsV2' : 'getObject');
    if (problem !== undefined) throw new UnsupportedResource(`state "${storage.name}": ItemReader ${problem}`);
  }
  if (client === undefined) throw new UnsupportedResource(`state "${storage.name}": ${storage.resource} needs a bucket, and the application has none`);
  const call = STORAGE_CALLS[storage.resource]!(client, context);
  return (input) => call(isObject(input) ? input : {});
}

/** Whether a Task of the definition invokes a function, which a run then runs in a container (services/lambda-container.ts). */
export function invokesFunctions(definition: unknown): boolean {
  return taskStates(definition).some((task) => {
    try {
      return parseResource(task).service === LAMBDA;
    } catch {
      // A resource the bridge refuses is named when the run builds its handlers.
      return false;
    }
  });
}

/**
 * Handlers keyed by state name (a Map's ItemReader and ResultWriter by handlerFor's key). Throws UnsupportedResource, naming the state, before anything
 * runs if a Task calls something the bridge cannot; MissingBundle if a function's bundle is absent.
 */
export function createTaskHandlers(definition: unknown, options: BridgeOptions): Record<string, TaskHandler> {
  const { resources } = options;
  // A state a mock configuration answers needs no integration here: the mocking dispatcher answers it.
  const mocked = (task: TaskState) => options.mockedStates?.has(task.name) === true;
  // An activity's task is taken by a worker (GetActivityTask), not called.
  const calls = taskStates(definition).filter((task) => typeof task.resource !== 'string' || classifyResource(task.resource).kind !== 'activity');
  const plans = calls.flatMap((task) => {
    try {
      return [{ task, integration: parseResource(task) }];
    } catch (error) {
      if (error instanceof UnsupportedResource && mocked(task)) return [];
      throw error;
    }
  });
  const lambdaPlans = plans.filter(({ integration }) => integration.service === LAMBDA);
  // The functions' runners, and so their bundles, are needed only when a Task may invoke one.
  const functions = createFunctionLookup(
    lambdaPlans.length > 0 ? [...describedFunctions(options), ...(options.functions ?? []).map((fn) => standInFunction(fn, options))] : [],
    resources,
  );
  for (const { task, integration } of lambdaPlans) {
    if (!mocked(task)) checkLambdaTask(task, integration, functions, options.acceptMissingFunctions);
  }
  const storageEntries = mapStorage(definition).map((entry) => ({ entry, integration: storageTarget(entry.resource) }));
  const targets = plans.map(({ integration }) => ({ service: integration.service.name, action: integration.action }));
  checkFaultTargets(options.faults, [...targets, ...storageEntries.map(({ integration }) => integration)]);
  const running = resources.stateMachines[resources.workflow.name]!;
  const role = options.roleArn ?? roleArn(resources.accountId, running.role);
  checkNestedTasks(plans.filter(({ task }) => !mocked(task)), options, role);
  const shared: Omit<CallContext, 'injectFault'> = {
    resources,
    policy: options.stateMachinePolicy,
    principalArn: stateMachinePrincipal(role, options.stateMachineName ?? running.stateMachine),
  };
  const clients = createLocalClients(resources.region, options.endpoints);
  recordHttpResponses(clients.dynamodb);
  recordHttpResponses(clients.sqs);
  // The state machine's own calls reach the emulators without the SDK's wire work (direct-client.ts).
  withDirectSends(clients);

  const faultsFor = createFaultInjectors(options.faults, options.onFault);
  const s3 = options.endpoints.s3 === undefined
    ? undefined
    : new S3Client({ region: resources.region, endpoint: options.endpoints.s3, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  const { stepFunctions, messaging } = options;
  const callFor = (state: string, { service, style, action, pattern, functionArn }: Integration): TaskHandler => {
    const context: CallContext = { ...shared, injectFault: faultsFor(state, style) };
    if (functionArn !== undefined) return functionResourceTask(functions, functionArn, context);
    const serviceCall = service.call!({
      style, action, clients, functions, context,
      ...(pattern ? { pattern } : {}), ...(stepFunctions ? { stepFunctions } : {}), ...(s3 ? { s3 } : {}), ...(messaging ? { messaging } : {}),
    });
    const call = service.faults.failedEntries?.(action) ? withFailedEntries(serviceCall, service.name, action, faultsFor.entries(state)) : serviceCall;
    // A service integration takes an object of parameters; any other input calls it with none.
    return (input, dispatched) => call(isObject(input) ? input : {}, dispatched);
  };
  const storage = storageEntries.map(({ entry, integration }): [string, TaskHandler] => {
    const task: TaskState = { name: entry.name, resource: entry.resource, parameters: undefined };
    const handler = storageHandler(entry, s3, { ...shared, injectFault: faultsFor(entry.name) });
    return [storageKey(entry.name, entry.resource), reported(task, integration, handler, options)];
  });
  return Object.fromEntries([
    ...plans.map(({ task, integration }, i): [string, TaskHandler] => [task.name, reported(task, targets[i]!, callFor(task.name, integration), options)]),
    ...storage,
  ]);
}

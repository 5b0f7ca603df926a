// The service-integration bridge: one local handler per Task state, chosen by its Resource ARN,
// for aws-local-stepfunctions' taskResourceLocalHandlers. Every call is checked against the
// state machine role's policy, may be failed by --fault, and returns what Step Functions returns.
import { performance } from 'node:perf_hooks';
import { createClients } from '../../workflow/clients.ts';
import type { BridgeOptions, TaskHandler } from '../contracts.ts';
import { forEachState, isObject } from '../definition.ts';
import { LOCAL_CREDENTIALS } from '../emulators.ts';
import { checkFaultTargets, createFaultInjectors } from '../faults.ts';
import { assumedRoleArn } from '../iam.ts';
import { createLambdaRunner } from '../lambda-runner.ts';
import type { CallContext, ServiceCall } from './context.ts';
import { dynamodbTask, isDynamoDbAction, OPTIMIZED_DYNAMODB_ACTIONS } from './dynamodb.ts';
import { UnsupportedResource, type IntegrationStyle } from './errors.ts';
import { isSeedFunction, lambdaTask } from './lambda.ts';
import { recordHttpResponses } from './response.ts';
import { isSqsAction, OPTIMIZED_SQS_ACTIONS, sqsTask } from './sqs.ts';

export { TaskFailure, UnsupportedResource } from './errors.ts';

type Service = 'dynamodb' | 'lambda' | 'sqs';

interface Integration {
  service: Service;
  style: IntegrationStyle;
  action: string;
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
    if (state.Type === 'Task') found.push({ name, resource: state.Resource, parameters: state.Parameters });
  });
  return found;
}

const SUPPORTED =
  'arn:aws:states:::lambda:invoke (the seed function), arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem, ' +
  'arn:aws:states:::sqs:sendMessage, arn:aws:states:::aws-sdk:dynamodb:<action>, arn:aws:states:::aws-sdk:sqs:<action>';

const RESOURCE = /^arn:aws:states:::(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\..+)?$/;

// What each service offers: its optimized actions, and whether an aws-sdk action exists.
const OPTIMIZED: Record<Service, string[]> = {
  dynamodb: OPTIMIZED_DYNAMODB_ACTIONS,
  lambda: ['invoke'],
  sqs: OPTIMIZED_SQS_ACTIONS,
};
const SDK_ACTION: Partial<Record<Service, (action: string) => boolean>> = {
  dynamodb: isDynamoDbAction,
  sqs: isSqsAction,
};

function isService(name: string): name is Service {
  return Object.hasOwn(OPTIMIZED, name);
}

function parseResource(task: TaskState): Integration {
  const unsupported = (why: string) =>
    new UnsupportedResource(`state "${task.name}": resource ${JSON.stringify(task.resource)} ${why}`);
  const match = typeof task.resource === 'string' ? RESOURCE.exec(task.resource) : null;
  const [, sdkPrefix, service = '', action = '', pattern] = match ?? [];
  if (pattern) throw unsupported(`uses the ${pattern} integration pattern; offline, tasks run request-response only`);
  if (isService(service)) {
    // aws-sdk actions are camelCase API names, as Step Functions requires.
    const sdkAction = SDK_ACTION[service];
    if (sdkPrefix && sdkAction && /^[a-z]/.test(action) && sdkAction(action)) return { service, style: 'sdk', action };
    if (!sdkPrefix && OPTIMIZED[service].includes(action)) return { service, style: 'optimized', action };
  }
  throw unsupported(`is not supported offline; supported: ${SUPPORTED}`);
}

// Only the seed function's bundle exists locally; a literal name can be checked before the run.
function checkLambdaParameters(task: TaskState, options: BridgeOptions): void {
  const parameters = isObject(task.parameters) ? task.parameters : {};
  const refuse = (why: string) => new UnsupportedResource(`state "${task.name}": lambda:invoke ${why}`);
  const { FunctionName: functionName, InvocationType: invocationType } = parameters;
  if (functionName === undefined && !('FunctionName.$' in parameters)) throw refuse('needs Parameters.FunctionName');
  if (typeof functionName === 'string' && !isSeedFunction(functionName, options.resources)) {
    throw refuse(`calls ${functionName}; offline, only the seed function ${options.resources.seedFunctionArn} runs`);
  }
  if (invocationType !== undefined && invocationType !== 'RequestResponse') {
    throw refuse(`has InvocationType ${JSON.stringify(invocationType)}; offline, only RequestResponse runs`);
  }
}

function reported(task: TaskState, integration: Integration, call: ServiceCall, options: BridgeOptions): TaskHandler {
  const { onCall } = options;
  const record = (started: number, error?: string) =>
    onCall?.({
      state: task.name,
      resource: String(task.resource),
      service: integration.service,
      action: integration.action,
      ms: performance.now() - started,
      ...(error === undefined ? {} : { error }),
    });
  return async (input) => {
    const started = performance.now();
    try {
      const output = await call(isObject(input) ? input : {});
      record(started);
      // Every integration returns JSON: SDK output passed through toJson, or a Lambda payload after its JSON round trip.
      return output as Awaited<ReturnType<TaskHandler>>;
    } catch (error) {
      record(started, error instanceof Error ? error.name : String(error));
      throw error;
    }
  };
}

/**
 * Handlers keyed by state name. Throws UnsupportedResource, naming the state, before anything
 * runs if a Task calls something the bridge cannot; MissingBundle if the seed bundle is absent.
 */
export function createTaskHandlers(definition: unknown, options: BridgeOptions): Record<string, TaskHandler> {
  const plans = taskStates(definition).map((task) => {
    const integration = parseResource(task);
    if (integration.service === 'lambda') checkLambdaParameters(task, options);
    return { task, integration };
  });
  checkFaultTargets(options.faults, plans.map(({ integration }) => integration));
  const { resources } = options;
  const shared: Omit<CallContext, 'injectFault'> = {
    resources,
    policy: options.stateMachinePolicy,
    principalArn: assumedRoleArn(resources.accountId, resources.names.stateMachineRole, resources.names.stateMachine),
  };
  const clients = createClients({ region: resources.region, endpoints: options.endpoints, credentials: LOCAL_CREDENTIALS });
  recordHttpResponses(clients.dynamodb);
  recordHttpResponses(clients.sqs);
  const lambda = plans.some(({ integration }) => integration.service === 'lambda')
    ? createLambdaRunner({
        bundlePath: options.bundlePath,
        resources,
        endpoints: options.endpoints,
        policy: options.lambdaPolicy,
      })
    : undefined;

  const faultsFor = createFaultInjectors(options.faults, options.onFault);
  const callFor = (state: string, { service, style, action }: Integration): ServiceCall => {
    const context: CallContext = { ...shared, injectFault: faultsFor(state) };
    if (service === 'dynamodb') return dynamodbTask(style, action, clients.dynamodb, context);
    if (service === 'sqs') return sqsTask(style, action, clients.sqs, context);
    return lambdaTask(lambda!, context);
  };
  return Object.fromEntries(
    plans.map(({ task, integration }) => [task.name, reported(task, integration, callFor(task.name, integration), options)]),
  );
}

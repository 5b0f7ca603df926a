// The local Step Functions endpoint: an HTTP server on loopback speaking AWS's protocol, whose
// executions run on the engine against the running emulators. The project's workflows are
// registered under their deployed names and roles, so they can be started at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DIST_DIR } from '../../workflow/names.ts';
import type { TaskTokens } from '../../engine/index.ts';
import type { LocalEnvironment, StepFunctionsApi } from '../contracts.ts';
import { loadDefinition, previewVars, renderDefinition } from '../definition.ts';
import { roleArn } from '../services/iam.ts';
import type { MockConfig, TokenAnswers } from '../host/mock-config.ts';
import { ROOT } from '../root.ts';
import { createActivityStore, type ActivityStore } from './activities.ts';
import { createExecutionStore, type ExecutionStore } from './executions.ts';
import { loopbackOnly } from './host.ts';
import { eventsOperations, EVENTS_PROTOCOL, isEventsRequest } from './events-json.ts';
import { iamQueryService } from './iam-query.ts';
import { isQueryRequest, queryHandler } from './query-protocol.ts';
import { snsQueryService } from './sns-query.ts';
import { createRoleStore, type RoleStore } from './iam-roles.ts';
import { createOperations, type Operation } from './operations.ts';
import { protocolHandler } from './protocol.ts';
import { createStateMachineStore, type StateMachineStore } from './state-machines.ts';
import { TaskTokenRegistry } from './task-tokens.ts';

/** Only this machine can reach the endpoint: it runs code and calls the emulators as the project's roles. */
export const LOOPBACK = '127.0.0.1';

export interface StepFunctionsOptions {
  env: LocalEnvironment;
  /** The finished executions kept (DEFAULT_RETAINED_EXECUTIONS unless given); the earliest finished are forgotten. */
  retainedExecutions?: number;
  /** The executions that may run at once (DEFAULT_MAX_RUNNING_EXECUTIONS unless given); past it StartExecution answers ExecutionLimitExceeded. */
  maxRunningExecutions?: number;
  /** Step Functions Local's mock configuration (SFN_MOCK_CONFIG), whose test cases `<stateMachineArn>#<TestCase>` runs. */
  mockConfig?: MockConfig;
  /** The task tokens the executions hand out; the endpoint's own registry (SendTask*) unless given (a CLI run's). */
  taskTokens?: TaskTokens & TokenAnswers;
}

export interface ApiServerOptions extends Omit<StepFunctionsOptions, 'taskTokens'> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where unexpected errors go; the request still gets a 500 in AWS's shape. */
  onInternalError?: (error: Error) => void;
}

/** Step Functions in process: its stores and operations, with the application's workflows registered. */
export interface LocalStepFunctions {
  machines: StateMachineStore;
  executions: ExecutionStore;
  activities: ActivityStore;
  /** The IAM roles: the stack's, and those made with CreateRole on this endpoint. */
  roles: RoleStore;
  operations: Record<string, Operation>;
  /** The operations as a `states:startExecution` Task calls them. */
  api: StepFunctionsApi;
  /** The environment's workflow (WORKFLOW=…), as registered; the others are registered too. */
  workflowArn: string;
  /** Stops the executions in flight (ABORTED) and waits for their calls. */
  stop(): Promise<void>;
}

export interface ApiServer extends Omit<LocalStepFunctions, 'operations' | 'api'> {
  endpoint: string;
  /** Stops the executions in flight (ABORTED), waits for their calls, then closes the server. */
  stop(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const stepFunctions = await createStepFunctions(options);
  const onInternalError = options.onInternalError ?? ((error: Error) => console.error(error));
  const handler = protocolHandler(stepFunctions.operations, onInternalError);
  // IAM and SNS share the port: their clients send form-encoded query requests (told apart by
  // Version); EventBridge's send JSON to AWSEvents targets, Step Functions' to AWSStepFunctions.
  const { messaging } = options.env;
  const query = queryHandler([iamQueryService(stepFunctions.roles), snsQueryService(messaging.sns)], onInternalError);
  const events = protocolHandler(eventsOperations(messaging.events), onInternalError, EVENTS_PROTOCOL);
  const server = createServer(
    loopbackOnly((request, response) => {
      if (isQueryRequest(request)) return query(request, response);
      return isEventsRequest(request.headers['x-amz-target']) ? events(request, response) : handler(request, response);
    }),
  );
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const { operations: _operations, api: _api, ...stores } = stepFunctions;
  return {
    ...stores,
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: async () => {
      await stepFunctions.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The endpoint's Step Functions without its port: a `states:startExecution` Task's children start
 * through these operations, as AWS's integration calls Step Functions' API.
 */
export async function createStepFunctions(options: StepFunctionsOptions): Promise<LocalStepFunctions> {
  const { env } = options;
  const fromRoot = (path: string) => join(ROOT, path);
  // Stopping tells the functions still running that no time is left, so that stop() does not wait out their work.
  const stopping = new AbortController();
  const { mockConfig } = options;
  // The user's roles are looked up when a state machine names one (after both stores exist); the
  // role store knows the stack's roles from the machines' store.
  // Called only while an execution runs, once the operations exist.
  const api: StepFunctionsApi = {
    call: async (operation, body) => (await operations[operation]!(body)) as Record<string, unknown>,
    ended: (arn) => executions.get(arn).done,
  };
  const machines = createStateMachineStore({
    env,
    distDir: fromRoot(DIST_DIR),
    signal: stopping.signal,
    ...(mockConfig ? { mockConfig } : {}),
    userRoles: (arn) => roles.assumable(arn),
    stepFunctions: api,
  });
  const roles = createRoleStore({ accountId: env.resources.accountId, region: env.resources.region, stackRoles: machines.stackRoles });
  const { resources } = env;
  const activities = createActivityStore(resources.region, resources.accountId);
  const tokens = new TaskTokenRegistry({ activityExists: (arn) => activities.has(arn) });
  const executions = createExecutionStore({
    ...(options.retainedExecutions === undefined ? {} : { retained: options.retainedExecutions }),
    ...(options.maxRunningExecutions === undefined ? {} : { maxRunning: options.maxRunningExecutions }),
    taskTokens: options.taskTokens ?? tokens,
  });
  // Every workflow of the application, under its deployed name and role, as `make deploy` leaves them.
  const arns: Record<string, string> = {};
  for (const workflow of resources.app.workflows) {
    const template = await loadDefinition(fromRoot(workflow.definition), previewVars(resources.app, workflow));
    const names = resources.stateMachines[workflow.name]!;
    arns[workflow.name] = machines.create({
      name: names.stateMachine,
      type: workflow.type,
      definition: JSON.stringify(renderDefinition(template, resources.workflowVars[workflow.name]!), null, 2),
      roleArn: roleArn(resources.accountId, names.role),
    }).arn;
  }
  const operations = createOperations({ machines, executions, tokens, activities, stopping: stopping.signal, ...(mockConfig ? { mockConfig } : {}) });
  return {
    machines,
    executions,
    activities,
    roles,
    operations,
    api,
    workflowArn: arns[resources.workflow.name]!,
    stop: async () => {
      stopping.abort();
      await executions.stopAll();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

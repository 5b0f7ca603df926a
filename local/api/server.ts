// The local Step Functions endpoint: an HTTP server on loopback speaking AWS's protocol, whose
// executions run on the engine against the running emulators. The project's workflows are
// registered under their deployed names and roles, so they can be started at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_DIR } from '../../workflow/names.ts';
import type { LocalEnvironment } from '../contracts.ts';
import { loadDefinition, previewVars, renderDefinition } from '../definition.ts';
import { roleArn } from '../services/iam.ts';
import type { MockConfig } from '../host/mock-config.ts';
import { createActivityStore, type ActivityStore } from './activities.ts';
import { createExecutionStore, type ExecutionStore } from './executions.ts';
import { loopbackOnly } from './host.ts';
import { eventsOperations, EVENTS_PROTOCOL, isEventsRequest } from './events-json.ts';
import { iamQueryService } from './iam-query.ts';
import { isQueryRequest, queryHandler } from './query-protocol.ts';
import { snsQueryService } from './sns-query.ts';
import { createRoleStore, type RoleStore } from './iam-roles.ts';
import { createOperations } from './operations.ts';
import { protocolHandler } from './protocol.ts';
import { createStateMachineStore, type StateMachineStore } from './state-machines.ts';
import { TaskTokenRegistry } from './task-tokens.ts';

/** Only this machine can reach the endpoint: it runs code and calls the emulators as the project's roles. */
export const LOOPBACK = '127.0.0.1';

/** The repository, from this file's place in it. */
const OWN_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ApiServerOptions {
  env: LocalEnvironment;
  /** The repository root, for the workflow's ASL file and the bundles: a bundled caller passes its own. */
  root?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The finished executions kept (DEFAULT_RETAINED_EXECUTIONS unless given); the earliest finished are forgotten. */
  retainedExecutions?: number;
  /** Where unexpected errors go; the request still gets a 500 in AWS's shape. */
  onInternalError?: (error: Error) => void;
  /** Step Functions Local's mock configuration (SFN_MOCK_CONFIG), whose test cases `<stateMachineArn>#<TestCase>` runs. */
  mockConfig?: MockConfig;
}

export interface ApiServer {
  endpoint: string;
  machines: StateMachineStore;
  executions: ExecutionStore;
  activities: ActivityStore;
  /** The IAM roles: the stack's, and those made with CreateRole on this endpoint. */
  roles: RoleStore;
  /** The environment's workflow (WORKFLOW=…), as registered; the others are registered too. */
  workflowArn: string;
  /** Stops the executions in flight (ABORTED), waits for their calls, then closes the server. */
  stop(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { env } = options;
  const fromRoot = (path: string) => join(options.root ?? OWN_ROOT, path);
  // Stopping tells the functions still running that no time is left, so that stop() does not wait out their work.
  const stopping = new AbortController();
  const { mockConfig } = options;
  // The user's roles are looked up when a state machine names one (after both stores exist); the
  // role store knows the stack's roles from the machines' store.
  const machines = createStateMachineStore({
    env,
    distDir: fromRoot(DIST_DIR),
    signal: stopping.signal,
    ...(mockConfig ? { mockConfig } : {}),
    userRoles: (arn) => roles.assumable(arn),
  });
  const roles = createRoleStore({ accountId: env.resources.accountId, region: env.resources.region, stackRoles: machines.stackRoles });
  const { resources } = env;
  const activities = createActivityStore(resources.region, resources.accountId);
  const tokens = new TaskTokenRegistry({ activityExists: (arn) => activities.has(arn) });
  const executions = createExecutionStore({ ...(options.retainedExecutions === undefined ? {} : { retained: options.retainedExecutions }), taskTokens: tokens });
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
  const onInternalError = options.onInternalError ?? ((error: Error) => console.error(error));
  const stepFunctions = protocolHandler(operations, onInternalError);
  // IAM and SNS share the port: their clients send form-encoded query requests (told apart by
  // Version); EventBridge's send JSON to AWSEvents targets, Step Functions' to AWSStepFunctions.
  const query = queryHandler([iamQueryService(roles), snsQueryService(env.messaging.sns)], onInternalError);
  const events = protocolHandler(eventsOperations(env.messaging.events), onInternalError, EVENTS_PROTOCOL);
  const server = createServer(
    loopbackOnly((request, response) => {
      if (isQueryRequest(request)) return query(request, response);
      return isEventsRequest(request.headers['x-amz-target']) ? events(request, response) : stepFunctions(request, response);
    }),
  );
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    machines,
    executions,
    activities,
    roles,
    workflowArn: arns[resources.workflow.name]!,
    stop: async () => {
      stopping.abort();
      await executions.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
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

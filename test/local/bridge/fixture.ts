// What the bridge tests that reach the emulators share: one environment per suite, the options
// they build handlers with, and a way to call a handler with plain test objects.
import { createClients, type Clients } from '../../../execution/clients.ts';
import type { BridgeOptions, LocalEnvironment, TaskHandler } from '../../../local/contracts.ts';
import { createTaskHandlers } from '../../../local/bridge/index.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { localPolicies } from '../../../local/services/iam.ts';
import { lambdaFixtureBundle } from '../../fixtures/lambda/bundle.ts';

/** A task handler called with plain test objects; the engine passes it JSON values. */
export type Task = (input: object) => Promise<unknown>;

export const callable =
  (handler: TaskHandler | undefined): Task =>
  async (input) =>
    handler!(input as Parameters<TaskHandler>[0]);

/** A result that carries the HTTP metadata of its call. */
export interface WithMetadata {
  [member: string]: unknown;
  SdkHttpMetadata: { HttpStatusCode: number; HttpHeaders: Record<string, string>; AllHttpHeaders: Record<string, string[]> };
  SdkResponseMetadata: { RequestId: string };
}

/** The options the run gives the bridge on this environment: the workflow's own policies, no faults. */
export function bridgeOptions(env: LocalEnvironment, overrides: Partial<BridgeOptions> = {}): BridgeOptions {
  return {
    resources: env.resources,
    endpoints: env.endpoints,
    ...localPolicies(env.resources),
    faults: [],
    distDir: 'dist',
    bundles: {
      // Stands in for the seed bundle: its event picks what it does. Bundled when a Lambda task
      // first asks for it, so that the suites that invoke no function do not build it.
      get seed() {
        return lambdaFixtureBundle();
      },
    },
    ...overrides,
  };
}

/** The handler of a one-Task machine calling `resource`. */
export function taskHandler(env: LocalEnvironment, resource: string, overrides: Partial<BridgeOptions> = {}): Task {
  const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } };
  return callable(createTaskHandlers(definition, bridgeOptions(env, overrides)).T);
}

export interface SuiteEnvironment {
  env: LocalEnvironment;
  /** Clients without a role's session token: the emulators let their calls through. */
  clients: Clients;
}

/** Starts the emulators before the suite's tests and stops them after; read its fields inside hooks and tests. */
export function useLocalEnvironment(prefix: string): SuiteEnvironment {
  const suite = {} as SuiteEnvironment;
  before(async () => {
    suite.env = await startLocalEnvironment({ prefix });
    suite.clients = createClients({ region: suite.env.resources.region, endpoints: suite.env.endpoints, credentials: LOCAL_CREDENTIALS });
  });
  after(async () => {
    for (const client of Object.values(suite.clients ?? {})) client.destroy();
    await suite.env?.stop();
  });
  return suite;
}

// What an AWS CLI test file runs against: the emulators, the local endpoint, and a HOME of the
// file's own for the `aws` command, started before its tests and stopped after them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../local/api/server.ts';
import type { AwsCommandOptions } from '../../aws-command.ts';

export interface AwsCliEndpoint {
  readonly env: LocalEnvironment;
  readonly server: ApiServer;
  readonly home: string;
  /** The `aws` command's options: this HOME and region, and `endpoint` (the Step Functions endpoint's unless given). */
  options(endpoint?: string): AwsCommandOptions;
}

/** Registers mocha's before and after hooks of the calling describe; `serverOptions` adds to the endpoint's. */
export function awsCliEndpoint(prefix: string, serverOptions: () => Promise<Omit<ApiServerOptions, 'env'>> | Omit<ApiServerOptions, 'env'> = () => ({})): AwsCliEndpoint {
  let env: LocalEnvironment | undefined;
  let server: ApiServer | undefined;
  let home: string | undefined;

  before(async () => {
    env = await startLocalEnvironment({ prefix });
    server = await startApiServer({ env, ...(await serverOptions()) });
    home = await mkdtemp(join(tmpdir(), `${prefix}-home-`));
  });

  after(async () => {
    await server?.stop();
    await env?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  return {
    get env() {
      return env!;
    },
    get server() {
      return server!;
    },
    get home() {
      return home!;
    },
    options(endpoint) {
      return { home: home!, region: env!.resources.region, endpoint: endpoint ?? server!.endpoint };
    },
  };
}

// The AWS run client's tests against real protocol servers instead of a fake: the local Step
// Functions endpoint (local/api/) and the emulators (DynamoDB, SQS, S3), started in this process on
// ephemeral ports. The clients are real SDK clients; a spy on each `send` lets a test read back
// the commands that were sent, as AWS's own answers come back.
import sinon from 'sinon';
import { CreateStateMachineCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { StackOutputs } from '../../aws/outputs.ts';
import { startApiServer, type ApiServer } from '../../local/api/server.ts';
import type { LocalEnvironment } from '../../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { roleArn } from '../../local/services/iam.ts';
import { startLocalEnvironment } from '../../local/host/environment.ts';
import { inProcessTransport } from '../../local/services/in-process-transport.ts';
import { localOutputs } from '../../scripts/run-on-local-endpoint.ts';
import { createClients, type Clients } from '../../execution/clients.ts';

export interface LocalAws {
  env: LocalEnvironment;
  server: ApiServer;
  clients: Clients;
  /** Clients for the test's own setup and checks, outside the spies. */
  own: Clients;
  /** The deployed workflow's outputs, for the local stack. */
  outputs: StackOutputs;
  /** The commands sent through `clients` since the last reset. */
  sent: (service: keyof Clients) => object[];
  reset: () => void;
  /** Creates a state machine on the endpoint under the workflow's role; returns its ARN. */
  createMachine: (name: string, definition: object) => Promise<string>;
  /** Polls DescribeExecution (outside the spies) until the execution has ended. */
  finished: (executionArn: string) => Promise<void>;
  stop: () => Promise<void>;
}

/** Starts the emulators and the endpoint with `workflow` (transfer-records by default) registered under its deployed name. */
export async function startLocalAws(prefix: string, workflow?: string): Promise<LocalAws> {
  const env = await startLocalEnvironment({ prefix, ...(workflow === undefined ? {} : { workflow }) });
  const server = await startApiServer({ env });
  const { resources } = env;
  const options = { region: resources.region, endpoints: { ...env.endpoints, sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS, transportFor: inProcessTransport };
  const clients = createClients(options);
  // Test-side calls go through clients of their own, so the spies see only the code under test.
  const own = createClients(options);
  // A sandbox of its own: the tests' sinon.restore() leaves these spies in place.
  const sandbox = sinon.createSandbox();
  const spies = {
    sfn: sandbox.spy(clients.sfn, 'send'),
    dynamodb: sandbox.spy(clients.dynamodb, 'send'),
    sqs: sandbox.spy(clients.sqs, 'send'),
    s3: sandbox.spy(clients.s3, 'send'),
  };
  const stateMachineRole = roleArn(resources.accountId, resources.stateMachines[resources.workflow.name]!.role);
  return {
    env,
    server,
    clients,
    own,
    outputs: localOutputs(env, server.workflowArn),
    sent: (service) => spies[service].getCalls().map((call) => call.args[0] as object),
    reset: () => sandbox.resetHistory(),
    createMachine: async (name, definition) => {
      const created = await own.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: stateMachineRole }));
      return created.stateMachineArn!;
    },
    finished: async (executionArn) => {
      while ((await own.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: async () => {
      sandbox.restore();
      for (const client of [...Object.values(clients), ...Object.values(own)]) client.destroy();
      await server.stop();
      await env.stop();
    },
  };
}

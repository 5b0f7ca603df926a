// The endpoint's lifecycle: loopback only, and stopping it aborts the executions in flight.
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { DEFAULT_PORT, InvalidPort, parsePort, USAGE } from '../../../local/api/serve.ts';
import { LOOPBACK, startApiServer } from '../../../local/api/server.ts';
import { createClients } from '../../../execution/clients.ts';
import { entriesOf } from '../../fixtures/names.ts';

describe('local/api server', function () {
  this.timeout(30_000);

  it('listens on loopback only, and on stop aborts what runs, then refuses connections', async () => {
    const env = await startLocalEnvironment({ prefix: 'api-server' });
    try {
      const server = await startApiServer({ env });
      expect(new URL(server.endpoint).hostname).to.equal(LOOPBACK);
      const { sfn } = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS });
      const roleArn = entriesOf(env.resources).stateMachineRoleArn;
      const definition = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'long', definition, roleArn }));
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
      const started = Date.now();
      await server.stop();
      expect(Date.now() - started).to.be.below(5_000);
      const execution = server.executions.get(executionArn!);
      expect(execution.status).to.equal('ABORTED');
      expect(execution.events.at(-1)!.type).to.equal('ExecutionAborted');
      const refused = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((error: Error) => error);
      expect(refused).to.be.instanceOf(Error);
      sfn.destroy();
    } finally {
      await env.stop();
    }
  });

  it('reads PORT: the default, 0 for a free port, and refuses anything else', () => {
    expect(parsePort(undefined)).to.equal(DEFAULT_PORT);
    expect(parsePort('')).to.equal(DEFAULT_PORT);
    expect(parsePort('0')).to.equal(0);
    expect(parsePort('9001')).to.equal(9001);
    expect(() => parsePort('80a')).to.throw(InvalidPort);
    expect(() => parsePort('70000')).to.throw(InvalidPort);
  });

  it("names an option make serve's command does not take, with its usage, before anything starts", () => {
    // The bundle make serve runs (make test builds it first).
    const result = spawnSync(process.execPath, ['dist/local-serve.mjs', '--help'], { encoding: 'utf8' });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(`InvalidArguments: Unknown option '--help'\n${USAGE}\n`);
  });
});

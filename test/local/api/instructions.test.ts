// What `make serve` prints: every registered state machine with the role create-state-machine
// may name, and no pointer to a client that does not use this endpoint.
import { createServer } from 'node:net';
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { serveInstructions } from '../../../local/api/instructions.ts';
import { explainListenError, PortInUse } from '../../../local/api/serve.ts';
import { LOOPBACK, startApiServer } from '../../../local/api/server.ts';

describe('local/api serve banner', function () {
  this.timeout(30_000);

  it('lists each state machine with its role, and does not send make run TARGET=local to it', async () => {
    const env = await startLocalEnvironment({ prefix: 'api-banner' });
    try {
      const server = await startApiServer({ env });
      try {
        const banner = serveInstructions(env, server);
        const machines = server.machines.list();
        expect(machines.length).to.equal(env.resources.app.workflows.length);
        for (const machine of machines) {
          expect(banner).to.include(machine.arn);
          expect(banner).to.include(machine.roleArn);
        }
        expect(banner).to.match(/create-state-machine --role-arn takes one of these roles/);
        expect(banner).to.include(`SNS and EventBridge on the same port (aws sns|events … --endpoint-url ${server.endpoint})`);
        expect(banner).not.to.include('against it: make run TARGET=local');
        expect(banner).to.include('make run TARGET=local starts an endpoint and emulators of its own');
      } finally {
        await server.stop();
      }
    } finally {
      await env.stop();
    }
  });

  it('names a busy port and says how to pick another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, LOOPBACK, resolve));
    const { port } = blocker.address() as { port: number };
    const second = createServer();
    try {
      const error = await new Promise<unknown>((resolve) => {
        second.once('error', resolve);
        second.listen(port, LOOPBACK);
      });
      const explained = explainListenError(error, port);
      expect(explained).to.be.instanceOf(PortInUse);
      expect((explained as Error).message).to.include(`port ${port}`).and.to.include('PORT=');
      const other = new Error('something else');
      expect(explainListenError(other, port)).to.equal(other);
    } finally {
      second.close();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

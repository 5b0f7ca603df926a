// DNS rebinding: the endpoint answers only requests whose Host is a loopback name or address.
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { request } from 'node:http';
import { isLoopbackHost } from '../../../local/api/host.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { createClients } from '../../../execution/clients.ts';

/** POSTs ListStateMachines to the endpoint with the Host header given (none when undefined). */
function post(endpoint: string, host: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', setHost: host !== undefined, headers: {
        ...(host === undefined ? {} : { Host: host }),
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'AWSStepFunctions.ListStateMachines',
      } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('local/api Host check', function () {
  this.timeout(30_000);
  let env: LocalEnvironment;
  let server: ApiServer;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-host' });
    server = await startApiServer({ env });
  });

  after(async () => {
    await server.stop();
    await env.stop();
  });

  it('knows loopback names and addresses, with or without a port, and nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST:8083', '127.0.0.1', '127.0.0.1:8083', '127.1.2.3:80', '[::1]', '[::1]:8083']) {
      expect(isLoopbackHost(host), host).to.equal(true);
    }
    for (const host of [undefined, '', 'evil.example', 'evil.example:8083', 'localhost.evil.example', '127.0.0.1.evil.example', '128.0.0.1', '0.0.0.0', '[::2]', '[::1]x', 'localhost:80:80', '127.0.0.1:abc']) {
      expect(isLoopbackHost(host), String(host)).to.equal(false);
    }
  });

  it('refuses a request whose Host is another name with 403, in AWS error shape, and runs nothing', async () => {
    const port = new URL(server.endpoint).port;
    for (const host of [`rebound.example:${port}`, 'rebound.example', `192.168.1.10:${port}`]) {
      const answer = await post(server.endpoint, host);
      expect(answer.status, host).to.equal(403);
      expect(answer.body.__type).to.equal('AccessDeniedException');
      expect(answer.body.message).to.include('loopback');
    }
    // Without a Host header, Node's HTTP/1.1 server answers 400 before the endpoint sees the request.
    expect((await post(server.endpoint, undefined)).status).to.be.oneOf([400, 403]);
  });

  it('answers localhost, 127.0.0.1 and the SDK as before', async () => {
    const port = new URL(server.endpoint).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'localhost']) {
      const answer = await post(server.endpoint, host);
      expect(answer.status, host).to.equal(200);
      expect(answer.body.stateMachines).to.be.an('array').that.is.not.empty;
    }
    const { sfn } = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS });
    try {
      const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
      expect(stateMachines).to.not.be.empty;
    } finally {
      sfn.destroy();
    }
  });
});

// Request validation through the whole endpoint: a missing field is AWS's ValidationException.
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { CONTENT_TYPE } from '../../../local/api/protocol.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';

describe('local/api request validation', function () {
  this.timeout(30_000);
  let env: LocalEnvironment;
  let server: ApiServer;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-validation' });
    server = await startApiServer({ env });
  });

  after(async () => {
    await server.stop();
    await env.stop();
  });

  const call = async (target: string, body: unknown) => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': CONTENT_TYPE, 'X-Amz-Target': `AWSStepFunctions.${target}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { __type: string; message: string } };
  };

  it('refuses a missing required field with ValidationException, naming it', async () => {
    const answer = await call('StartExecution', {});
    expect(answer.status).to.equal(400);
    expect(answer.body.__type).to.equal('ValidationException');
    expect(answer.body.message).to.include("'stateMachineArn' failed to satisfy constraint: Member must not be null");
  });

  it('refuses a value outside its range and a field of the wrong type', async () => {
    const range = await call('ListStateMachines', { maxResults: 1001 });
    expect(range.body.__type).to.equal('ValidationException');
    expect((await call('ListStateMachines', { maxResults: 'ten' })).body.__type).to.equal('SerializationException');
    expect((await call('ListStateMachines', { nextToken: 'garbage' })).body.__type).to.equal('InvalidToken');
  });

  it('refuses a bad name and a state machine ARN given as an execution ARN', async () => {
    const name = await call('StartExecution', { stateMachineArn: server.workflowArn, name: 'has space' });
    expect(name.body.__type).to.equal('InvalidName');
    expect((await call('DescribeExecution', { executionArn: server.workflowArn })).body.__type).to.equal('InvalidArn');
  });
});

// The seed function's DynamoDB client: one per container, each command's middleware resolved once.
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import sinon from 'sinon';
import { containerDynamoDbClient } from '../../../functions/seed/client.ts';

describe('seed DynamoDB client', () => {
  // What Lambda sets; the test's own values, put back after it.
  const LAMBDA_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(Object.keys(LAMBDA_ENV).map((key) => [key, process.env[key]]));
    Object.assign(process.env, LAMBDA_ENV);
  });
  afterEach(() => {
    sinon.restore();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('is one client per container, which resolves a command class its middleware once', async () => {
    const containerClient = containerDynamoDbClient();
    const client = containerClient();
    expect(containerClient()).to.equal(client);
    // Another container's getter makes a client of its own: nothing is held by the module.
    expect(containerDynamoDbClient()()).to.not.equal(client);
    const resolve = sinon.spy(BatchWriteItemCommand.prototype, 'resolveMiddleware');
    // The handler answers every request the same, without a socket.
    sinon.stub(client.config.requestHandler, 'handle').callsFake(async () => {
      throw Object.assign(new Error('no endpoint in this test'), { name: 'ValidationException', $fault: 'client' });
    });
    const send = () => client.send(new BatchWriteItemCommand({ RequestItems: { t: [{ PutRequest: { Item: { k: { S: 'a' } } } }] } })).catch((error: Error) => error);
    expect(await send()).to.have.property('message', 'no endpoint in this test');
    expect(await send()).to.have.property('message', 'no endpoint in this test');
    expect(resolve.callCount).to.equal(1);
  });
});

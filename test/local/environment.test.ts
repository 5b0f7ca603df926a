import { expect } from 'chai';
import { request } from 'node:http';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createClients, MissingCredentials, type Clients } from '../../execution/clients.ts';
import { InvalidConfiguration } from '../../workflow/settings.ts';
import { DEAD_LETTER_QUEUE, QUEUE } from '../../workflow/transfer-records.ts';
import type { LocalEnvironment } from '../../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../local/host/environment.ts';
import { sessionToken } from '../../local/services/iam.ts';
import { rejection } from '../helpers.ts';
import { useHostAwsSettings, type HostAwsSettings } from './host-aws.ts';
import { entriesOf } from '../fixtures/names.ts';

const ROLE = 'arn:aws:sts::000000000000:assumed-role/env-test-seed-role/env-test-seed';

/** Answers once the port takes a connection, or says why not. */
function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

describe('local/environment', () => {
  let env: LocalEnvironment;
  let clients: Clients;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'env-test' });
    clients = createClients({ region: env.resources.region, endpoints: env.endpoints, credentials: LOCAL_CREDENTIALS });
  });

  after(async () => {
    for (const client of Object.values(clients)) client.destroy();
    await env.stop();
  });

  it('serves DynamoDB and SQS on 127.0.0.1 ephemeral ports', () => {
    expect(env.endpoints.dynamodb).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.endpoints.sqs).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.endpoints.dynamodb).to.not.equal(env.endpoints.sqs);
  });

  it('names every resource from the prefix, with ARNs shaped like AWS ones in a local account', () => {
    const { resources } = env;
    expect(resources.accountId).to.equal('000000000000');
    expect(entriesOf(resources).names.table).to.equal('env-test-table');
    expect(entriesOf(resources).tableArn).to.equal(`arn:aws:dynamodb:${resources.region}:000000000000:table/env-test-table`);
    expect(entriesOf(resources).queueArn).to.equal(`arn:aws:sqs:${resources.region}:000000000000:env-test-queue`);
    expect(entriesOf(resources).deadLetterQueueArn).to.equal(`arn:aws:sqs:${resources.region}:000000000000:env-test-dlq`);
    expect(entriesOf(resources).seedFunctionArn).to.equal(`arn:aws:lambda:${resources.region}:000000000000:function:env-test-seed`);
    expect(resources.stateMachineArn).to.equal(
      `arn:aws:states:${resources.region}:000000000000:stateMachine:env-test-state-machine`,
    );
    expect(entriesOf(resources).queueUrl).to.equal(`${env.endpoints.sqs}/000000000000/env-test-queue`);
    expect(resources.templateVars).to.deep.equal({
      SeedFunctionArn: entriesOf(resources).seedFunctionArn,
      TableName: 'env-test-table',
      QueueUrl: entriesOf(resources).queueUrl,
      FifoSendParameters: '',
      Partition: 'aws',
    });
  });

  it('creates the table keyed as the stack keys it, on demand, and active', async () => {
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'env-test-table' }));
    expect(Table?.TableStatus).to.equal('ACTIVE');
    expect(Table?.KeySchema).to.deep.equal([{ AttributeName: 'MessageId', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).to.deep.equal([{ AttributeName: 'MessageId', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
  });

  it('creates the queue with its settings and a redrive to the dead-letter queue', async () => {
    const { Attributes = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: entriesOf(env.resources).queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes.QueueArn).to.equal(entriesOf(env.resources).queueArn);
    expect(Attributes.VisibilityTimeout).to.equal(String(QUEUE.visibilityTimeoutSeconds));
    expect(Attributes.MessageRetentionPeriod).to.equal(String(QUEUE.messageRetentionSeconds));
    expect(JSON.parse(Attributes.RedrivePolicy!)).to.deep.equal({
      deadLetterTargetArn: entriesOf(env.resources).deadLetterQueueArn,
      maxReceiveCount: QUEUE.redrive.maxReceiveCount,
    });
    const dlq = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: entriesOf(env.resources).deadLetterQueueUrl, AttributeNames: ['All'] }),
    );
    expect(dlq.Attributes?.MessageRetentionPeriod).to.equal(String(DEAD_LETTER_QUEUE.messageRetentionSeconds));
  });

  it('gives environment lines that point an SDK at the emulators', async () => {
    const variables = Object.fromEntries(env.envLines.map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(variables).to.deep.equal({
      AWS_ENDPOINT_URL_DYNAMODB: env.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: env.endpoints.sqs,
      AWS_ENDPOINT_URL_S3: env.endpoints.s3,
      AWS_REGION: env.resources.region,
      AWS_DEFAULT_REGION: env.resources.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const sqs = new SQSClient({
      region: variables.AWS_REGION,
      endpoint: variables.AWS_ENDPOINT_URL_SQS,
      credentials: { accessKeyId: variables.AWS_ACCESS_KEY_ID!, secretAccessKey: variables.AWS_SECRET_ACCESS_KEY! },
    });
    try {
      const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: entriesOf(env.resources).queueUrl, MessageBody: 'hi' }));
      expect(MessageId).to.be.a('string');
    } finally {
      sqs.destroy();
    }
  });

  describe('the door in front of the emulators', () => {
    const roleClient = (policyActions: string[]) =>
      new DynamoDBClient({
        region: env.resources.region,
        endpoint: env.endpoints.dynamodb,
        credentials: {
          ...LOCAL_CREDENTIALS,
          sessionToken: sessionToken({
            arn: ROLE,
            policy: [{ Sid: 'S', Effect: 'Allow', Action: policyActions, Resource: [entriesOf(env.resources).tableArn] }],
          }),
        },
      });

    it("lets a role's call through when its policy allows it", async () => {
      const dynamodb = roleClient(['dynamodb:PutItem']);
      try {
        await dynamodb.send(new PutItemCommand({ TableName: 'env-test-table', Item: { MessageId: { S: 'door' } } }));
      } finally {
        dynamodb.destroy();
      }
      const { Item } = await clients.dynamodb.send(
        new GetItemCommand({ TableName: 'env-test-table', Key: { MessageId: { S: 'door' } } }),
      );
      expect(Item).to.deep.equal({ MessageId: { S: 'door' } });
    });

    it('answers a call the policy does not allow as AWS does: AccessDeniedException naming action and resource', async () => {
      const dynamodb = roleClient(['dynamodb:PutItem']);
      try {
        const error = await rejection(dynamodb.send(new GetItemCommand({ TableName: 'env-test-table', Key: { MessageId: { S: 'door' } } })));
        expect(error).to.include({
          name: 'AccessDeniedException',
          message:
            `User: ${ROLE} is not authorized to perform: dynamodb:GetItem on resource: ${entriesOf(env.resources).tableArn} ` +
            'because no identity-based policy allows the dynamodb:GetItem action',
        });
        expect((error as Error & { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).to.equal(400);
      } finally {
        dynamodb.destroy();
      }
    });

    it("denies an SQS call outside the role's policy", async () => {
      const sqs = new SQSClient({
        region: env.resources.region,
        endpoint: env.endpoints.sqs,
        credentials: { ...LOCAL_CREDENTIALS, sessionToken: sessionToken({ arn: ROLE, policy: [] }) },
      });
      try {
        const error = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: entriesOf(env.resources).queueUrl, MessageBody: 'no' })));
        expect(error.message).to.include(`sqs:SendMessage on resource: ${entriesOf(env.resources).queueArn}`);
      } finally {
        sqs.destroy();
      }
    });

    it('refuses a damaged local session token instead of letting it through', async () => {
      const dynamodb = new DynamoDBClient({
        region: env.resources.region,
        endpoint: env.endpoints.dynamodb,
        credentials: { ...LOCAL_CREDENTIALS, sessionToken: 'local-iam.damaged' },
      });
      try {
        const error = await rejection(dynamodb.send(new GetItemCommand({ TableName: 'env-test-table', Key: { MessageId: { S: 'door' } } })));
        expect(error.name).to.equal('UnrecognizedClientException');
      } finally {
        dynamodb.destroy();
      }
    });
  });

  for (const kind of ['missing-profile', 'expired-sso'] as HostAwsSettings[]) {
    it(`provisions and serves its clients on a host with its own AWS settings (${kind})`, async () => {
      const restore = await useHostAwsSettings(kind);
      let other: LocalEnvironment | undefined;
      let hostClients: Clients | undefined;
      try {
        other = await startLocalEnvironment({ prefix: 'env-host-test' });
        hostClients = createClients({ region: other.resources.region, endpoints: other.endpoints, credentials: LOCAL_CREDENTIALS });
        await hostClients.dynamodb.send(
          new PutItemCommand({ TableName: entriesOf(other.resources).names.table, Item: { MessageId: { S: 'h' }, Message: { S: 'x' } } }),
        );
        const { MessageId } = await hostClients.sqs.send(
          new SendMessageCommand({ QueueUrl: entriesOf(other.resources).queueUrl, MessageBody: 'hi' }),
        );
        expect(MessageId).to.be.a('string');
      } finally {
        for (const client of Object.values(hostClients ?? {})) client.destroy();
        await other?.stop();
        await restore();
      }
    });
  }

  it('refuses to build clients of the emulators without explicit credentials', () => {
    expect(() => createClients({ region: 'us-east-1', endpoints: env.endpoints })).to.throw(MissingCredentials);
  });

  it('refuses an invalid prefix with InvalidConfiguration, before starting anything', async () => {
    const servers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
    const before = servers();
    expect(await rejection(startLocalEnvironment({ prefix: 'Not_Valid' }))).to.be.instanceOf(InvalidConfiguration);
    expect(servers()).to.equal(before);
  });

  it('stops both servers, so their ports no longer answer', async () => {
    const other = await startLocalEnvironment({ prefix: 'env-stop-test' });
    expect(await reachable(other.endpoints.dynamodb)).to.be.true;
    expect(await reachable(other.endpoints.sqs)).to.be.true;
    await other.stop();
    expect(await reachable(other.endpoints.dynamodb)).to.be.false;
    expect(await reachable(other.endpoints.sqs)).to.be.false;
  });
});

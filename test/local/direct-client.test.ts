import { expect } from 'chai';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createClients, type Clients } from '../../execution/clients.ts';
import type { LocalEnvironment } from '../../local/contracts.ts';
import { createLocalClients, LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../local/host/environment.ts';
import { sessionToken } from '../../local/services/iam.ts';
import { inProcessTransport, registerInProcess } from '../../local/services/in-process-transport.ts';
import { sendCommand, withDirectSend, withDirectSends } from '../../local/services/direct-client.ts';
import { dynamodbTask } from '../../local/bridge/dynamodb.ts';
import { sqsTask } from '../../local/bridge/sqs.ts';
import { entriesOf } from '../fixtures/names.ts';
import type { CallContext, ServiceCall } from '../../local/bridge/context.ts';
import { recordHttpResponses } from '../../local/bridge/response.ts';
import { localPolicies, roleArn, stateMachinePrincipal } from '../../local/services/iam.ts';
import { rejection } from '../helpers.ts';
import { parseFault } from '../../local/bridge/faults.ts';
import { taskHandler } from './bridge/fixture.ts';

const ROLE = 'arn:aws:sts::000000000000:assumed-role/direct-test-role/direct-test';

// What differs from one call to the next: ids, dates, lengths that carry them.
const VARYING = /^(RequestId|x-amzn-RequestId|Date|MessageId|requestId|Content-Length|x-amz-crc32)$/;
const REQUEST_ID = /(Request ID: )[\w-]+/;

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, VARYING.test(key) ? '<varies>' : comparable(member)]));
}

function comparableError(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message.replace(REQUEST_ID, '$1<varies>') };
}

describe('local/services/direct-client', () => {
  let env: LocalEnvironment;
  let sdk: Clients;
  let direct: Clients;
  let context: CallContext;
  let table: string;
  let queueUrl: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'direct-test' });
    ({ names: { table }, queueUrl } = entriesOf(env.resources));
    sdk = createLocalClients(env.resources.region, env.endpoints);
    direct = withDirectSends(createLocalClients(env.resources.region, env.endpoints));
    for (const clients of [sdk, direct]) {
      recordHttpResponses(clients.dynamodb);
      recordHttpResponses(clients.sqs);
    }
    const running = env.resources.stateMachines[env.resources.workflow.name]!;
    context = {
      resources: env.resources,
      policy: localPolicies(env.resources).stateMachinePolicy,
      principalArn: stateMachinePrincipal(roleArn(env.resources.accountId, running.role), running.stateMachine),
      injectFault: () => {},
    };
    await sdk.dynamodb.send(new PutItemCommand({ TableName: table, Item: { MessageId: { S: 'm1' }, Message: { S: 'hello' }, Data: { B: new Uint8Array([1, 2, 255]) } } }));
    // Every attribute type but binary, which the direct send reads itself (json-codec.ts).
    await sdk.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          MessageId: { S: 'm2' },
          Message: { S: 'é \u{1F600} "quoted" \\ \n\u2028' },
          Count: { N: '012.50' },
          Flag: { BOOL: false },
          Nothing: { NULL: true },
          Tags: { SS: ['b', 'a'] },
          Sizes: { NS: ['2', '1.5'] },
          Nested: { M: { list: { L: [{ S: 'x' }, { N: '1' }, { M: {} }, { L: [] }] } } },
        },
      }),
    );
  });

  after(async () => {
    for (const clients of [sdk, direct]) for (const client of Object.values(clients ?? {})) client.destroy();
    await env?.stop();
  });

  /** The same task through the SDK's send and the direct send: results, or failures, side by side. */
  async function bothWays(task: (clients: Clients) => ServiceCall, params: Record<string, unknown>) {
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        (result) => ({ result: comparable(result) }),
        (error: Error) => ({ failure: comparableError(error) }),
      );
    return { sdk: await outcome(task(sdk)(params)), direct: await outcome(task(direct)(params)) };
  }

  const getItem = (style: 'optimized' | 'sdk') => (clients: Clients) => dynamodbTask(style, 'getItem', clients.dynamodb, context);
  const sendMessage = (style: 'optimized' | 'sdk') => (clients: Clients) => sqsTask(style, 'sendMessage', clients.sqs, context);

  describe("gives the loop's calls the SDK path's results", () => {
    for (const style of ['optimized', 'sdk'] as const) {
      it(`getItem (${style}): an item, binary attribute included, one of every other type, and no item`, async () => {
        for (const id of ['m1', 'm2', 'absent']) {
          const { sdk: viaSdk, direct: viaDirect } = await bothWays(getItem(style), { TableName: table, Key: { MessageId: { S: id } }, ConsistentRead: true });
          expect(viaDirect).to.deep.equal(viaSdk);
          expect(viaDirect).to.have.property('result');
        }
      });

      it(`sendMessage (${style}): a body with a message attribute${style === 'optimized' ? ', and a JSON body' : ''}`, async () => {
        for (const body of style === 'optimized' ? ['Message 1 of 1', { nested: [1, 'two'] }] : ['Message 1 of 1']) {
          const params = { QueueUrl: queueUrl, MessageBody: body, MessageAttributes: { MessageId: { DataType: 'String', StringValue: 'm1' } } };
          const { sdk: viaSdk, direct: viaDirect } = await bothWays(sendMessage(style), params);
          expect(viaDirect).to.deep.equal(viaSdk);
          expect(viaDirect).to.have.property('result');
        }
      });
    }

    it('and their failures: a missing table, a bad key, a missing queue, a message SQS refuses', async () => {
      const cases: [(clients: Clients) => ServiceCall, Record<string, unknown>][] = [
        [getItem('optimized'), { TableName: table.replace(/table/, 'missing'), Key: { MessageId: { S: 'm1' } } }],
        [getItem('sdk'), { TableName: table, Key: { Other: { S: 'm1' } } }],
        [sendMessage('optimized'), { QueueUrl: queueUrl.replace(/[^/]+$/, 'missing'), MessageBody: 'x' }],
        [sendMessage('sdk'), { QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 }],
      ];
      for (const [task, params] of cases) {
        const { sdk: viaSdk, direct: viaDirect } = await bothWays(task, params);
        expect(viaDirect).to.deep.equal(viaSdk);
        expect(viaDirect, JSON.stringify(params)).to.have.property('failure');
      }
    });
  });

  it("lets the emulators' IAM door deny a role's call with the same error", async () => {
    const credentials = { ...LOCAL_CREDENTIALS, sessionToken: sessionToken({ arn: ROLE, policy: [] }) };
    const options = { region: env.resources.region, endpoints: env.endpoints, credentials, transportFor: inProcessTransport };
    const [viaSdk, viaDirect] = (await Promise.all(
      [createClients(options), withDirectSends(createClients(options))].map((clients) =>
        rejection(clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { MessageId: { S: 'm1' } } }))).finally(() => {
          for (const client of Object.values(clients)) client.destroy();
        }),
      ),
    )) as [Error, Error];
    expect(viaDirect.name).to.equal('AccessDeniedException');
    expect(viaDirect.message).to.equal(`User: ${ROLE} is not authorized to perform: dynamodb:GetItem on resource: ${env.resources.arns.table} because no identity-based policy allows the dynamodb:GetItem action`);
    expect(comparableError(viaDirect)).to.deep.equal(comparableError(viaSdk));
  });

  it("keeps the bridge's faults and IAM in front of its direct calls", async () => {
    const get = { TableName: table, Key: { MessageId: { S: 'm1' } } };
    const read = taskHandler(env, 'arn:aws:states:::dynamodb:getItem', { faults: [parseFault('dynamodb:getItem:throttled:1')] });
    expect((await rejection(read(get))).name).to.equal('DynamoDB.AmazonDynamoDBException');
    expect(await read(get)).to.have.nested.property('Item.Message.S', 'hello');
    const denied = await rejection(taskHandler(env, 'arn:aws:states:::dynamodb:getItem', { stateMachinePolicy: [] })(get));
    expect(denied.name).to.equal('DynamoDB.AmazonDynamoDBException');
    expect(denied.message).to.match(/is not authorized to perform: dynamodb:GetItem .*Error Code: AccessDeniedException/);
  });

  describe('against a listener of its own', () => {
    const origin = 'http://127.0.0.1:1';
    let seen: IncomingHttpHeaders[] = [];
    let answers: number[] = [];
    let unregister: () => void;
    let client: DynamoDBClient;

    before(() => {
      unregister = registerInProcess(origin, (req, res: ServerResponse) => {
        seen.push(req.headers);
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': `request-${seen.length}` });
        res.end(status === 200 ? '{}' : JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'try again' }));
      });
      client = withDirectSend(createLocalClients('us-east-1', { dynamodb: origin }).dynamodb);
    });
    beforeEach(() => {
      seen = [];
      answers = [];
    });
    after(() => {
      client.destroy();
      unregister();
    });

    it('sends the request unsigned, with what the emulators read: target, content type, credentials and date', async () => {
      const output = await client.send(new GetItemCommand({ TableName: 't', Key: { MessageId: { S: 'm1' } } }));
      expect(output.$metadata).to.include({ httpStatusCode: 200, requestId: 'request-1', attempts: 1 });
      expect(seen).to.have.length(1);
      expect(seen[0]).to.include({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' });
      expect(seen[0]!.authorization).to.match(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request, .*Signature=unsigned$/);
      expect(seen[0]!['x-amz-date']).to.match(/^\d{8}T\d{6}Z$/);
    });

    it("answers a success at the first attempt with client.send's output and $metadata, its output's middleware run once", async () => {
      const outputs: unknown[] = [];
      const sdkClient = createLocalClients('us-east-1', { dynamodb: origin }).dynamodb;
      // Middleware on the output, as the bridge's recordHttpResponses is: it runs on the direct send's answer too.
      sdkClient.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          outputs.push(result.output);
          return result;
        },
        { step: 'deserialize', name: 'outputsSeen', priority: 'high' },
      );
      const get = () => new GetItemCommand({ TableName: 't', Key: { MessageId: { S: 'm1' } } });
      const viaSdk = await sdkClient.send(get());
      const viaDirect = await withDirectSend(sdkClient).send(get());
      sdkClient.destroy();
      expect(seen).to.have.length(2);
      expect(outputs).to.deep.equal([viaSdk, viaDirect]);
      expect({ ...viaDirect, $metadata: { ...viaDirect.$metadata, requestId: '' } }).to.deep.equal({ ...viaSdk, $metadata: { ...viaSdk.$metadata, requestId: '' } });
      expect(viaDirect.$metadata).to.include({ httpStatusCode: 200, requestId: 'request-2', attempts: 1, totalRetryDelay: 0 });
    });

    it("retries a server error as the SDK's retry strategy does", async () => {
      answers = [500, 500];
      const output = await client.send(new GetItemCommand({ TableName: 't', Key: { MessageId: { S: 'm1' } } }));
      expect(output.$metadata).to.include({ httpStatusCode: 200, attempts: 3 });
      expect(seen).to.have.length(3);
    });

    it('hands an error answer to the retry as its first attempt: no request is sent twice', async () => {
      answers = [500];
      const output = await client.send(new GetItemCommand({ TableName: 't', Key: { MessageId: { S: 'm1' } } }));
      expect(output.$metadata).to.include({ httpStatusCode: 200, requestId: 'request-2', attempts: 2 });
      expect(seen).to.have.length(2);
    });

    it('gives up after the retry strategy\'s attempts with the error the SDK names', async () => {
      answers = [500, 500, 500];
      const error = await rejection(client.send(new GetItemCommand({ TableName: 't', Key: { MessageId: { S: 'm1' } } })));
      expect(error.name).to.equal('InternalServerError');
      expect(error.message).to.equal('try again');
      expect((error as { $metadata?: object }).$metadata).to.include({ httpStatusCode: 500, attempts: 3 });
    });

    it('resolves a command\'s middleware as client.send does: once per command class when the client caches it, else per call', async () => {
      const resolvesOver = async (cacheMiddleware: boolean, direct: boolean) => {
        const sdkClient = createLocalClients('us-east-1', { dynamodb: origin }).dynamodb;
        // The offline clients cache middleware; the SDK reads its setting at every send.
        (sdkClient.config as { cacheMiddleware?: boolean }).cacheMiddleware = cacheMiddleware;
        // Each resolution of the stack into a handler gives its middleware a context of its own.
        const contexts = new Set<object>();
        sdkClient.middlewareStack.add(
          (next, context) => (args) => {
            contexts.add(context);
            return next(args);
          },
          { step: 'initialize', name: 'contextsSeen' },
        );
        const sending = direct ? withDirectSend(sdkClient) : sdkClient;
        for (let i = 0; i < 3; i++) await sending.send(new GetItemCommand({ TableName: 't', Key: { MessageId: { S: `m${i}` } } }));
        sdkClient.destroy();
        // The direct send's requests are the unsigned ones.
        expect(seen.slice(-3).map((headers) => headers.authorization?.endsWith('Signature=unsigned'))).to.deep.equal([direct, direct, direct]);
        return contexts.size;
      };
      expect(await resolvesOver(true, true)).to.equal(await resolvesOver(true, false)).and.to.equal(1);
      expect(await resolvesOver(false, true)).to.equal(await resolvesOver(false, false)).and.to.equal(3);
    });
  });

  it("sends by command class with client.send's output, building one command of the class in all (to read it), or one per call without a direct send", async () => {
    let built = 0;
    class CountedGetItem extends GetItemCommand {
      constructor(input: ConstructorParameters<typeof GetItemCommand>[0]) {
        super(input);
        built += 1;
      }
    }
    const input = { TableName: table, Key: { MessageId: { S: 'm1' } } };
    const expected = comparable(await sdk.dynamodb.send(new GetItemCommand(input)));
    for (let call = 0; call < 3; call++) expect(comparable(await sendCommand(direct.dynamodb, CountedGetItem, input))).to.deep.equal(expected);
    expect(built).to.equal(1);
    for (let call = 0; call < 2; call++) expect(comparable(await sendCommand(sdk.dynamodb, CountedGetItem, input))).to.deep.equal(expected);
    expect(built).to.equal(3);
  });

  it('leaves a client of another protocol (S3), or of an endpoint not in this process, to the SDK', () => {
    const registered = 'http://127.0.0.1:2';
    const unregister = registerInProcess(registered, () => {});
    const clients = createLocalClients('us-east-1', { dynamodb: registered, s3: registered, sqs: 'http://127.0.0.1:9' });
    const sends = { dynamodb: clients.dynamodb.send, s3: clients.s3.send, sqs: clients.sqs.send };
    withDirectSends(clients);
    expect(clients.dynamodb.send).to.not.equal(sends.dynamodb);
    expect(clients.s3.send).to.equal(sends.s3);
    expect(clients.sqs.send).to.equal(sends.sqs);
    for (const client of Object.values(clients)) client.destroy();
    unregister();
  });
});

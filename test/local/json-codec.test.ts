import { expect } from 'chai';
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import * as SQS from '@aws-sdk/client-sqs';
import jsonata from 'jsonata';
import { compilePlan, readJson, responseMetadata, writeJson } from '../../local/services/json-codec.ts';

interface Protocol {
  serializeRequest(operation: object, input: unknown, context: object): Promise<{ body: unknown }>;
  deserializeResponse(operation: object, context: object, response: object): Promise<Record<string, unknown>>;
}

type Client = DynamoDB.DynamoDBClient | SQS.SQSClient;

const dynamodb = new DynamoDB.DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const sqs = new SQS.SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

/** The operation's schema as the command class carries it, the way direct-client.ts reads it. */
function operationOf(Command: new (input: never) => object) {
  const [, namespace, name, traits, input, output] = (Command as unknown as { schema?: unknown[] }).schema ?? (new Command({} as never) as { schema: unknown[] }).schema;
  return { name, namespace, traits, input, output } as { name: string; namespace: string; traits: unknown; input: unknown; output: unknown };
}

function sdkCodec(client: Client) {
  const config = client.config as unknown as { protocol: Protocol; endpoint: () => Promise<unknown> };
  return { protocol: config.protocol, context: { ...config, endpoint: () => config.endpoint() } };
}

/**
 * The SDK's body for the input, beside this codec's (undefined: left to the SDK). Each is given
 * its own copy, unless the objects themselves are what is tested (`copy`: the identity).
 */
async function bodies(client: Client, Command: new (input: never) => object, input: unknown, copy: <T>(value: T) => T = structuredClone) {
  const operation = operationOf(Command);
  const { protocol, context } = sdkCodec(client);
  const sdk = (await protocol.serializeRequest(operation, copy(input), context)).body;
  return { sdk: typeof sdk === 'string' ? sdk : Buffer.from(sdk as Uint8Array).toString(), lean: writeJson(compilePlan(operation.input), copy(input)) };
}

/** The SDK's output for a successful answer with this body, beside this codec's. */
async function outputs(client: Client, Command: new (input: never) => object, body: string) {
  const operation = operationOf(Command);
  const { protocol, context } = sdkCodec(client);
  const headers = { 'x-amzn-requestid': 'request-1', 'content-type': 'application/x-amz-json-1.0' };
  const sdk = await protocol.deserializeResponse(operation, context, { statusCode: 200, headers: { ...headers }, body: Buffer.from(body) });
  const lean = readJson(compilePlan(operation.output), Buffer.from(body));
  return { sdk, lean: lean && Object.assign(lean, { $metadata: responseMetadata(200, headers) }) };
}

/** Key order matters (a state's output is JSON text): compared as text, beside a deep comparison. */
const ordered = (value: unknown): string => JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array ? [...item] : item));

const EVERY_ATTRIBUTE_TYPE = {
  MessageId: { S: 'm-1 é \u{1F600} "quoted" \\ \n\t\u0001\u001f\u007f\u2028' },
  Count: { N: '12.50' },
  Flag: { BOOL: false },
  Nothing: { NULL: true },
  Tags: { SS: ['a', 'b'] },
  Sizes: { NS: ['1', '2.5'] },
  Nested: { M: { inner: { L: [{ S: 'x' }, { N: '1' }, { M: {} }, { L: [] }] } } },
};

describe('local/json-codec: the JSON protocols\' bodies and outputs, as the SDK writes and reads them', () => {
  after(() => {
    dynamodb.destroy();
    sqs.destroy();
  });

  it('writes the SDK\'s very bytes for the plain requests of DynamoDB and SQS', async () => {
    const plain: [Client, new (input: never) => object, unknown][] = [
      [dynamodb, DynamoDB.GetItemCommand, { TableName: 'records', Key: { MessageId: { S: 'id-1' } }, ConsistentRead: true }],
      // Members in another order than the schema's, one absent and one null: written as the SDK writes them.
      [dynamodb, DynamoDB.GetItemCommand, { ConsistentRead: undefined, Key: { MessageId: { S: 'id-1' } }, TableName: 'records', ProjectionExpression: null }],
      [dynamodb, DynamoDB.PutItemCommand, { TableName: 't', Item: EVERY_ATTRIBUTE_TYPE, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'MessageId' }, ReturnValues: 'ALL_OLD' }],
      [dynamodb, DynamoDB.QueryCommand, { TableName: 't', KeyConditionExpression: 'k = :v', ExpressionAttributeValues: { ':v': { S: 'v' } }, Limit: 25, ScanIndexForward: false, ExclusiveStartKey: { k: { S: 'a' } } }],
      [dynamodb, DynamoDB.UpdateItemCommand, { TableName: 't', Key: { k: { N: '-0' } }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { B: 'aGVsbG8=' } } }],
      [dynamodb, DynamoDB.BatchWriteItemCommand, { RequestItems: { t: [{ PutRequest: { Item: { k: { S: 'a' } } } }, { DeleteRequest: { Key: { k: { S: 'b' } } } }] } }],
      [dynamodb, DynamoDB.BatchGetItemCommand, { RequestItems: { t: { Keys: [{ k: { S: 'a' } }], ConsistentRead: true } }, ReturnConsumedCapacity: 'TOTAL' }],
      [sqs, SQS.SendMessageCommand, { QueueUrl: 'http://127.0.0.1:2/000000000000/q', MessageBody: '{"a":[1,"é"]}', DelaySeconds: 0, MessageAttributes: { MessageId: { DataType: 'String', StringValue: 'm-1' }, N: { DataType: 'Number', StringValue: '1.5' } } }],
      [sqs, SQS.SendMessageBatchCommand, { QueueUrl: 'q', Entries: [{ Id: '0', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd' }, { Id: '1', MessageBody: 'b' }] }],
      [sqs, SQS.ReceiveMessageCommand, { QueueUrl: 'q', MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SentTimestamp'] }],
      [sqs, SQS.CreateQueueCommand, { QueueName: 'q.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' }, tags: { team: 'a' } }],
      [sqs, SQS.DeleteMessageCommand, { QueueUrl: 'q', ReceiptHandle: 'r' }],
    ];
    for (const [client, Command, input] of plain) {
      const { sdk, lean } = await bodies(client, Command, input);
      expect(lean, `${Command.name} ${JSON.stringify(input)}`).to.equal(sdk);
    }
  });

  it('writes the SDK\'s very bytes for the requests a JSONata state builds, whose objects have no prototype', async () => {
    const built = async (expression: string, bindings: Record<string, unknown>) => (await jsonata(expression).evaluate({}, bindings)) as Record<string, unknown>;
    const keys = [{ MessageId: { S: 'id-1' } }, { MessageId: { S: 'id-2' } }];
    const records = keys.map(({ MessageId }) => ({ MessageId, Message: { S: `body of ${MessageId.S}` } }));
    const jsonataBuilt: [Client, new (input: never) => object, Record<string, unknown>][] = [
      [dynamodb, DynamoDB.BatchGetItemCommand, await built("{'RequestItems': {$table: {'Keys': $keys, 'ConsistentRead': true}}}", { table: 't', keys })],
      [sqs, SQS.SendMessageBatchCommand, await built("{'QueueUrl': 'q', 'Entries': [$records.{'Id': MessageId.S, 'MessageBody': Message.S, 'MessageAttributes': {'MessageId': {'DataType': 'String', 'StringValue': MessageId.S}}}]}", { records })],
    ];
    for (const [client, Command, input] of jsonataBuilt) {
      expect(Object.getPrototypeOf(input), 'JSONata builds objects without a prototype').to.equal(null);
      // A copy would give the objects a prototype: both are given the very objects JSONata built.
      const { sdk, lean } = await bodies(client, Command, input, (value) => value);
      expect(lean, Command.name).to.equal(sdk);
    }
  });

  it('leaves to the SDK the requests whose bytes it does not write as JSON does', async () => {
    const theSdks: [Client, new (input: never) => object, unknown][] = [
      // A member the schema does not have, which the SDK drops.
      [dynamodb, DynamoDB.GetItemCommand, { TableName: 't', Key: { k: { S: 'a' } }, Extra: 1 }],
      // A lone surrogate, which the SDK escapes its own way.
      [dynamodb, DynamoDB.GetItemCommand, { TableName: 't', Key: { k: { S: 'a\uD800' } } }],
      // Binary values (bytes, binary sets), an attribute of the wrong type, a null attribute.
      [dynamodb, DynamoDB.PutItemCommand, { TableName: 't', Item: { k: { B: new Uint8Array([1, 2]) } } }],
      [dynamodb, DynamoDB.PutItemCommand, { TableName: 't', Item: { k: { BS: ['aGk='] } } }],
      [dynamodb, DynamoDB.PutItemCommand, { TableName: 't', Item: { k: { S: 1 } } }],
      [dynamodb, DynamoDB.PutItemCommand, { TableName: 't', Item: { k: null } }],
      // An idempotency token the SDK fills in.
      [dynamodb, DynamoDB.TransactWriteItemsCommand, { TransactItems: [{ Put: { TableName: 't', Item: { k: { S: 'a' } } } }] }],
      // A blob member, a number that JSON cannot write, an object where a string is expected.
      [sqs, SQS.SendMessageCommand, { QueueUrl: 'q', MessageBody: 'a', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } } }],
      [sqs, SQS.SendMessageCommand, { QueueUrl: 'q', MessageBody: 'a', DelaySeconds: Number.NaN }],
      [sqs, SQS.SendMessageCommand, { QueueUrl: 'q', MessageBody: { not: 'a string' } }],
    ];
    for (const [client, Command, input] of theSdks) {
      const { lean } = await bodies(client, Command, input);
      expect(lean, `${Command.name} ${ordered(input)}`).to.equal(undefined);
    }
  });

  it('reads the SDK\'s very output, its key order and $metadata included, from the answers of DynamoDB and SQS', async () => {
    const answers: [Client, new (input: never) => object, string][] = [
      [dynamodb, DynamoDB.GetItemCommand, JSON.stringify({ Item: EVERY_ATTRIBUTE_TYPE })],
      [dynamodb, DynamoDB.GetItemCommand, '{}'],
      [dynamodb, DynamoDB.GetItemCommand, ''],
      // Members in another order than the schema's, and one the schema does not have.
      [dynamodb, DynamoDB.GetItemCommand, JSON.stringify({ ConsumedCapacity: { CapacityUnits: 0.5, TableName: 't' }, Unknown: 1, Item: { k: { S: 'a' } } })],
      [dynamodb, DynamoDB.QueryCommand, JSON.stringify({ Items: [{ k: { S: 'a' } }, { k: { S: 'b' } }], Count: 2, ScannedCount: 2, LastEvaluatedKey: { k: { S: 'b' } } })],
      [dynamodb, DynamoDB.BatchGetItemCommand, JSON.stringify({ UnprocessedKeys: {}, Responses: { t: [{ k: { S: 'a' } }] } })],
      [dynamodb, DynamoDB.BatchWriteItemCommand, '{"UnprocessedItems":{}}'],
      [dynamodb, DynamoDB.UpdateItemCommand, JSON.stringify({ Attributes: { n: { N: '1' } } })],
      [sqs, SQS.SendMessageCommand, JSON.stringify({ MessageId: 'id', MD5OfMessageBody: 'a', MD5OfMessageAttributes: 'b', SequenceNumber: '1' })],
      [sqs, SQS.SendMessageBatchCommand, JSON.stringify({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'a' }], Failed: [{ Id: '1', SenderFault: true, Code: 'InternalError', Message: 'x' }] })],
      [sqs, SQS.ReceiveMessageCommand, JSON.stringify({ Messages: [{ MessageId: 'm', ReceiptHandle: 'r', MD5OfBody: 'a', Body: 'b', Attributes: { SentTimestamp: '1' }, MessageAttributes: { a: { StringValue: 's', DataType: 'String' } } }] })],
      [sqs, SQS.GetQueueAttributesCommand, JSON.stringify({ Attributes: { QueueArn: 'arn', ApproximateNumberOfMessages: '0' } })],
      [sqs, SQS.ListQueuesCommand, JSON.stringify({ QueueUrls: ['a', 'b'] })],
    ];
    for (const [client, Command, body] of answers) {
      const { sdk, lean } = await outputs(client, Command, body);
      expect(lean, `${Command.name} ${body}`).to.deep.equal(sdk);
      expect(ordered(lean), `${Command.name} ${body}`).to.equal(ordered(sdk));
    }
  });

  it('leaves to the SDK the answers it does not read as plain JSON', async () => {
    const theSdks: [new (input: never) => object, string][] = [
      // Binary attributes, which the SDK decodes to bytes.
      [DynamoDB.GetItemCommand, JSON.stringify({ Item: { k: { B: 'aGk=' } } })],
      [DynamoDB.GetItemCommand, JSON.stringify({ Item: { k: { M: { b: { BS: ['aGk='] } } } } })],
      // A timestamp, which the SDK reads into a Date.
      [DynamoDB.DescribeTableCommand, JSON.stringify({ Table: { TableName: 't', CreationDateTime: 1.7e9 } })],
      // A blob member, and a body that is not JSON.
      [SQS.ReceiveMessageCommand, JSON.stringify({ Messages: [{ MessageAttributes: { a: { BinaryValue: 'aGk=', DataType: 'Binary' } } }] })],
      [SQS.SendMessageCommand, '{"MessageId":'],
    ];
    for (const [Command, body] of theSdks) {
      const operation = operationOf(Command);
      expect(readJson(compilePlan(operation.output), Buffer.from(body)), `${Command.name} ${body}`).to.equal(undefined);
    }
  });
});

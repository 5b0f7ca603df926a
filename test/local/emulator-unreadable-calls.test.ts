// JSON-protocol calls the emulators cannot read: each is refused by name, and the emulators answer
// the next call. A body nested thousands of levels deep overflowed their recursive checks;
// dynalite and local-aws-sqs had each ended the whole process on a body of `null`, and
// local-aws-sqs on a call without X-Amz-Target. The DynamoDB operations the bridge runs are those
// dynalite does not answer UnknownOperationException (dynalite-operations.ts).
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { DYNALITE_OPERATIONS } from '../../local/services/dynalite-operations.ts';
import { startEmulators, type Emulators } from '../../local/services/emulators.ts';
import { postJson } from './raw-call.ts';

// The emulators do not check signatures: a well-formed Authorization header is what they read.
const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20261207T000000Z',
  'content-type': 'application/x-amz-json-1.0',
};

/** `{"M":{"a":…{"S":"x"}…}}`: an attribute value whose maps nest `levels` deep. */
function nestedMap(levels: number): string {
  return `${'{"M":{"a":'.repeat(levels)}{"S":"x"}${'}}'.repeat(levels)}`;
}

describe('local/emulators: a JSON-protocol call the emulators cannot read', () => {
  let emulators: Emulators;

  before(async () => {
    emulators = await startEmulators({ region: 'us-east-1', accountId: '000000000000' });
  });

  after(async () => {
    await emulators.stop();
  });

  const post = async (endpoint: string, target: string | undefined, body: string) => (await postJson(endpoint, target, body, SIGNED)).answer;

  it('a body nested thousands of levels deep is refused by each emulator with SerializationException, and the emulator answers the next call', async () => {
    const dynamodb = emulators.endpoints.dynamodb;
    const sqs = emulators.endpoints.sqs;
    const deepKey = `{"TableName":"t-deep","Key":{"id":${nestedMap(2500)}}}`;
    const deepItem = `{"RequestItems":{"t-deep":[{"PutRequest":{"Item":{"id":{"S":"a"},"nest":${nestedMap(2500)}}}}]}}`;
    for (const [target, body] of [['DynamoDB_20120810.GetItem', deepKey], ['DynamoDB_20120810.BatchWriteItem', deepItem]] as const) {
      const answer = await post(dynamodb, target, body);
      expect(answer.status, target).to.equal(400);
      expect(JSON.parse(answer.body), target).to.deep.equal({
        __type: 'com.amazon.coral.service#SerializationException',
        message: 'The request body is nested more than 1000 levels deep (objects and arrays), the most the engine accepts.',
      });
    }
    const deepSend = `{"QueueUrl":"${sqs}/000000000000/q","MessageBody":"m","MessageAttributes":{"a":{"DataType":"String","StringValue":"v","x":${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
    const sent = await post(sqs, 'AmazonSQS.SendMessage', deepSend);
    expect(sent.status).to.equal(400);
    expect(sent.headers['x-amzn-query-error']).to.equal('MalformedInput;Sender');
    expect((JSON.parse(sent.body) as { __type: string }).__type).to.equal('com.amazon.coral.service#SerializationException');

    // Both still answer, with their own words for what they would answer anyway.
    const tables = await post(dynamodb, 'DynamoDB_20120810.ListTables', '{}');
    expect(tables.status).to.equal(200);
    const queues = await post(sqs, 'AmazonSQS.ListQueues', '{}');
    expect(queues.status).to.equal(200);
  });

  it('a body within the engine\'s depth is passed on to the emulator, which answers it', async () => {
    const answer = await post(emulators.endpoints.dynamodb, 'DynamoDB_20120810.GetItem', `{"TableName":"t-missing","Key":{"id":${nestedMap(400)}}}`);
    expect(answer.status).to.equal(400);
    expect((JSON.parse(answer.body) as { __type: string }).__type).to.not.equal('com.amazon.coral.service#SerializationException');
  });

  for (const [service, target, listing] of [
    ['dynamodb', 'DynamoDB_20120810.GetItem', 'DynamoDB_20120810.ListTables'],
    ['sqs', 'AmazonSQS.SendMessage', 'AmazonSQS.ListQueues'],
  ] as const) {
    it(`${service}: a body that is JSON but no object is SerializationException, a call without an operation UnknownOperationException, and the next call is answered`, async () => {
      const endpoint = emulators.endpoints[service];
      for (const body of ['null', '[]', '7', '"text"']) {
        const answer = await post(endpoint, target, body);
        expect([answer.status, (JSON.parse(answer.body) as { __type: string }).__type], body).to.deep.equal([400, 'com.amazon.coral.service#SerializationException']);
        if (service === 'sqs') expect(answer.headers['x-amzn-query-error']).to.equal('MalformedInput;Sender');
      }
      for (const missing of [undefined, '', 'NoOperation']) {
        const answer = await post(endpoint, missing, '{}');
        expect([answer.status, answer.body], String(missing)).to.deep.equal([400, '{"__type":"com.amazon.coral.service#UnknownOperationException"}']);
      }
      expect((await post(endpoint, listing, '{}')).status).to.equal(200);
    });
  }

  it("dynamodb: dynalite-operations.ts lists exactly the SDK's operations the emulator does not answer UnknownOperationException", async () => {
    const operations = Object.keys(DynamoDB)
      .filter((name) => name.endsWith('Command') && name !== 'Command')
      .map((name) => name.slice(0, -'Command'.length));
    const answered: string[] = [];
    for (const operation of operations) {
      const { answer } = await postJson(emulators.endpoints.dynamodb, `DynamoDB_20120810.${operation}`, '{}', SIGNED);
      if (!answer.body.includes('UnknownOperationException')) answered.push(operation);
    }
    expect(answered.sort()).to.deep.equal([...DYNALITE_OPERATIONS].sort());
    expect(operations).to.include('TransactWriteItems');
  });
});

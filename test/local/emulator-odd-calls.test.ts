// Calls in the JSON protocol that neither emulator can take: each is refused by name, and the
// emulators answer the next call. dynalite and local-aws-sqs had each ended the whole process on a
// body of `null`, and local-aws-sqs on a call without X-Amz-Target.
import { expect } from 'chai';
import { startEmulators, type Emulators } from '../../local/services/emulators.ts';
import { postJson } from './raw-call.ts';

// The emulators do not check signatures: a well-formed Authorization header is what they read.
const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20261208/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20261208T000000Z',
  'content-type': 'application/x-amz-json-1.0',
};

describe('local/emulators: a JSON-protocol call no emulator can take', () => {
  let emulators: Emulators;

  before(async () => {
    emulators = await startEmulators({ region: 'us-east-1', accountId: '000000000000' });
  });

  after(async () => {
    await emulators.stop();
  });

  const post = async (endpoint: string, target: string | undefined, body: string) => (await postJson(endpoint, target, body, SIGNED)).answer;

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
});

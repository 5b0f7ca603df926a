import { expect } from 'chai';
import { md5OfMessageAttributes } from '../../local/services/sqs-attributes-digest.ts';
import { startEmulators, type Emulators } from '../../local/services/emulators.ts';
import { postJson } from './raw-call.ts';

// Digests computed apart from this code (Python's hashlib over the bytes AWS documents: each
// length in UTF-8 bytes, four of them big-endian; transport 1 for String and Number, 2 for Binary).
const VECTORS: { attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>; md5: string }[] = [
  { attributes: { MessageId: { DataType: 'String', StringValue: '46ec32358581-0001' } }, md5: '054b66ceb9a504f0671f6b21d7cd7507' },
  { attributes: { Name: { DataType: 'String', StringValue: 'café ünï' } }, md5: 'd03ff877db43d1eec90100692ec08c74' },
  { attributes: { Note: { DataType: 'String.ünï', StringValue: '😀 ok' } }, md5: '2787ab48a0faecda1818a5f7578802ed' },
  { attributes: { Count: { DataType: 'Number', StringValue: '12.5' } }, md5: '6e74437c586762843647d9b8ed0371eb' },
  { attributes: { Blob: { DataType: 'Binary', BinaryValue: 'AAEC//4=' } }, md5: '1d6ca866c23e0540432ec691eba4ea18' },
  {
    attributes: {
      b: { DataType: 'String', StringValue: '2' },
      a: { DataType: 'String', StringValue: '1' },
      Z: { DataType: 'Number', StringValue: '3' },
      c_d: { DataType: 'Binary', BinaryValue: '6Q==' },
    },
    md5: '3e6481d5aa40cb9d3dc6bc21c18c6f56',
  },
];

const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };

describe('local/sqs-attributes-digest: MD5OfMessageAttributes as SQS computes it', () => {
  it('gives the digest AWS documents, lengths in UTF-8 bytes and names in order', () => {
    for (const { attributes, md5 } of VECTORS) expect(md5OfMessageAttributes(attributes), JSON.stringify(attributes)).to.equal(md5);
  });

  it('is what the SQS emulator answers to SendMessage, SendMessageBatch and ReceiveMessage', async () => {
    const emulators: Emulators = await startEmulators({ region: 'us-east-1', accountId: '000000000000' });
    try {
      const call = async (operation: string, body: unknown) => JSON.parse((await postJson(emulators.endpoints.sqs, `AmazonSQS.${operation}`, body, JSON_HEADERS)).answer.body);
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'digests' });
      const [accented, binary] = [VECTORS[1]!, VECTORS[5]!];
      const sent = await call('SendMessage', { QueueUrl, MessageBody: 'one', MessageAttributes: accented.attributes });
      expect(sent.MD5OfMessageAttributes).to.equal(accented.md5);
      // A Binary attribute takes local-aws-sqs's own path (the fast path takes String attributes only).
      const batch = await call('SendMessageBatch', { QueueUrl, Entries: [{ Id: 'e1', MessageBody: 'two', MessageAttributes: binary.attributes }] });
      expect(batch.Successful[0].MD5OfMessageAttributes).to.equal(binary.md5);
      const received = await call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] });
      expect(received.Messages.map((message: { MD5OfMessageAttributes: string }) => message.MD5OfMessageAttributes).sort()).to.deep.equal([accented.md5, binary.md5].sort());
    } finally {
      await emulators.stop();
    }
  });
});

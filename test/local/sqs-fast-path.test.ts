import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import { fastSend, type FastPathQueue, type FastPathService } from '../../local/services/sqs-fast-path.ts';
import { enforceDeduplicationInterval, type DeduplicatedQueue } from '../../local/services/fifo-deduplication.ts';
import { startEmulators, type Emulators } from '../../local/services/emulators.ts';
import { postJson, type RawAnswer } from './raw-call.ts';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Both servers give each answer a request id of the same form (a UUID).
async function post(endpoint: string, operation: string, body: unknown, headers: Record<string, string> = JSON_HEADERS): Promise<RawAnswer> {
  const { answer, requestId } = await postJson(endpoint, `AmazonSQS.${operation}`, body, headers);
  expect(requestId).to.match(UUID);
  return answer;
}

/**
 * Message ids and sequence numbers are drawn at random: each server's are named by the order in
 * which they first appear, so that a deduplicated send still shows the first send's id.
 */
function renamer(): (text: string) => string {
  const names = new Map<string, string>();
  const name = (value: string, kind: string) => {
    if (!names.has(value)) names.set(value, `${kind}-${names.size}`);
    return names.get(value)!;
  };
  return (text) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => name(id, 'id'))
      .replace(/"SequenceNumber":"(\d+)"/g, (_, sequence: string) => `"SequenceNumber":"${name(sequence, 'sequence')}"`);
}

describe('local/sqs-fast-path: SendMessage and SendMessageBatch answered at once, as local-aws-sqs answers them', () => {
  let stock: Server;
  let stockEndpoint: string;
  let emulators: Emulators;
  const renameStock = renamer();
  const renameEmulator = renamer();

  before(async () => {
    // local-aws-sqs as the emulators configure it, FIFO deduplication included, without its fast path.
    const sqs = createRequestHandler({ port: 0, hostname: '127.0.0.1', region: REGION, accountId: ACCOUNT, emulateQueueCreationLifecycle: false, emulateLazyQueues: false });
    const queues = sqs.service.Queues as unknown as DeduplicatedQueue[];
    const add = queues.push.bind(queues);
    queues.push = (...added) => {
      for (const queue of added) enforceDeduplicationInterval(queue);
      return add(...added);
    };
    stock = createServer(sqs.requestHandler);
    await new Promise<void>((resolve) => stock.listen(0, '127.0.0.1', resolve));
    stockEndpoint = `http://127.0.0.1:${(stock.address() as AddressInfo).port}`;
    sqs.service.PORT = (stock.address() as AddressInfo).port;
    emulators = await startEmulators({ region: REGION, accountId: ACCOUNT });
  });

  after(async () => {
    await emulators.stop();
    stock.closeAllConnections();
    await new Promise((resolve) => stock.close(resolve));
  });

  // Both servers find a queue by the last segment of its URL's path.
  const url = (name: string) => `http://127.0.0.1:1/${ACCOUNT}/${name}`;

  const both = async (operation: string, body: unknown, headers?: Record<string, string>): Promise<RawAnswer> => {
    const expected = await post(stockEndpoint, operation, body, headers);
    const actual = await post(emulators.endpoints.sqs, operation, body, headers);
    const label = `${operation} ${JSON.stringify(body).slice(0, 160)}`;
    // The queue URLs the servers answer with carry their own ports.
    const same = (answer: RawAnswer, rename: (text: string) => string) => ({
      ...answer,
      body: rename(answer.body).replace(/127\.0\.0\.1:\d+/g, 'host'),
    });
    expect(same(actual, renameEmulator), label).to.deep.equal(same(expected, renameStock));
    return actual;
  };

  const attributes = (id: string) => ({ MessageId: { DataType: 'String', StringValue: id } });

  it('stores and answers every send as local-aws-sqs does, errors included, and the queues hold the same messages', async () => {
    await both('CreateQueue', { QueueName: 'records' });
    await both('CreateQueue', { QueueName: 'small', Attributes: { MaximumMessageSize: '1024' } });
    await both('CreateQueue', { QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } });
    await both('CreateQueue', { QueueName: 'plain.fifo', Attributes: { FifoQueue: 'true' } });
    // What the workflows send: the loop's SendMessage, the at-scale workflow's batches, their FIFO forms.
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'Message 1 of 3' });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'é \u{1F600} "quoted" \\ \n', MessageAttributes: attributes('m-2') });
    const entries = (from: number, to: number, extra: (i: number) => object = () => ({})) =>
      Array.from({ length: to - from }, (_, i) => ({ Id: `m-${from + i}`, MessageBody: `Message ${from + i}`, MessageAttributes: attributes(`m-${from + i}`), ...extra(from + i) }));
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: entries(0, 10) });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'only_one-1', MessageBody: 'x' }] });
    await both('SendMessage', { QueueUrl: url('plain.fifo'), MessageBody: 'f-1', MessageGroupId: 'g', MessageDeduplicationId: 'f-1' });
    await both('SendMessage', { QueueUrl: url('plain.fifo'), MessageBody: 'f-1 again', MessageGroupId: 'g', MessageDeduplicationId: 'f-1' });
    await both('SendMessage', { QueueUrl: url('ordered.fifo'), MessageBody: 'by content', MessageGroupId: 'g' });
    await both('SendMessage', { QueueUrl: url('ordered.fifo'), MessageBody: 'by content', MessageGroupId: 'g' });
    await both('SendMessageBatch', { QueueUrl: url('plain.fifo'), Entries: entries(10, 15, (i) => ({ MessageGroupId: 'g', MessageDeduplicationId: `d-${i % 3}` })) });
    await both('SendMessageBatch', { QueueUrl: url('ordered.fifo'), Entries: entries(15, 18, (i) => ({ MessageGroupId: `g-${i}` })) });
    // What local-aws-sqs answers itself: its coercions, other options, and every refusal.
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 5 });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'delayed', DelaySeconds: 0 });
    await both('SendMessage', { QueueUrl: 'records', MessageBody: 'by name' });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'grouped', MessageGroupId: 'g' });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'numbered', MessageAttributes: { n: { DataType: 'Number', StringValue: '12' } } });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'dotted', MessageAttributes: { 'a.b': { DataType: 'String', StringValue: 'v' } } });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: '' });
    await both('SendMessage', { QueueUrl: url('records') });
    await both('SendMessage', { MessageBody: 'nowhere' });
    await both('SendMessage', { QueueUrl: url('absent'), MessageBody: 'nowhere' });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'late', DelaySeconds: 1000 });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'dedup', MessageDeduplicationId: 'd' });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'reserved', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'empty value', MessageAttributes: { a: { DataType: 'String', StringValue: '' } } });
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'many', MessageAttributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])) });
    await both('SendMessage', { QueueUrl: url('small'), MessageBody: 'x'.repeat(1000), MessageAttributes: attributes('y'.repeat(20)) });
    await both('SendMessage', { QueueUrl: url('small'), MessageBody: 'x'.repeat(990), MessageAttributes: attributes('y'.repeat(20)) });
    await both('SendMessage', { QueueUrl: url('plain.fifo'), MessageBody: 'no group', MessageDeduplicationId: 'x' });
    await both('SendMessage', { QueueUrl: url('plain.fifo'), MessageBody: 'no dedup', MessageGroupId: 'g' });
    await both('SendMessage', { QueueUrl: url('plain.fifo'), MessageBody: 'bad group', MessageGroupId: 'a b', MessageDeduplicationId: 'x' });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [] });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: entries(20, 31) });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [...entries(40, 42), ...entries(40, 41)] });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'a b', MessageBody: 'x' }] });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'no-body' }, { Id: 'body', MessageBody: 'kept' }] });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'delayed', MessageBody: 'x', DelaySeconds: 2000 }, { Id: 'fine', MessageBody: 'y' }] });
    await both('SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'a', MessageBody: 'x'.repeat(600_000) }, { Id: 'b', MessageBody: 'x'.repeat(600_000) }] });
    await both('SendMessageBatch', { QueueUrl: url('small'), Entries: [{ Id: 'big', MessageBody: 'x'.repeat(2000) }, { Id: 'fits', MessageBody: 'y' }] });
    await both('SendMessageBatch', { QueueUrl: url('plain.fifo'), Entries: [{ Id: 'a', MessageBody: 'x', MessageGroupId: 'g' }] });
    await both('SendMessageBatch', { QueueUrl: url('absent'), Entries: entries(50, 51) });
    await both('SendMessage', '{"QueueUrl": ');
    await both('SendMessage', { QueueUrl: url('records'), MessageBody: 'as text/plain' }, { 'content-type': 'text/plain' });
    // The queues hold the same messages, in the same order, with the same attributes.
    const received = (body: string) =>
      body
        .replace(/"ReceiptHandle":"[^"]*"/g, '"ReceiptHandle":"<drawn>"')
        .replace(/"(SentTimestamp|ApproximateFirstReceiveTimestamp)":"\d+"/g, '"$1":"<time>"');
    for (const name of ['records', 'small', 'ordered.fifo', 'plain.fifo']) {
      for (;;) {
        const receive = { QueueUrl: url(name), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], VisibilityTimeout: 60 };
        const [expected, actual] = [await post(stockEndpoint, 'ReceiveMessage', receive), await post(emulators.endpoints.sqs, 'ReceiveMessage', receive)];
        expect(renameEmulator(received(actual.body)), name).to.equal(renameStock(received(expected.body)));
        if (!expected.body.includes('"Messages"')) break;
      }
    }
  });

  it('answers the workflows\' sends itself, storing each message once, and leaves every other request to local-aws-sqs', () => {
    const stored: Record<string, unknown>[] = [];
    const queue = (name: string, fifo: boolean): FastPathQueue => ({
      QueueName: name,
      FifoQueue: fifo,
      ContentBasedDeduplication: false,
      MaximumMessageSize: 262_144,
      setRecord: (message) => {
        stored.push(message);
        return { record: { MessageId: `id-${stored.length}`, MD5OfMessageBody: 'md5', attributes: fifo ? { SequenceNumber: `${stored.length}` } : {} } };
      },
    });
    const service: FastPathService = { Queues: [queue('records', false), queue('records.fifo', true)], deletingQueues: new Set() };
    const send = (operation: string, body: object) =>
      fastSend({ headers: { ...JSON_HEADERS, 'x-amz-target': `AmazonSQS.${operation}` }, body: Buffer.from(JSON.stringify(body)) }, service);

    const single = send('SendMessage', { QueueUrl: url('records'), MessageBody: 'one' })!;
    expect(single.statusCode).to.equal(200);
    expect(single.body).to.equal('{"MD5OfMessageBody":"md5","MessageId":"id-1"}');
    expect(single.headers.map(([name]) => name)).to.deep.equal(['x-amzn-requestid', 'Content-Type']);
    expect(single.headers[0]![1]).to.match(UUID);
    const batch = send('SendMessageBatch', {
      QueueUrl: url('records.fifo'),
      Entries: [1, 2].map((i) => ({ Id: `m-${i}`, MessageBody: `b${i}`, MessageGroupId: 'g', MessageDeduplicationId: `m-${i}`, MessageAttributes: attributes(`m-${i}`) })),
    })!;
    expect(JSON.parse(batch.body)).to.deep.equal({
      Successful: [
        { Id: 'm-1', MessageId: 'id-2', MD5OfMessageBody: 'md5', SequenceNumber: '2' },
        { Id: 'm-2', MessageId: 'id-3', MD5OfMessageBody: 'md5', SequenceNumber: '3' },
      ],
    });
    expect(stored.map((message) => message.MessageBody)).to.deep.equal(['one', 'b1', 'b2']);

    // Each of these goes to local-aws-sqs, and nothing is stored here.
    for (const [operation, body] of [
      ['SendMessage', { QueueUrl: url('records'), MessageBody: 'delayed', DelaySeconds: 1 }],
      ['SendMessage', { QueueUrl: url('records.fifo'), MessageBody: 'no group' }],
      ['SendMessage', { QueueUrl: url('absent'), MessageBody: 'x' }],
      ['SendMessageBatch', { QueueUrl: url('records'), Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'b', MessageBody: '' }] }],
      ['ReceiveMessage', { QueueUrl: url('records') }],
    ] as const) {
      expect(send(operation, body), `${operation} ${JSON.stringify(body)}`).to.equal(undefined);
    }
    service.deletingQueues.add('records');
    expect(send('SendMessage', { QueueUrl: url('records'), MessageBody: 'deleted' })).to.equal(undefined);
    expect(stored).to.have.length(3);
    // A queue that cannot store the message: local-aws-sqs answers with its own error.
    service.Queues[1]!.setRecord = () => {
      throw new Error('no room');
    };
    expect(send('SendMessage', { QueueUrl: url('records.fifo'), MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'x' })).to.equal(undefined);
  });
});

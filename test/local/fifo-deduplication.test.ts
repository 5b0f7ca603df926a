import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createRequestHandler } from 'local-aws-sqs';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DEDUPLICATION_INTERVAL_MS, enforceDeduplicationInterval, type DeduplicatedQueue } from '../../local/services/fifo-deduplication.ts';
import { emulatorsEachTest, REGION } from './emulators-each-test.ts';

const FIFO = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
const HIGH_THROUGHPUT = { ...FIFO, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' };

async function receiveAll(sqs: SQSClient, url: string): Promise<{ body: string; handle: string }[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
  return Messages.map((m) => ({ body: m.Body!, handle: m.ReceiptHandle! }));
}

describe('local/fifo-deduplication: FIFO queues on the emulators, as AWS documents them', () => {
  const env = emulatorsEachTest();

  const createQueue = async (name: string, attributes: Record<string, string>) =>
    (await env.clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const send = (url: string, body: string, dedup: string, group = 'g') =>
    env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageDeduplicationId: dedup, MessageGroupId: group }));

  it('accepts a copy sent within the interval with the first MessageId and delivers it once', async () => {
    const url = await createQueue('dedup.fifo', FIFO);
    const first = await send(url, 'record', 'id-1');
    const copy = await send(url, 'record', 'id-1');
    expect(copy.MessageId).to.equal(first.MessageId);
    expect(copy.SequenceNumber).to.equal(first.SequenceNumber);
    expect(env.emulators.queueMessages(url)).to.deep.equal([{ body: 'record' }]);
  });

  it('still drops a copy after the first was received and deleted (local-aws-sqs alone delivered it again)', async () => {
    const url = await createQueue('consumed.fifo', FIFO);
    await send(url, 'record', 'id-1');
    const [received] = await receiveAll(env.clients.sqs, url);
    await env.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: received!.handle }));
    await send(url, 'record', 'id-1');
    expect(await receiveAll(env.clients.sqs, url)).to.deep.equal([]);
  });

  it('deduplicates per message group with DeduplicationScope messageGroup, across the queue otherwise', async () => {
    const perGroup = await createQueue('per-group.fifo', HIGH_THROUGHPUT);
    await send(perGroup, 'in a', 'id-1', 'a');
    await send(perGroup, 'in b', 'id-1', 'b');
    expect(env.emulators.queueMessages(perGroup)!.map((m) => m.body)).to.deep.equal(['in a', 'in b']);
    const perQueue = await createQueue('per-queue.fifo', FIFO);
    await send(perQueue, 'in a', 'id-1', 'a');
    await send(perQueue, 'in b', 'id-1', 'b');
    expect(env.emulators.queueMessages(perQueue)!.map((m) => m.body)).to.deep.equal(['in a']);
  });

  it('drops the copies of a batch sent again, entry by entry', async () => {
    const url = await createQueue('batch.fifo', HIGH_THROUGHPUT);
    const entries = ['k1', 'k2', 'k3'].map((key) => ({ Id: key, MessageBody: `body ${key}`, MessageGroupId: 'k1', MessageDeduplicationId: key }));
    await env.clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    const again = await env.clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [...entries, { ...entries[0]!, Id: 'k4', MessageDeduplicationId: 'k4', MessageBody: 'body k4' }] }));
    expect(again.Successful).to.have.length(4);
    expect(env.emulators.queueMessages(url)!.map((m) => m.body)).to.deep.equal(['body k1', 'body k2', 'body k3', 'body k4']);
  });

  it('delivers a group in the order sent, and refuses a send without MessageGroupId or a deduplication id', async () => {
    const url = await createQueue('order.fifo', HIGH_THROUGHPUT);
    for (const n of [1, 2, 3]) await send(url, `m${n}`, `id-${n}`);
    expect((await receiveAll(env.clients.sqs, url)).map((m) => m.body)).to.deep.equal(['m1', 'm2', 'm3']);
    const refused = async (input: object) => {
      try {
        await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', ...input }));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('the send was accepted');
    };
    expect(await refused({ MessageDeduplicationId: 'id-9' })).to.match(/MessageGroupId/);
    expect(await refused({ MessageGroupId: 'g' })).to.match(/ContentBasedDeduplication enabled or MessageDeduplicationId/);
  });

  it('leaves a Standard queue as it is: a copy is a second message, and MessageDeduplicationId is refused', async () => {
    const url = await createQueue('standard', {});
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'record' }));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'record' }));
    expect(env.emulators.queueMessages(url)).to.have.length(2);
    try {
      await send(url, 'record', 'id-1');
      expect.fail('a Standard queue accepted MessageDeduplicationId');
    } catch (error) {
      expect((error as Error).message).to.match(/MessageDeduplicationId which is not valid for this queue type/);
    }
  });
});

describe('local/fifo-deduplication: the five-minute interval, on a clock the test moves', () => {
  let server: Server;
  let service: { Queues: DeduplicatedQueue[]; PORT: number; resetAll(): void };
  let sqs: SQSClient;
  let clock = 0;

  beforeEach(async () => {
    const handler = createRequestHandler({ port: 0, hostname: '127.0.0.1', region: REGION, accountId: '000000000000', emulateQueueCreationLifecycle: false, emulateLazyQueues: false } as Parameters<typeof createRequestHandler>[0]);
    service = handler.service as unknown as typeof service;
    server = createServer(handler.requestHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    service.PORT = (server.address() as AddressInfo).port;
    sqs = new SQSClient({ region: REGION, endpoint: `http://127.0.0.1:${service.PORT}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    clock = 0;
  });

  afterEach(async () => {
    sqs.destroy();
    service.resetAll();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('takes a copy as a new message once the interval has passed, even while the first is held', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'interval.fifo', Attributes: FIFO }))).QueueUrl!;
    enforceDeduplicationInterval(service.Queues.at(-1)!, () => clock);
    const sendCopy = () => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'record', MessageDeduplicationId: 'id-1', MessageGroupId: 'g' }));
    const first = await sendCopy();
    clock = DEDUPLICATION_INTERVAL_MS - 1;
    expect((await sendCopy()).MessageId).to.equal(first.MessageId);
    clock = DEDUPLICATION_INTERVAL_MS;
    const later = await sendCopy();
    expect(later.MessageId).to.not.equal(first.MessageId);
    expect((await receiveAll(sqs, url)).map((m) => m.body)).to.deep.equal(['record', 'record']);
  });
});

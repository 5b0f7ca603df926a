import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import sinon from 'sinon';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { emulatorsEachTest } from './emulators-each-test.ts';
import { createSqsBacklog, type BackloggedQueue, type SentMessage, type StoredMessage } from '../../local/services/sqs-backlog.ts';
import { md5OfMessageAttributes } from '../../local/services/sqs-attributes-digest.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** local-aws-sqs's Queue as far as the backlog uses it: setRecord stores through newRecord, as the emulator's does. */
class FakeQueue implements BackloggedQueue {
  QueueName = 'records';
  FifoQueue = false;
  DelaySeconds: unknown = 0;
  MessageRetentionPeriod: unknown = 60;
  purgeInProgress = false;
  tasks: { Status?: string }[] = [];
  records: { id: string; body: string; attributes?: unknown; sent: string }[] = [];
  deleted: string[] = [];
  #made = 0;

  setRecord(message: SentMessage, messageId?: string): StoredMessage {
    this.#made += 1;
    const record = { MessageId: messageId ?? `direct-${this.#made}`, MD5OfMessageBody: md5(message.MessageBody), attributes: { SentTimestamp: 'when stored' } };
    this.newRecord(record, message);
    return { record, tmRetention: setTimeout(() => undefined, 1e9).unref() };
  }

  newRecord = (record: StoredMessage['record'], message: SentMessage): void => {
    this.records.push({ id: record.MessageId, body: message.MessageBody, ...(message.MessageAttributes ? { attributes: message.MessageAttributes } : {}), sent: '' });
    // The test reads the sending time once the caller has set it.
    Object.defineProperty(this.records.at(-1), 'sent', { get: () => record.attributes.SentTimestamp, enumerable: true });
  };

  delete(receiptHandle: string): void {
    const { MessageId } = JSON.parse(Buffer.from(receiptHandle, 'base64').toString('utf8')) as { MessageId: string };
    this.deleted.push(MessageId);
  }

  listMessageMoveTasks(): { Status?: string }[] {
    return this.tasks;
  }
}

/** A response whose end the test calls. */
const response = () => ({ end: () => undefined }) as unknown as ServerResponse;
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 5));
const ATTRIBUTES = { MessageId: { DataType: 'String', StringValue: 'item-1' } };

describe('local/sqs-backlog: messages sent on the fast path, held compact until local-aws-sqs is asked', () => {
  let time: number;
  const now = () => time;
  beforeEach(() => {
    time = 1_700_000_000_000;
  });

  it('answers a send with the id and digests setRecord would give, and stores nothing yet', () => {
    const backlog = createSqsBacklog(now);
    const queue = new FakeQueue();
    backlog.watch(queue);
    const plain = backlog.store(queue, { MessageBody: 'first' });
    const attributed = backlog.store(queue, { MessageBody: 'second', MessageAttributes: ATTRIBUTES });
    expect(queue.records).to.deep.equal([]);
    expect(plain.record.MessageId).to.match(UUID);
    expect(plain.record).to.deep.include({ MD5OfMessageBody: md5('first') }).and.not.have.property('MD5OfMessageAttributes');
    expect(attributed.record).to.deep.include({ MD5OfMessageBody: md5('second'), MD5OfMessageAttributes: md5OfMessageAttributes(ATTRIBUTES) });
    expect(backlog.held('records')).to.deep.equal([{ MessageBody: 'first' }, { MessageBody: 'second', MessageAttributes: ATTRIBUTES }]);
  });

  it('stores the held messages in the order sent, with their ids and sending times, before local-aws-sqs answers, a turn later', async () => {
    const backlog = createSqsBacklog(now);
    const queue = new FakeQueue();
    backlog.watch(queue);
    const first = backlog.store(queue, { MessageBody: 'first' }).record.MessageId;
    time += 1500;
    const second = backlog.store(queue, { MessageBody: 'second', MessageAttributes: ATTRIBUTES }).record.MessageId;
    time += 1500;
    const answer = sinon.spy();
    backlog.beforeRequest(response(), answer);
    expect(queue.records).to.deep.equal([
      { id: first, body: 'first', sent: '1700000000000' },
      { id: second, body: 'second', attributes: ATTRIBUTES, sent: '1700000001500' },
    ]);
    expect(backlog.held('records')).to.deep.equal([]);
    // local-aws-sqs's records count as delayed until its zero-delay timers have run.
    expect(answer.called).to.equal(false);
    await nextTurn();
    expect(answer.calledOnce).to.equal(true);
  });

  it('lets local-aws-sqs answer at once when nothing was held', () => {
    const backlog = createSqsBacklog(now);
    backlog.watch(new FakeQueue());
    const answer = sinon.spy();
    backlog.beforeRequest(response(), answer);
    expect(answer.calledOnce).to.equal(true);
  });

  it('stores sends at once while local-aws-sqs answers a request, and holds them again once its response ends', () => {
    const backlog = createSqsBacklog(now);
    const queue = new FakeQueue();
    backlog.watch(queue);
    const res = response();
    backlog.beforeRequest(res, () => undefined);
    backlog.store(queue, { MessageBody: 'while a long poll waits' });
    expect(queue.records.map((record) => record.body)).to.deep.equal(['while a long poll waits']);
    res.end();
    res.end();
    backlog.store(queue, { MessageBody: 'after' });
    expect(queue.records).to.have.length(1);
    expect(backlog.held('records')).to.deep.equal([{ MessageBody: 'after' }]);
  });

  for (const [what, change] of [
    ['a FIFO queue', (queue: FakeQueue) => (queue.FifoQueue = true)],
    ['a queue that delays its messages', (queue: FakeQueue) => (queue.DelaySeconds = 5)],
    ['a queue being purged', (queue: FakeQueue) => (queue.purgeInProgress = true)],
    ['the source of a running message move task', (queue: FakeQueue) => (queue.tasks = [{ Status: 'RUNNING' }])],
    ['the source of a move task being cancelled', (queue: FakeQueue) => (queue.tasks = [{ Status: 'CANCELLING' }])],
    ['a queue the backlog never watched', () => undefined],
  ] as const) {
    it(`stores a send to ${what} at once`, () => {
      const backlog = createSqsBacklog(now);
      const queue = new FakeQueue();
      if (what !== 'a queue the backlog never watched') backlog.watch(queue);
      change(queue);
      backlog.store(queue, { MessageBody: 'now' });
      expect(queue.records.map((record) => record.body)).to.deep.equal(['now']);
    });
  }

  it('holds sends to a queue whose move task has ended', () => {
    const backlog = createSqsBacklog(now);
    const queue = new FakeQueue();
    backlog.watch(queue);
    queue.tasks = [{ Status: 'COMPLETED' }];
    backlog.store(queue, { MessageBody: 'held' });
    expect(queue.records).to.deep.equal([]);
  });

  it('stores a record local-aws-sqs makes by itself (a redrive) after the messages held before it', () => {
    const backlog = createSqsBacklog(now);
    const queue = new FakeQueue();
    backlog.watch(queue);
    backlog.store(queue, { MessageBody: 'sent first' });
    queue.setRecord({ MessageBody: 'redriven' });
    expect(queue.records.map((record) => record.body)).to.deep.equal(['sent first', 'redriven']);
  });

  it('answers for the queue made again under a deleted one\'s name', () => {
    const backlog = createSqsBacklog(now);
    const old = new FakeQueue();
    backlog.watch(old);
    const again = new FakeQueue();
    backlog.watch(again);
    backlog.store(again, { MessageBody: 'to the new queue' });
    backlog.store(old, { MessageBody: 'to the deleted one' });
    expect(backlog.held('records')).to.deep.equal([{ MessageBody: 'to the new queue' }]);
    expect(old.records.map((record) => record.body)).to.deep.equal(['to the deleted one']);
  });

  describe('retention', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => clock.restore());

    it('drops a held message once its retention has passed, and gives a stored one the retention left', () => {
      const backlog = createSqsBacklog(now);
      const queue = new FakeQueue();
      backlog.watch(queue);
      backlog.store(queue, { MessageBody: 'expires' });
      time += 30_000;
      const kept = backlog.store(queue, { MessageBody: 'kept' }).record.MessageId;
      time += 40_000;
      expect(backlog.held('records')).to.deep.equal([{ MessageBody: 'kept' }]);
      backlog.beforeRequest(response(), () => undefined);
      expect(queue.records.map((record) => record.body)).to.deep.equal(['kept']);
      // Sent 40 s ago with 60 s of retention: 20 s left, not the 60 s local-aws-sqs's timer started with.
      clock.tick(19_999);
      expect(queue.deleted).to.deep.equal([]);
      clock.tick(1);
      expect(queue.deleted).to.deep.equal([kept]);
    });
  });
});

describe('local/sqs-backlog: through the SQS emulator', () => {
  const env = emulatorsEachTest();

  const createQueue = async (name: string) => (await env.clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;

  it('receives the messages sent in the order sent, with the ids and digests the sends answered, all counted at once', async () => {
    const url = await createQueue('backlog-order');
    const before = Date.now();
    const sent = [];
    for (const body of ['one', 'two']) sent.push(await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: ATTRIBUTES })));
    const batch = await env.clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'three' }, { Id: 'b', MessageBody: 'four' }] }));
    const { Attributes } = await env.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }));
    expect(Attributes).to.deep.equal({ ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesDelayed: '0' });
    const { Messages } = await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], AttributeNames: ['All'] }));
    expect(Messages!.map((message) => message.Body)).to.deep.equal(['one', 'two', 'three', 'four']);
    const answered = [...sent, ...batch.Successful!].map(({ MessageId, MD5OfMessageBody, MD5OfMessageAttributes }) => ({ MessageId, MD5OfMessageBody, MD5OfMessageAttributes }));
    expect(Messages!.map(({ MessageId, MD5OfBody, MD5OfMessageAttributes }) => ({ MessageId, MD5OfMessageBody: MD5OfBody, MD5OfMessageAttributes }))).to.deep.equal(answered);
    for (const message of Messages!) expect(Number(message.Attributes!.SentTimestamp)).to.be.within(before, Date.now());
  });

  it('reads the queue in process as the messages stored, then the ones held, in the order sent', async () => {
    const url = await createQueue('backlog-journal');
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'stored', MessageAttributes: ATTRIBUTES }));
    // local-aws-sqs answering anything has it store the first message.
    await env.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'held' }));
    expect(env.emulators.queueMessages(url)).to.deep.equal([{ body: 'stored', messageId: 'item-1' }, { body: 'held' }]);
  });

  it('hands a long poll that is waiting the message sent meanwhile', async () => {
    const url = await createQueue('backlog-long-poll');
    const started = Date.now();
    const polling = env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'awaited' }));
    const { Messages } = await polling;
    expect(Messages!.map((message) => message.Body)).to.deep.equal(['awaited']);
    expect(Date.now() - started).to.be.below(5000);
  });
});

import { expect } from 'chai';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { MESSAGE_ID_ATTRIBUTE, peekMessages } from '../../execution/queue.ts';
import { emulatorsEachTest } from './emulators-each-test.ts';

describe('local/queue-journal: what an emulated queue holds, read in process', () => {
  const env = emulatorsEachTest();

  const createQueue = async (name: string) => (await env.clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const attribute = (id: string) => ({ [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } });

  it('answers every message sent, one by one or in batches, with its body and MessageId attribute, as a peek reads them', async () => {
    const url = await createQueue('journal-sent');
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first', MessageAttributes: attribute('id-1') }));
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'second', MessageAttributes: attribute('id-2') },
          { Id: 'b', MessageBody: 'third' },
        ],
      }),
    );
    const held = env.emulators.queueMessages(url);
    expect(held).to.deep.equal([{ body: 'first', messageId: 'id-1' }, { body: 'second', messageId: 'id-2' }, { body: 'third' }]);
    const byBody = (a: { body: string }, b: { body: string }) => a.body.localeCompare(b.body);
    expect([...held!].sort(byBody)).to.deep.equal((await peekMessages(env.clients.sqs, url)).sort(byBody));
  });

  it('keeps each queue apart and answers an empty queue with no messages', async () => {
    const [one, two] = [await createQueue('journal-one'), await createQueue('journal-two')];
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: one, MessageBody: 'only here' }));
    expect(env.emulators.queueMessages(one)).to.deep.equal([{ body: 'only here' }]);
    expect(env.emulators.queueMessages(two)).to.deep.equal([]);
  });

  it('cannot vouch for a queue a consumer took a message from, nor for one it never saw created', async () => {
    const url = await createQueue('journal-consumed');
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'taken' }));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'left' }));
    const { Messages = [] } = await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    await env.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0]!.ReceiptHandle! }));
    expect(env.emulators.queueMessages(url)).to.equal(undefined);
    // Nor later: what it noted no longer says what the queue holds.
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
    expect(env.emulators.queueMessages(url)).to.equal(undefined);
    expect((await peekMessages(env.clients.sqs, url)).map((message) => message.body).sort()).to.deep.equal(['after', 'left']);
    expect(env.emulators.queueMessages(`${env.emulators.endpoints.sqs}/000000000000/no-such-queue`)).to.equal(undefined);
  });
});

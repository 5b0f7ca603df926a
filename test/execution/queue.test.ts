import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createClients } from '../../execution/clients.ts';
import { MESSAGE_ID_ATTRIBUTE, peekMessages, peekQueue } from '../../execution/queue.ts';

describe('execution/queue peekMessages, peekQueue', () => {
  let server: Server;
  let sqs: SQSClient;

  before(async () => {
    server = (await createSqsServer({ port: 0, hostname: '127.0.0.1' })) as Server;
    const { port } = server.address() as AddressInfo;
    sqs = createClients({
      region: 'us-east-1',
      endpoints: { sqs: `http://127.0.0.1:${port}` },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).sqs;
  });

  after(async () => {
    sqs.destroy();
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  });

  async function queueWith(name: string, count: number, Attributes?: Record<string, string>): Promise<string> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, ...(Attributes ? { Attributes } : {}) }));
    for (let index = 1; index <= count; index += 1) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: QueueUrl!,
          MessageBody: `body ${index}`,
          ...(index % 2 === 0
            ? { MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: `id-${index}` } } }
            : {}),
        }),
      );
    }
    return QueueUrl!;
  }

  it('returns every message with its MessageId attribute, and leaves them all in the queue', async () => {
    const url = await queueWith('peek-all', 23);

    const peeked = await peekMessages(sqs, url);

    expect(peeked).to.have.length(23);
    expect(peeked.map((message) => message.body)).to.have.members(
      Array.from({ length: 23 }, (_, index) => `body ${index + 1}`),
    );
    expect(peeked.find((message) => message.body === 'body 4')).to.deep.equal({ body: 'body 4', messageId: 'id-4' });
    expect(peeked.find((message) => message.body === 'body 3')).to.deep.equal({ body: 'body 3' });

    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(again.Messages, 'messages are visible again after the peek').to.have.length(10);
  });

  it('stops at max', async () => {
    const url = await queueWith('peek-max', 15);
    expect(await peekMessages(sqs, url, { max: 4 })).to.have.length(4);
  });

  it('returns nothing for an empty queue', async () => {
    const url = await queueWith('peek-empty', 0);
    expect(await peekMessages(sqs, url)).to.deep.equal([]);
  });

  it('counts each peek as a receive of every message, and reads the redrive policy that receive counts toward', async () => {
    const { QueueUrl: dlq } = await sqs.send(new CreateQueueCommand({ QueueName: 'peek-dlq' }));
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:${dlq!.split('/').pop()}`;
    const url = await queueWith('peek-redrive', 3, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
    });
    const first = await peekQueue(sqs, url);
    const second = await peekQueue(sqs, url);
    expect(second.maxReceiveCount).to.equal(5);
    expect(first.messages.map((message) => message.receiveCount)).to.deep.equal([1, 1, 1]);
    // On AWS the second peek finds 2; the emulator also counts the release (ChangeMessageVisibility) as one.
    expect(second.messages.every((message) => message.receiveCount > 1)).to.be.true;
  });

  it('reports no maxReceiveCount for a queue without a redrive policy', async () => {
    const url = await queueWith('peek-no-redrive', 1);
    expect(await peekQueue(sqs, url)).to.deep.equal({ messages: [{ body: 'body 1', receiveCount: 1 }] });
  });
});

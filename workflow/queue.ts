// Reads what a queue holds without consuming it: messages are received (hidden from
// other consumers for a moment) and then released at once, so a later consumer still
// gets every one of them. If this process dies mid-peek they reappear on their own.
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveredMessage } from './execution-record.ts';

export const MESSAGE_ID_ATTRIBUTE = 'MessageId';

export interface PeekOptions {
  /** Stop after this many messages. */
  max?: number;
  /** Seconds a message stays hidden while the peek runs. */
  holdSeconds?: number;
  /** Empty long-polled receives tolerated before the queue counts as read. */
  emptyReceives?: number;
}

const RECEIVE_BATCH = 10;

export async function peekMessages(
  sqs: SQSClient,
  queueUrl: string,
  options: PeekOptions = {},
): Promise<DeliveredMessage[]> {
  const { max = Number.POSITIVE_INFINITY, holdSeconds = 60, emptyReceives = 2 } = options;
  const expected = await visibleCount(sqs, queueUrl);
  const seen = new Map<string, Message>();
  let empties = 0;
  try {
    while (seen.size < max) {
      const drained = seen.size >= expected;
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: RECEIVE_BATCH,
          VisibilityTimeout: holdSeconds,
          // A short poll on AWS samples only some of the queue's servers: before giving up
          // on a queue that should hold more, ask again with a long poll, which asks them all.
          WaitTimeSeconds: !drained && empties > 0 ? 1 : 0,
          MessageAttributeNames: [MESSAGE_ID_ATTRIBUTE],
        }),
      );
      if (Messages.length === 0) {
        empties += 1;
        if (drained || empties >= emptyReceives) break;
        continue;
      }
      empties = 0;
      // A standard queue may hand the same message out twice: keep its latest receipt handle.
      for (const message of Messages) {
        if (message.MessageId) seen.set(message.MessageId, message);
      }
    }
  } finally {
    await release(sqs, queueUrl, [...seen.values()]);
  }
  return [...seen.values()].slice(0, max).map(toDelivered);
}

async function visibleCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

// A release that fails only delays the message: it becomes visible again after holdSeconds.
async function release(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += RECEIVE_BATCH) {
    const batch = messages.slice(start, start + RECEIVE_BATCH);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle!,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

function toDelivered(message: Message): DeliveredMessage {
  const messageId = message.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue;
  return { body: message.Body ?? '', ...(messageId === undefined ? {} : { messageId }) };
}

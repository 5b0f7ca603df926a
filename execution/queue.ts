// Reads what a queue holds without consuming it: messages are received (hidden from
// other consumers for a moment) and then released at once, so a later consumer still
// gets every one of them. If this process dies mid-peek they reappear on their own.
// SQS has no true peek: every ReceiveMessage, whatever its VisibilityTimeout, adds one to
// each returned message's ApproximateReceiveCount, and once that count passes the redrive
// policy's maxReceiveCount SQS moves the message to the dead-letter queue. Peek only a queue
// whose messages nobody else needs, or say so to whoever asks for a peek.
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveredMessage } from './execution-record.ts';

export const MESSAGE_ID_ATTRIBUTE = 'MessageId';

/** A peeked message, with the receives it has had, this peek's included. */
export interface PeekedMessage extends DeliveredMessage {
  receiveCount: number;
}

export interface QueuePeek {
  messages: PeekedMessage[];
  /** The redrive policy's maxReceiveCount, when the queue has one. */
  maxReceiveCount?: number;
}

export interface PeekOptions {
  /** Stop after this many messages. */
  max?: number;
  /** Seconds a message stays hidden while the peek runs. */
  holdSeconds?: number;
  /** Empty long-polled receives tolerated before the queue counts as read. */
  emptyReceives?: number;
}

const RECEIVE_BATCH = 10;
// Receives and releases run this many at a time: one at a time, a queue of a few thousand
// messages takes seconds to read.
const PARALLEL_REQUESTS = 10;

/** The queue's messages, without their receive counts. */
export async function peekMessages(
  sqs: SQSClient,
  queueUrl: string,
  options: PeekOptions = {},
): Promise<DeliveredMessage[]> {
  return (await peekQueue(sqs, queueUrl, options)).messages.map(({ receiveCount: _, ...message }) => message);
}

export async function peekQueue(sqs: SQSClient, queueUrl: string, options: PeekOptions = {}): Promise<QueuePeek> {
  const { max = Number.POSITIVE_INFINITY, holdSeconds = 60, emptyReceives = 2 } = options;
  const { expected, maxReceiveCount } = await queueState(sqs, queueUrl);
  const seen = new Map<string, Message>();
  let empties = 0;
  try {
    while (seen.size < max) {
      const drained = seen.size >= expected;
      const wanted = drained ? 1 : Math.ceil((Math.min(max, expected) - seen.size) / RECEIVE_BATCH);
      // A short poll on AWS samples only some of the queue's servers: before giving up
      // on a queue that should hold more, ask again with a long poll, which asks them all.
      const waitSeconds = !drained && empties > 0 ? 1 : 0;
      const received = (
        await Promise.all(
          Array.from({ length: Math.min(wanted, PARALLEL_REQUESTS) }, () =>
            receive(sqs, queueUrl, holdSeconds, waitSeconds),
          ),
        )
      ).flat();
      if (received.length === 0) {
        empties += 1;
        if (drained || empties >= emptyReceives) break;
        continue;
      }
      empties = 0;
      // A standard queue may hand the same message out twice: keep its latest receipt handle.
      for (const message of received) {
        if (message.MessageId) seen.set(message.MessageId, message);
      }
    }
  } finally {
    await release(sqs, queueUrl, [...seen.values()]);
  }
  const messages = [...seen.values()].slice(0, max).map(toPeeked);
  return maxReceiveCount === undefined ? { messages } : { messages, maxReceiveCount };
}

async function receive(sqs: SQSClient, queueUrl: string, holdSeconds: number, waitSeconds: number): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: RECEIVE_BATCH,
      VisibilityTimeout: holdSeconds,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: [MESSAGE_ID_ATTRIBUTE],
      // AWS reads either field; the emulators know only the older AttributeNames, which the
      // SDK types with queue attribute names, so it asks for All there.
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      AttributeNames: ['All'],
    }),
  );
  return Messages;
}

async function queueState(sqs: SQSClient, queueUrl: string): Promise<{ expected: number; maxReceiveCount?: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'RedrivePolicy'] }),
  );
  const expected = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const maxReceiveCount = Number((parseJson(Attributes.RedrivePolicy) as { maxReceiveCount?: unknown } | undefined)?.maxReceiveCount);
  return Number.isInteger(maxReceiveCount) ? { expected, maxReceiveCount } : { expected };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// A release that fails only delays the message: it becomes visible again after holdSeconds.
async function release(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  const batches: Message[][] = [];
  for (let start = 0; start < messages.length; start += RECEIVE_BATCH) {
    batches.push(messages.slice(start, start + RECEIVE_BATCH));
  }
  for (let start = 0; start < batches.length; start += PARALLEL_REQUESTS) {
    await Promise.all(
      batches.slice(start, start + PARALLEL_REQUESTS).map((batch) =>
        sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle!,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      ),
    );
  }
}

function toPeeked(message: Message): PeekedMessage {
  const messageId = message.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue;
  return {
    body: message.Body ?? '',
    ...(messageId === undefined ? {} : { messageId }),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
  };
}

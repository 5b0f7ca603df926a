// Messages sent on the fast path to a quiet standard queue, kept compact until anything else looks
// at the queue. local-aws-sqs keeps each message as a record, a holder and two timers, 800 to
// 900 B a message (bench/emulator-costs.ts): at a million messages, most of the at-scale run's
// heap. A workflow that only sends (a Map Run's children) needs none of that until something
// reads the queue. The backlog keeps a message's id, body, attributes and sending time, answers
// the send as local-aws-sqs would (the same id and digests), and hands the messages to the queue's
// own setRecord, in the order sent, before anything else reads or writes the queue: any request
// local-aws-sqs answers, and any record it stores by itself (a redrive). Each record then carries
// its own sending time, and the retention left to it.
//
// Sends go to setRecord at once instead (nothing is held back) while local-aws-sqs is answering a
// request (a long poll may be waiting for the message), while a purge is pending (it will clear
// what the queue holds by then), while the queue is the source of a message move task, and on a
// FIFO queue or one that delays its messages.
import { hash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { md5OfMessageAttributes, type MessageAttribute } from './sqs-attributes-digest.ts';

/** A send's message, as the fast path checked it: a body, and String attributes or none. */
export interface SentMessage {
  MessageBody: string;
  MessageAttributes?: Record<string, MessageAttribute>;
}

/** What setRecord answers with (and the backlog too): the stored record, of which a send's answer is made. */
export interface StoredMessage {
  record: { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string; attributes: { SentTimestamp?: string; SequenceNumber?: string } };
  MD5OfMessageSystemAttributes?: string;
  /** The retention timer local-aws-sqs gives a stored message (its holder's). */
  tmRetention?: NodeJS.Timeout;
}

/** The parts of local-aws-sqs's Queue the backlog reads and calls (its public members). */
export interface BackloggedQueue {
  QueueName: string;
  FifoQueue: boolean;
  DelaySeconds: unknown;
  MessageRetentionPeriod: unknown;
  purgeInProgress: boolean;
  setRecord(message: SentMessage, messageId?: string): StoredMessage;
  newRecord: (...args: never[]) => unknown;
  delete(receiptHandle: string): unknown;
  listMessageMoveTasks(count: number): { Status?: string }[];
}

/** A queue's held messages, oldest first, in parallel lists (no object a message). */
interface Held {
  ids: string[];
  bodies: string[];
  attributes: (Record<string, MessageAttribute> | undefined)[];
  sentAt: number[];
}

export interface SqsBacklog {
  /** Starts holding the queue's fast-path sends; call it as the queue is created. */
  watch(queue: BackloggedQueue): void;
  /** Stores a fast-path send: held when the queue is quiet, through the queue's setRecord otherwise. */
  store(queue: BackloggedQueue, message: SentMessage): StoredMessage;
  /**
   * Before local-aws-sqs answers a request: every held message is stored, and the request counts
   * as being answered until its response ends. `answer` runs at once, or a turn later when
   * messages were just stored (the records local-aws-sqs makes count as delayed until then).
   */
  beforeRequest(res: ServerResponse, answer: () => void): void;
  /** The messages held for the queue (not yet stored), oldest first, those past their retention left out. */
  held(queueName: string): SentMessage[];
}

const md5 = (text: string) => hash('md5', text, 'hex');

// A move task's statuses while its timer still runs.
const MOVING = new Set(['RUNNING', 'CANCELLING']);

/** local-aws-sqs's receipt handle for a message: its delete reads the id and queue name out of it. */
const receiptHandle = (queueName: string, messageId: string) =>
  Buffer.from(JSON.stringify({ date: Date.now(), MessageId: messageId, QueueName: queueName }), 'utf8').toString('base64');

/** What local-aws-sqs's retention timer does: the message leaves the queue, if it is still there. */
function removeAfterRetention(queue: BackloggedQueue, messageId: string): void {
  try {
    queue.delete(receiptHandle(queue.QueueName, messageId));
  } catch {
    // The queue no longer knows the message (its handle is refused): nothing is left to remove.
  }
}

export function createSqsBacklog(now: () => number = Date.now): SqsBacklog {
  // By name, as local-aws-sqs finds a queue: a queue made again under a deleted one's name replaces it.
  const queues = new Map<string, { queue: BackloggedQueue; held: Held }>();
  let answering = 0;
  let flushing = false;
  // Records just stored count as delayed until local-aws-sqs's zero-delay timers have run.
  let settling = false;

  const retentionMs = (queue: BackloggedQueue) => Number(queue.MessageRetentionPeriod) * 1000;

  const quiet = (queue: BackloggedQueue): boolean =>
    answering === 0 &&
    !queue.FifoQueue &&
    queue.DelaySeconds === 0 &&
    !queue.purgeInProgress &&
    Number.isFinite(retentionMs(queue)) &&
    !queue.listMessageMoveTasks(1).some((task) => MOVING.has(task.Status ?? ''));

  /** Drops the held messages whose retention has passed: local-aws-sqs's timers would have removed them. */
  const expire = (queue: BackloggedQueue, held: Held) => {
    const oldest = now() - retentionMs(queue);
    let gone = 0;
    while (gone < held.sentAt.length && held.sentAt[gone]! <= oldest) gone += 1;
    if (gone === 0) return;
    held.ids.splice(0, gone);
    held.bodies.splice(0, gone);
    held.attributes.splice(0, gone);
    held.sentAt.splice(0, gone);
  };

  /** Stores the queue's held messages through its setRecord, in the order sent. */
  const flush = (queue: BackloggedQueue, held: Held) => {
    expire(queue, held);
    const count = held.ids.length;
    if (count === 0) return;
    const { ids, bodies, attributes, sentAt } = held;
    held.ids = [];
    held.bodies = [];
    held.attributes = [];
    held.sentAt = [];
    flushing = true;
    try {
      for (let index = 0; index < count; index += 1) {
        const message: SentMessage = attributes[index] === undefined ? { MessageBody: bodies[index]! } : { MessageBody: bodies[index]!, MessageAttributes: attributes[index]! };
        const stored = queue.setRecord(message, ids[index]!);
        stored.record.attributes.SentTimestamp = String(sentAt[index]);
        // The retention left: local-aws-sqs's timer started now; its own expiry deletes the message by id.
        clearTimeout(stored.tmRetention);
        stored.tmRetention = setTimeout(removeAfterRetention, Math.max(0, sentAt[index]! + retentionMs(queue) - now()), queue, ids[index]!).unref();
      }
    } finally {
      flushing = false;
    }
    settling = true;
    setTimeout(() => {
      settling = false;
    }, 0).unref();
  };

  const flushAll = () => {
    for (const { queue, held } of queues.values()) flush(queue, held);
  };

  return {
    watch(queue) {
      const held: Held = { ids: [], bodies: [], attributes: [], sentAt: [] };
      queues.set(queue.QueueName, { queue, held });
      // A record local-aws-sqs stores by itself (a redrive, a moved message) comes after the held ones.
      const newRecord = queue.newRecord;
      queue.newRecord = (...args) => {
        if (!flushing && held.ids.length > 0) flush(queue, held);
        return newRecord(...args);
      };
    },
    store(queue, message) {
      const entry = queues.get(queue.QueueName);
      if (entry?.queue !== queue || !quiet(queue)) return queue.setRecord(message);
      const { held } = entry;
      expire(queue, held);
      const id = randomUUID();
      held.ids.push(id);
      held.bodies.push(message.MessageBody);
      held.attributes.push(message.MessageAttributes);
      held.sentAt.push(now());
      // The digests local-aws-sqs's createRecord gives the record.
      const record = message.MessageAttributes
        ? { MessageId: id, MD5OfMessageBody: md5(message.MessageBody), MD5OfMessageAttributes: md5OfMessageAttributes(message.MessageAttributes), attributes: {} }
        : { MessageId: id, MD5OfMessageBody: md5(message.MessageBody), attributes: {} };
      return { record };
    },
    beforeRequest(res, answer) {
      flushAll();
      answering += 1;
      const end = res.end;
      let ended = false;
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        if (!ended) {
          ended = true;
          answering -= 1;
        }
        return (end as (...args: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['end'];
      // After the zero-delay timers of the records just stored (a later timer of the same delay runs after them).
      if (settling) setTimeout(answer, 0);
      else answer();
    },
    held(queueName) {
      const entry = queues.get(queueName);
      if (entry === undefined) return [];
      const { queue, held } = entry;
      expire(queue, held);
      return held.bodies.map((body, index) => (held.attributes[index] === undefined ? { MessageBody: body } : { MessageBody: body, MessageAttributes: held.attributes[index]! }));
    },
  };
}

// FIFO deduplication as AWS documents it, on local-aws-sqs's queues. AWS accepts a message whose
// deduplication id (within its group, when DeduplicationScope is messageGroup) was sent in the
// last five minutes, answers with the first copy's MessageId, and delivers nothing, "even after
// the message has been received and deleted"; after five minutes a copy is a new message.
// local-aws-sqs instead looks for the first copy among the messages the queue still holds: once
// it is consumed a copy is delivered again, and while it is held no copy ever gets in. This
// layer keeps the sent ids for the interval and decides alone; the emulator still validates
// the request (MessageGroupId required, a deduplication id or content-based deduplication).

/** How long SQS remembers a FIFO message's deduplication id. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;

/** The parts of local-aws-sqs's stored record this layer reads and answers with. */
interface StoredRecord {
  MessageId: string;
  attributes: { SequenceNumber?: string; MessageDeduplicationId?: string };
}

/** What setRecord is given: a send's parameters. */
interface SentMessage {
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  MessageAttributes?: unknown;
  MessageSystemAttributes?: unknown;
}

type Stored = { record: StoredRecord; MD5OfMessageSystemAttributes?: string };

/** The parts of local-aws-sqs's Queue this layer uses (its public members). */
export interface DeduplicatedQueue {
  FifoQueue?: boolean;
  DeduplicationScope?: string;
  setRecord: (message: SentMessage, messageId?: string) => Stored;
}

/** local-aws-sqs's record builder, a static of its Queue class: a record that is answered, not stored. */
type CreateRecord = (message: SentMessage & { MessageId: string; SequenceNumber?: string }) => [StoredRecord, string | undefined];

/** Makes the queue deduplicate over AWS's interval, on `now`'s clock; a Standard queue is left as it is. */
export function enforceDeduplicationInterval(queue: DeduplicatedQueue, now: () => number = Date.now): void {
  const store = queue.setRecord;
  const createRecord = (queue.constructor as unknown as { createRecord: CreateRecord }).createRecord;
  // By key, in the order first sent, so the expired ones are at the front.
  const sent = new Map<string, { at: number; messageId: string; sequenceNumber?: string }>();
  let stored = 0;
  queue.setRecord = (message, messageId) => {
    const id = message.MessageDeduplicationId;
    if (!queue.FifoQueue || message.MessageGroupId === undefined || id === undefined) return store(message, messageId);
    const time = now();
    for (const [key, entry] of sent) {
      if (time - entry.at < DEDUPLICATION_INTERVAL_MS) break;
      sent.delete(key);
    }
    const key = queue.DeduplicationScope === 'messageGroup' ? `${message.MessageGroupId}\u0000${id}` : id;
    const first = sent.get(key);
    if (first) {
      // Accepted, not delivered: the answer carries the first copy's MessageId and sequence number.
      const [record, md5] = createRecord({ ...message, MessageId: first.messageId, ...(first.sequenceNumber ? { SequenceNumber: first.sequenceNumber } : {}) });
      return md5 === undefined ? { record } : { record, MD5OfMessageSystemAttributes: md5 };
    }
    // A deduplication id no stored record carries, so the emulator's own lookup never matches;
    // the record keeps the real one.
    stored += 1;
    const result = store({ ...message, MessageDeduplicationId: `${id}\u0000${stored}` }, messageId);
    result.record.attributes.MessageDeduplicationId = id;
    sent.set(key, { at: time, messageId: result.record.MessageId, ...(result.record.attributes.SequenceNumber ? { sequenceNumber: result.record.attributes.SequenceNumber } : {}) });
    return result;
  };
}

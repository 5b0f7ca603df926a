// What an emulated queue holds, read in process. local-aws-sqs keeps a queue's messages in one
// array that every ReceiveMessage and ChangeMessageVisibility scans from the start, so reading a
// queue of N messages through the API (execution/queue.ts's peek) costs N²/10 steps: minutes at
// 100,000 messages, days at a million. The journal instead notes each message record as the
// emulator stores it (every send, batch send and redrive goes through the queue's newRecord) and
// answers with those very records, as long as the queue's own count says it still holds exactly
// them; when something removed a message (a consumer, a redrive), it answers undefined and the
// caller reads the queue through the API. Messages sent but not yet stored (sqs-backlog.ts) come
// after the stored ones.
import type { DeliveredMessage } from '../../execution/execution-record.ts';
import { MESSAGE_ID_ATTRIBUTE } from '../../execution/queue.ts';

/** The parts of local-aws-sqs's stored message a reconciliation reads. */
interface StoredRecord {
  MessageBody: string;
  MessageAttributes?: Record<string, { StringValue?: string } | undefined>;
}

/** The parts of local-aws-sqs's Queue the journal uses (its public members). */
export interface EmulatedQueue {
  QueueName: string;
  newRecord: (message: StoredRecord, delay?: number) => { record: StoredRecord };
  getAttributes(names: string[]): Record<string, string> | undefined;
}

export interface QueueJournal {
  /** Starts noting the queue's messages; call it as the queue is created, before anything is sent. */
  watch(queue: EmulatedQueue): void;
  /** The messages the queue holds, oldest first; undefined when the journal cannot vouch for them. */
  messages(queueName: string): DeliveredMessage[] | undefined;
}

/** A stored or held message as the reconciliation reads it. */
function delivered(record: StoredRecord): DeliveredMessage {
  const messageId = record.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue;
  return messageId === undefined ? { body: record.MessageBody } : { body: record.MessageBody, messageId };
}

/** The messages sent to a queue and held back from the emulator, oldest first (sqs-backlog.ts's held). */
export type HeldMessages = (queueName: string) => StoredRecord[];

export function createQueueJournal(held: HeldMessages = () => []): QueueJournal {
  const journals = new Map<string, { queue: EmulatedQueue; store: EmulatedQueue['newRecord']; records: StoredRecord[] }>();
  return {
    watch(queue) {
      const records: StoredRecord[] = [];
      const store = queue.newRecord;
      queue.newRecord = (message, delay) => {
        const stored = store(message, delay);
        records.push(stored.record);
        return stored;
      };
      journals.set(queue.QueueName, { queue, store, records });
    },
    messages(queueName) {
      const journal = journals.get(queueName);
      if (!journal) return undefined;
      const attributes = journal.queue.getAttributes(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed']) ?? {};
      // local-aws-sqs counts every stored message as either not delayed or delayed.
      const stored = Number(attributes.ApproximateNumberOfMessages ?? NaN) + Number(attributes.ApproximateNumberOfMessagesDelayed ?? NaN);
      if (stored !== journal.records.length) {
        // A message left the queue: the journal can never vouch for it again, and lets its records go.
        journal.queue.newRecord = journal.store;
        journals.delete(queueName);
        return undefined;
      }
      const messages = journal.records.map(delivered);
      for (const record of held(queueName)) messages.push(delivered(record));
      return messages;
    },
  };
}

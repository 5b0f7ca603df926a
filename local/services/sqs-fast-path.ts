// local-aws-sqs's SendMessage and SendMessageBatch, answered at once for the requests the workflows
// make. local-aws-sqs reads each request through a chain of generators (the body from its stream,
// the URL parsed, an action object built, then checked field by field) before it stores the
// message: most of what a sent message costs. This path takes only the requests local-aws-sqs
// would accept as they are: JSON protocol, a queue that exists, bodies that are non-empty strings,
// String attributes with plain names, FIFO fields only on a FIFO queue, nothing of its other options.
// It stores them the way local-aws-sqs's own handler does, through the queue's setRecord (the
// record, its MD5s, its timers, FIFO deduplication: fifo-deduplication.ts), or hands them to the
// backlog that stores them there later (sqs-backlog.ts), and answers with the same bytes. Every other request, and every request local-aws-sqs would refuse, goes to
// local-aws-sqs itself, which answers it, errors included.
import { createHash, randomUUID } from 'node:crypto';
import { isObject } from '../../workflow/json.ts';
import { parsedBody, type FastAnswer, type FastRequest } from './fast-path.ts';

/** A message as setRecord is given it: the request's own fields. */
type Message = Record<string, unknown>;

/** What setRecord returns: the stored (or, deduplicated, the first) record. */
interface Stored {
  record: { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string; attributes: { SequenceNumber?: string } };
  MD5OfMessageSystemAttributes?: string;
}

/** The parts of local-aws-sqs's Queue the path reads (its public members). */
export interface FastPathQueue {
  QueueName: string;
  FifoQueue: boolean;
  ContentBasedDeduplication: boolean;
  MaximumMessageSize: number;
  setRecord(message: Message): Stored;
}

/** How the path stores a message it accepted: the queue's setRecord, or the backlog in front of it (sqs-backlog.ts). */
export type StoreMessage = (queue: FastPathQueue, message: Message) => Stored;

const setRecord: StoreMessage = (queue, message) => queue.setRecord(message);

/** The parts of local-aws-sqs's service the path reads. */
export interface FastPathService {
  Queues: FastPathQueue[];
  deletingQueues: Set<string>;
}

// local-aws-sqs takes a request as JSON only when its Content-Type is exactly this.
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
// local-aws-sqs's limits: attributes per message, a batch's entries and bytes (an attribute name's length is in PLAIN_ATTRIBUTE_NAME).
const MAX_ATTRIBUTES = 10;
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;

// What local-aws-sqs accepts as a group or deduplication id, and as a batch entry's Id.
const GROUP_OR_DEDUPLICATION_ID = /^[a-zA-Z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
// Attribute names the path takes: local-aws-sqs's rules on dots and reserved prefixes cannot apply.
const PLAIN_ATTRIBUTE_NAME = /^[A-Za-z0-9_-]{1,256}$/;

const SEND_FIELDS = new Set(['QueueUrl', 'MessageBody', 'MessageAttributes', 'MessageGroupId', 'MessageDeduplicationId']);
const BATCH_FIELDS = new Set(['QueueUrl', 'Entries']);
const ENTRY_FIELDS = new Set(['Id', 'MessageBody', 'MessageAttributes', 'MessageGroupId', 'MessageDeduplicationId']);

const onlyFields = (value: Record<string, unknown>, fields: Set<string>) => Object.keys(value).every((key) => fields.has(key));

// A loop sends to a few queues: each URL's queue name is parsed once (a URL that does not parse is not kept).
const NAMES_KEPT = 64;
const queueNames = new Map<string, string | undefined>();
function queueNameOf(queueUrl: string): string | undefined {
  if (queueNames.has(queueUrl)) return queueNames.get(queueUrl);
  const name = new URL(queueUrl).pathname.split('/').filter(Boolean).at(-1);
  if (queueNames.size >= NAMES_KEPT) queueNames.clear();
  queueNames.set(queueUrl, name);
  return name;
}

/** The queue named by the URL's last path segment, as local-aws-sqs finds it; undefined if absent or being deleted. */
function queueOf(service: FastPathService, queueUrl: unknown): FastPathQueue | undefined {
  if (typeof queueUrl !== 'string') return undefined;
  let name: string | undefined;
  try {
    name = queueNameOf(queueUrl);
  } catch {
    return undefined;
  }
  const queue = service.Queues.find((candidate) => candidate.QueueName == name);
  return queue === undefined || service.deletingQueues.has(queue.QueueName) ? undefined : queue;
}

/** The bytes local-aws-sqs counts of String attributes that pass its checks; undefined for any other attributes. */
function attributesSize(attributes: unknown): number | undefined {
  if (!isObject(attributes)) return undefined;
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) return undefined;
  let size = 0;
  // By index: every send checks its attributes, mostly before V8 has optimized this, and there a
  // for...of allocates an iterator and a result object per element.
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const value = attributes[name];
    if (!PLAIN_ATTRIBUTE_NAME.test(name) || !isObject(value)) return undefined;
    const keys = Object.keys(value);
    if (keys.length !== 2 || value.DataType !== 'String' || typeof value.StringValue !== 'string' || value.StringValue === '') return undefined;
    size += name.length + value.DataType.length + value.StringValue.length;
  }
  return size;
}

/** The size local-aws-sqs counts of a message it would store as it is; undefined for any other message. */
function acceptedSize(message: Message, queue: FastPathQueue): number | undefined {
  const body = message.MessageBody;
  if (typeof body !== 'string' || body === '') return undefined;
  let size = body.length;
  if (message.MessageAttributes !== undefined) {
    const attributes = attributesSize(message.MessageAttributes);
    if (attributes === undefined) return undefined;
    size += attributes;
  }
  if (size > queue.MaximumMessageSize) return undefined;
  if (!queue.FifoQueue) return 'MessageGroupId' in message || 'MessageDeduplicationId' in message ? undefined : size;
  if (typeof message.MessageGroupId !== 'string' || !GROUP_OR_DEDUPLICATION_ID.test(message.MessageGroupId)) return undefined;
  if ('MessageDeduplicationId' in message) {
    return typeof message.MessageDeduplicationId === 'string' && GROUP_OR_DEDUPLICATION_ID.test(message.MessageDeduplicationId) ? size : undefined;
  }
  return queue.ContentBasedDeduplication ? size : undefined;
}

/** The message as local-aws-sqs stores it: a FIFO message without a deduplication id gets its body's SHA-256. */
function withDeduplicationId(message: Message, queue: FastPathQueue): Message {
  if (!queue.FifoQueue || 'MessageDeduplicationId' in message) return message;
  return { ...message, MessageDeduplicationId: createHash('sha256').update(message.MessageBody as string).digest('hex') };
}

function sendMessage(request: Record<string, unknown>, service: FastPathService, store: StoreMessage): string | undefined {
  const queue = queueOf(service, request.QueueUrl);
  if (queue === undefined || !onlyFields(request, SEND_FIELDS) || acceptedSize(request, queue) === undefined) return undefined;
  let stored: Stored;
  try {
    stored = store(queue, withDeduplicationId(request, queue));
  } catch {
    // Nothing was stored (setRecord throws only before it stores): local-aws-sqs answers with its own error.
    return undefined;
  }
  const { record, MD5OfMessageSystemAttributes } = stored;
  const answer: Record<string, unknown> = {
    MD5OfMessageBody: record.MD5OfMessageBody,
    MD5OfMessageAttributes: record.MD5OfMessageAttributes,
    MessageId: record.MessageId,
  };
  if (record.attributes.SequenceNumber) answer.SequenceNumber = record.attributes.SequenceNumber;
  if (MD5OfMessageSystemAttributes) answer.MD5OfMessageSystemAttributes = MD5OfMessageSystemAttributes;
  return JSON.stringify(answer);
}

function sendMessageBatch(request: Record<string, unknown>, service: FastPathService, store: StoreMessage): string | undefined {
  const queue = queueOf(service, request.QueueUrl);
  const entries = request.Entries;
  if (queue === undefined || !onlyFields(request, BATCH_FIELDS) || !Array.isArray(entries)) return undefined;
  if (entries.length === 0 || entries.length > MAX_ENTRIES) return undefined;
  const ids = new Set<string>();
  let total = 0;
  for (const entry of entries as unknown[]) {
    if (!isObject(entry) || !onlyFields(entry, ENTRY_FIELDS) || typeof entry.Id !== 'string' || !ENTRY_ID.test(entry.Id) || ids.has(entry.Id)) return undefined;
    ids.add(entry.Id);
    const size = acceptedSize(entry, queue);
    if (size === undefined) return undefined;
    total += size;
  }
  if (total > MAX_BATCH_BYTES) return undefined;
  const successful: Record<string, unknown>[] = [];
  const failed: Record<string, unknown>[] = [];
  for (const entry of entries as Message[]) {
    // local-aws-sqs answers an entry it could not store as failed, and goes on with the next.
    try {
      const { record, MD5OfMessageSystemAttributes } = store(queue, withDeduplicationId(entry, queue));
      const result: Record<string, unknown> = { Id: entry.Id, MessageId: record.MessageId, MD5OfMessageBody: record.MD5OfMessageBody };
      if (record.attributes.SequenceNumber) result.SequenceNumber = record.attributes.SequenceNumber;
      if (record.MD5OfMessageAttributes) result.MD5OfMessageAttributes = record.MD5OfMessageAttributes;
      if (MD5OfMessageSystemAttributes) result.MD5OfMessageSystemAttributes = MD5OfMessageSystemAttributes;
      successful.push(result);
    } catch (error) {
      const { Code, message, SenderFault } = error as { Code?: string; message?: string; SenderFault?: unknown };
      failed.push({ Code: Code || undefined, Id: entry.Id, Message: message, SenderFault: `${SenderFault}` === 'true' });
    }
  }
  return JSON.stringify({ Successful: successful.length ? successful : undefined, Failed: failed.length ? failed : undefined });
}

const OPERATIONS: Record<string, (request: Record<string, unknown>, service: FastPathService, store: StoreMessage) => string | undefined> = {
  'AmazonSQS.SendMessage': sendMessage,
  'AmazonSQS.SendMessageBatch': sendMessageBatch,
};

/**
 * local-aws-sqs's answer to the request when the fast path can give it, the message(s) stored;
 * undefined to hand the request to local-aws-sqs (whose answer it then is, with nothing changed here).
 */
export function fastSend(request: FastRequest, service: FastPathService, store: StoreMessage = setRecord): FastAnswer | undefined {
  const target = request.headers['x-amz-target'];
  if (request.headers['content-type'] !== JSON_CONTENT_TYPE || typeof target !== 'string' || !Object.hasOwn(OPERATIONS, target)) return undefined;
  let parsed: unknown;
  try {
    parsed = parsedBody(request.body);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const body = OPERATIONS[target]!(parsed, service, store);
  if (body === undefined) return undefined;
  return {
    statusCode: 200,
    headers: [
      ['x-amzn-requestid', randomUUID()],
      ['Content-Type', JSON_CONTENT_TYPE],
    ],
    body,
  };
}

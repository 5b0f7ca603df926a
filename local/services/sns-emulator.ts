// The SNS emulator: topics (standard and FIFO), their SQS subscriptions, and Publish, in this
// process. A published message is recorded and delivered to every SQS subscription of its topic
// as SNS delivers it: wrapped in SNS's JSON envelope ("HTTP/HTTPS notification JSON format":
// Type, MessageId, TopicArn, Subject, Message, Timestamp, the signature fields, MessageAttributes),
// or, with RawMessageDelivery, as the message itself with its attributes as SQS message
// attributes. Signatures are not computed: no certificate signs anything offline. Only SQS
// subscriptions are delivered to; other protocols are refused by name.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { type ArnScope, arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import type { Notification } from '../../execution/execution-record.ts';
import { isObject } from '../../workflow/json.ts';
import type { EmulatedApi } from '../contracts.ts';
import type { DeliverToQueue } from './queue-delivery.ts';
import { EmulatedServiceError } from './service-error.ts';

type Input = Record<string, unknown>;
type Operation = (input: Input) => Record<string, unknown> | Promise<Record<string, unknown>>;

interface Topic {
  arn: string;
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  /** FIFO deduplication: each id seen within the interval, with when. */
  seen: Map<string, number>;
}

interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
}

export interface SnsEmulatorOptions {
  region: string;
  accountId: string;
  deliver: DeliverToQueue;
  record: (notification: Notification) => void;
}

// SNS FIFO topics deduplicate within five minutes, as SQS FIFO queues do.
const DEDUPLICATION_MS = 5 * 60_000;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$|^String\.Array$/;

const isOperation = (name: string): name is SnsOperation => (SNS_OPERATIONS as readonly string[]).includes(name);

const invalid = (what: string) => new EmulatedServiceError('InvalidParameter', `Invalid parameter: ${what}`);
const topicNotFound = () => new EmulatedServiceError('NotFound', 'Topic does not exist', 404);

function text(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw invalid(`${field} Reason: no value for required parameter`);
  return value;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, String(entry)]));
}

interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** Publish's MessageAttributes, checked as SNS checks them: a DataType each, and its value. */
function messageAttributes(value: unknown): Record<string, MessageAttribute> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid('MessageAttributes');
  return Object.fromEntries(
    Object.entries(value).map(([name, attribute]) => {
      const { DataType, StringValue, BinaryValue } = (isObject(attribute) ? attribute : {}) as Partial<MessageAttribute>;
      if (typeof DataType !== 'string' || !DATA_TYPE.test(DataType)) {
        throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
      }
      const binary = DataType.startsWith('Binary');
      if (binary ? typeof BinaryValue !== 'string' : typeof StringValue !== 'string') {
        throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType.split('.')[0]}'.`);
      }
      return [name, binary ? { DataType, BinaryValue: BinaryValue! } : { DataType, StringValue: StringValue! }];
    }),
  );
}

/** The attributes as SQS carries them, for raw delivery (SNS's String.Array travels as a String). */
function sqsAttributes(attributes: Record<string, MessageAttribute>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      DataType.startsWith('Binary')
        ? { DataType, BinaryValue: Buffer.from(BinaryValue ?? '', 'base64') }
        : { DataType: DataType === 'String.Array' ? 'String' : DataType, StringValue: StringValue ?? '' },
    ]),
  );
}

/** MessageStructure "json": the message is a JSON object of one message per protocol, "default" required. */
function messageFor(message: string, structure: unknown): string {
  if (structure === undefined) return message;
  if (structure !== 'json') throw invalid('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalid('Message Structure - JSON message body failed to parse');
  }
  if (!isObject(parsed) || typeof parsed.default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
  return typeof parsed.sqs === 'string' ? parsed.sqs : parsed.default;
}

/** The actions the emulator serves (the compiler holds the handlers to this list). */
export const SNS_OPERATIONS = [
  'CreateTopic',
  'DeleteTopic',
  'ListTopics',
  'GetTopicAttributes',
  'Subscribe',
  'Unsubscribe',
  'ListSubscriptions',
  'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes',
  'SetSubscriptionAttributes',
  'Publish',
] as const;

type SnsOperation = (typeof SNS_OPERATIONS)[number];
/** A group of the handlers, held to the names of SNS_OPERATIONS. */
type Operations = Partial<Record<SnsOperation, Operation>>;

/** One emulator's state: its topics and subscriptions (by ARN), the FIFO sequence, and what it was made with. */
interface SnsState {
  options: SnsEmulatorOptions;
  scope: ArnScope;
  topics: Map<string, Topic>;
  subscriptions: Map<string, Subscription>;
  sequence: bigint;
}

function topicOf({ topics }: SnsState, input: Input, field = 'TopicArn'): Topic {
  const topic = topics.get(text(input, field));
  if (!topic) throw topicNotFound();
  return topic;
}

function subscriptionOf({ subscriptions }: SnsState, input: Input): Subscription {
  const subscription = subscriptions.get(text(input, 'SubscriptionArn'));
  if (!subscription) throw new EmulatedServiceError('NotFound', 'Subscription does not exist', 404);
  return subscription;
}

function topicOperations(state: SnsState) {
  const { scope, topics, subscriptions, options } = state;
  return {
    CreateTopic: (input) => {
      const name = text(input, 'Name');
      const attributes = stringMap(input.Attributes);
      const fifo = name.endsWith('.fifo');
      if (!TOPIC_NAME.test(fifo ? name.slice(0, -'.fifo'.length) : name)) throw invalid('Topic Name');
      if ((attributes.FifoTopic === 'true') !== fifo) throw invalid('Fifo Topic names must end with .fifo and Standard Topic cannot end with .fifo');
      const arn = arns.snsTopic(scope, name);
      // Creating a topic again answers its ARN (SNS is idempotent on the name).
      if (!topics.has(arn)) topics.set(arn, { arn, name, fifo, attributes: { ...attributes, ...(fifo ? { FifoTopic: 'true' } : {}) }, seen: new Map() });
      return { TopicArn: arn };
    },
    DeleteTopic: (input) => {
      const arn = text(input, 'TopicArn');
      topics.delete(arn);
      for (const [subscriptionArn, subscription] of subscriptions) if (subscription.topicArn === arn) subscriptions.delete(subscriptionArn);
      return {};
    },
    ListTopics: () => ({ Topics: [...topics.keys()].map((TopicArn) => ({ TopicArn })) }),
    GetTopicAttributes: (input) => {
      const topic = topicOf(state, input);
      const count = [...subscriptions.values()].filter((subscription) => subscription.topicArn === topic.arn).length;
      return {
        Attributes: {
          ...topic.attributes,
          TopicArn: topic.arn,
          Owner: options.accountId,
          SubscriptionsConfirmed: String(count),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
          ...(topic.fifo ? { ContentBasedDeduplication: topic.attributes.ContentBasedDeduplication ?? 'false' } : {}),
        },
      };
    },
  } satisfies Operations;
}

function subscriptionOperations(state: SnsState) {
  const { subscriptions, options } = state;
  const listed = (subscription: Subscription) => ({
    SubscriptionArn: subscription.arn,
    Owner: options.accountId,
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    TopicArn: subscription.topicArn,
  });
  return {
    Subscribe: (input) => {
      const topic = topicOf(state, input);
      const protocol = text(input, 'Protocol');
      if (protocol !== 'sqs') throw invalid(`Protocol: offline, SNS delivers to sqs subscriptions only, not ${protocol}`);
      const endpoint = text(input, 'Endpoint');
      if (!/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(endpoint)) throw invalid('SQS endpoint ARN');
      const existing = [...subscriptions.values()].find((subscription) => subscription.topicArn === topic.arn && subscription.endpoint === endpoint);
      if (existing) return { SubscriptionArn: existing.arn };
      const arn = `${topic.arn}:${randomUUID()}`;
      subscriptions.set(arn, { arn, topicArn: topic.arn, protocol, endpoint, attributes: stringMap(input.Attributes) });
      return { SubscriptionArn: arn };
    },
    Unsubscribe: (input) => {
      subscriptions.delete(subscriptionOf(state, input).arn);
      return {};
    },
    ListSubscriptions: () => ({ Subscriptions: [...subscriptions.values()].map(listed) }),
    ListSubscriptionsByTopic: (input) => {
      const topic = topicOf(state, input);
      return { Subscriptions: [...subscriptions.values()].filter((subscription) => subscription.topicArn === topic.arn).map(listed) };
    },
    GetSubscriptionAttributes: (input) => {
      const subscription = subscriptionOf(state, input);
      return {
        Attributes: {
          RawMessageDelivery: 'false',
          ...subscription.attributes,
          SubscriptionArn: subscription.arn,
          TopicArn: subscription.topicArn,
          Protocol: subscription.protocol,
          Endpoint: subscription.endpoint,
          Owner: options.accountId,
          ConfirmationWasAuthenticated: 'true',
          PendingConfirmation: 'false',
        },
      };
    },
    SetSubscriptionAttributes: (input) => {
      const subscription = subscriptionOf(state, input);
      subscription.attributes[text(input, 'AttributeName')] = String(input.AttributeValue ?? '');
      return {};
    },
  } satisfies Operations;
}

/** Delivers to each SQS subscription; a queue that does not exist loses the message, as on AWS (SNS retries, then drops it). */
async function deliver({ options, subscriptions }: SnsState, topic: Topic, envelope: Record<string, unknown>, message: string, attributes: Record<string, MessageAttribute>, fifo: { groupId?: string; deduplicationId?: string }) {
  const reached: string[] = [];
  for (const subscription of subscriptions.values()) {
    if (subscription.topicArn !== topic.arn) continue;
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    const toFifo = subscription.endpoint.endsWith('.fifo');
    try {
      await options.deliver(subscription.endpoint, {
        body: raw ? message : JSON.stringify({ ...envelope, UnsubscribeURL: `https://sns.${options.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}` }),
        ...(raw ? { attributes: sqsAttributes(attributes) } : {}),
        ...(toFifo && fifo.groupId !== undefined ? { groupId: fifo.groupId } : {}),
        ...(toFifo && fifo.deduplicationId !== undefined ? { deduplicationId: fifo.deduplicationId } : {}),
      });
      reached.push(subscription.endpoint);
    } catch {
      // SNS reports an undeliverable message only in its delivery logs: the publish succeeded.
    }
  }
  return reached;
}

function publishOperations(state: SnsState) {
  const { topics, options } = state;
  return {
    Publish: async (input) => {
      const topic = topics.get(typeof input.TopicArn === 'string' ? input.TopicArn : text(input, 'TargetArn'));
      if (!topic) throw topicNotFound();
      if (typeof input.Message !== 'string' || input.Message === '') throw invalid('Empty message');
      const message = messageFor(input.Message, input.MessageStructure);
      const subject = typeof input.Subject === 'string' ? input.Subject : undefined;
      const attributes = messageAttributes(input.MessageAttributes);
      const groupId = typeof input.MessageGroupId === 'string' ? input.MessageGroupId : undefined;
      let deduplicationId = typeof input.MessageDeduplicationId === 'string' ? input.MessageDeduplicationId : undefined;
      if (topic.fifo) {
        if (groupId === undefined) throw invalid('The MessageGroupId parameter is required for FIFO topics');
        if (deduplicationId === undefined) {
          if (topic.attributes.ContentBasedDeduplication !== 'true') {
            throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
          }
          deduplicationId = createHash('sha256').update(input.Message).digest('hex');
        }
      }
      const messageId = randomUUID();
      const sequenceNumber = topic.fifo ? String(++state.sequence).padStart(20, '0') : undefined;
      const now = Date.now();
      for (const [id, at] of topic.seen) if (now - at > DEDUPLICATION_MS) topic.seen.delete(id);
      // A FIFO topic takes a repeated deduplication id within five minutes and delivers it once.
      const duplicate = deduplicationId !== undefined && topic.fifo && topic.seen.has(deduplicationId);
      if (deduplicationId !== undefined && topic.fifo && !duplicate) topic.seen.set(deduplicationId, now);
      const envelope = {
        Type: 'Notification',
        MessageId: messageId,
        ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
        TopicArn: topic.arn,
        ...(subject === undefined ? {} : { Subject: subject }),
        Message: message,
        Timestamp: new Date(now).toISOString(),
        SignatureVersion: '1',
        Signature: randomBytes(32).toString('base64'),
        SigningCertURL: `https://sns.${options.region}.amazonaws.com/SimpleNotificationService-local.pem`,
        ...(Object.keys(attributes).length === 0
          ? {}
          : { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, { DataType, StringValue, BinaryValue }]) => [name, { Type: DataType, Value: StringValue ?? BinaryValue }])) }),
      };
      const reached = duplicate ? [] : await deliver(state, topic, envelope, message, attributes, { ...(groupId === undefined ? {} : { groupId }), ...(deduplicationId === undefined ? {} : { deduplicationId }) });
      options.record({ service: 'sns', target: topic.arn, id: messageId, body: message, ...(subject === undefined ? {} : { subject }), deliveredTo: reached });
      return { MessageId: messageId, ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }) };
    },
  } satisfies Operations;
}

export function createSnsEmulator(options: SnsEmulatorOptions): EmulatedApi {
  const state: SnsState = {
    options,
    scope: { ...OFFLINE_SCOPE, region: options.region, account: options.accountId },
    topics: new Map(),
    subscriptions: new Map(),
    sequence: 0n,
  };
  const operations: Record<SnsOperation, Operation> = { ...topicOperations(state), ...subscriptionOperations(state), ...publishOperations(state) };

  return {
    operations: SNS_OPERATIONS,
    call: async (operation, input) => {
      if (!isOperation(operation)) throw new EmulatedServiceError('InvalidAction', `The action ${operation} is not valid for this endpoint: the local SNS serves ${SNS_OPERATIONS.join(', ')}`);
      return operations[operation](input);
    },
  };
}

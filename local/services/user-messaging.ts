// The user's own topics and rules for a run (`--sns-topic NAME[=QUEUE[:raw]]`, `--event-rule
// QUEUE=PATTERN`): made on the SNS and EventBridge emulators before the execution, each queue
// they deliver to created on the SQS emulator if the description does not have it, so that a
// Task's sns:publish and events:putEvents reach queues the user can read.
import { CreateQueueCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvalidArguments } from '../../execution/args.ts';
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import type { LocalMessaging } from '../contracts.ts';
import { DEFAULT_BUS } from './eventbridge-emulator.ts';
import { parseEventPattern } from './event-pattern.ts';
import { EmulatedServiceError } from './service-error.ts';

export interface TopicSpec {
  name: string;
  /** The queue subscribed to it, by name. */
  queue?: string;
  /** RawMessageDelivery: the message itself, not SNS's JSON envelope. */
  raw?: boolean;
}

export interface RuleSpec {
  /** The queue the rule's target is, by name. */
  queue: string;
  /** The rule's EventPattern, as JSON text. */
  pattern: string;
}

export interface UserMessaging {
  topics: TopicSpec[];
  rules: RuleSpec[];
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$/;

function queueName(name: string, option: string, spec: string): string {
  if (!QUEUE_NAME.test(name)) throw new InvalidArguments(`${option} "${spec}": "${name}" is not a queue name SQS accepts (letters, digits, - and _, up to 80, .fifo for a FIFO queue)`);
  return name;
}

/** `--sns-topic NAME[=QUEUE[:raw]]`: a topic (FIFO when NAME ends in .fifo), optionally with the queue QUEUE subscribed. */
export function parseTopic(spec: string): TopicSpec {
  const [name = '', subscription] = spec.split('=', 2) as [string, string | undefined];
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) {
    throw new InvalidArguments(`--sns-topic "${spec}" must be NAME[=QUEUE[:raw]], NAME of letters, digits, - and _ (.fifo for a FIFO topic), e.g. orders=order-events`);
  }
  if (subscription === undefined) return { name };
  const [queue = '', mode] = subscription.split(':', 2);
  if (mode !== undefined && mode !== 'raw') throw new InvalidArguments(`--sns-topic "${spec}": after the queue, only :raw (raw message delivery) may follow`);
  return { name, queue: queueName(queue, '--sns-topic', spec), ...(mode === 'raw' ? { raw: true } : {}) };
}

/** `--event-rule QUEUE=PATTERN`: a rule on the default bus, delivering the events that match PATTERN (JSON) to QUEUE. */
export function parseRule(spec: string): RuleSpec {
  const equals = spec.indexOf('=');
  if (equals < 1) throw new InvalidArguments(`--event-rule "${spec}" must be QUEUE=PATTERN, e.g. order-events='{"source":["my.app"]}'`);
  const pattern = spec.slice(equals + 1);
  try {
    parseEventPattern(pattern);
  } catch (error) {
    if (error instanceof EmulatedServiceError) throw new InvalidArguments(`--event-rule "${spec}": ${error.message}`);
    throw error;
  }
  return { queue: queueName(spec.slice(0, equals), '--event-rule', spec), pattern };
}

/** The options as given; undefined when neither is. */
export function parseUserMessaging(topics: string[] = [], rules: string[] = []): UserMessaging | undefined {
  if (topics.length === 0 && rules.length === 0) return undefined;
  return { topics: topics.map(parseTopic), rules: rules.map(parseRule) };
}

/** Makes the topics, rules and queues (a queue that exists, the description's say, is kept as it is). */
export async function createUserMessaging(messaging: LocalMessaging, sqs: SQSClient, spec: UserMessaging | undefined, region: string, accountId: string): Promise<void> {
  const scope = { ...OFFLINE_SCOPE, region, account: accountId };
  const queueArn = async (name: string) => {
    const exists = await sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(() => true, () => false);
    if (!exists) await sqs.send(new CreateQueueCommand({ QueueName: name, ...(name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }));
    return arns.sqsQueue(scope, name);
  };
  for (const topic of spec?.topics ?? []) {
    const { TopicArn } = await messaging.sns.call('CreateTopic', { Name: topic.name, ...(topic.name.endsWith('.fifo') ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } } : {}) });
    if (topic.queue === undefined) continue;
    await messaging.sns.call('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: await queueArn(topic.queue), ...(topic.raw ? { Attributes: { RawMessageDelivery: 'true' } } : {}) });
  }
  for (const [index, rule] of (spec?.rules ?? []).entries()) {
    const name = `${rule.queue}-rule-${index + 1}`;
    await messaging.events.call('PutRule', { Name: name, EventPattern: rule.pattern });
    await messaging.events.call('PutTargets', { Rule: name, Targets: [{ Id: rule.queue, Arn: await queueArn(rule.queue) }] });
  }
}

/**
 * A role written for another definition may put events on the default bus and publish to the
 * user's topics, as the role the user would make for that definition allows (events:PutEvents,
 * sns:Publish).
 */
export function userMessagingGrants(spec: UserMessaging | undefined, region: string, accountId: string): PolicyStatement[] {
  const scope = { ...OFFLINE_SCOPE, region, account: accountId };
  const topics = spec?.topics ?? [];
  return [
    ...(topics.length > 0 ? [{ Sid: 'PublishToUserTopics', Effect: 'Allow' as const, Action: ['sns:Publish'], Resource: topics.map((topic) => arns.snsTopic(scope, topic.name)) }] : []),
    { Sid: 'PutEventsOnDefaultBus', Effect: 'Allow' as const, Action: ['events:PutEvents'], Resource: [arns.eventBus(scope, DEFAULT_BUS)] },
  ];
}

// The SNS and EventBridge emulators on their own, their deliveries caught as they leave: SNS's
// FIFO topics (group id required, deduplication), MessageStructure json, the errors SNS answers;
// EventBridge's event patterns, entries that fail, InputPath.
import { expect } from 'chai';
import { createEventBridgeEmulator } from '../../local/services/eventbridge-emulator.ts';
import { matchesPattern, parseEventPattern } from '../../local/services/event-pattern.ts';
import type { QueueMessage } from '../../local/services/queue-delivery.ts';
import { EmulatedServiceError } from '../../local/services/service-error.ts';
import { createSnsEmulator } from '../../local/services/sns-emulator.ts';
import type { Notification } from '../../execution/execution-record.ts';
import { rejection } from '../helpers.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:q';
const FIFO_QUEUE = 'arn:aws:sqs:us-east-1:000000000000:q.fifo';

function harness() {
  const delivered: { queueArn: string; message: QueueMessage }[] = [];
  const recorded: Notification[] = [];
  const options = {
    region: 'us-east-1',
    accountId: '000000000000',
    deliver: async (queueArn: string, message: QueueMessage) => {
      if (queueArn.endsWith(':gone')) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
      delivered.push({ queueArn, message });
    },
    record: (notification: Notification) => recorded.push(notification),
  };
  return { delivered, recorded, sns: createSnsEmulator(options), events: createEventBridgeEmulator(options) };
}

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  expect(error).to.be.instanceOf(EmulatedServiceError);
  return `${(error as EmulatedServiceError).code}: ${error.message}`;
}

describe('local/services SNS emulator', () => {
  it('FIFO topics: a group id is required, a repeated deduplication id is delivered once, with the group to a FIFO queue', async () => {
    const { sns, delivered } = harness();
    const { TopicArn } = await sns.call('CreateTopic', { Name: 'orders.fifo', Attributes: { FifoTopic: 'true' } });
    await sns.call('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: FIFO_QUEUE, Attributes: { RawMessageDelivery: 'true' } });
    expect(await code(sns.call('Publish', { TopicArn, Message: 'a', MessageDeduplicationId: 'd1' }))).to.equal('InvalidParameter: Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    expect(await code(sns.call('Publish', { TopicArn, Message: 'a', MessageGroupId: 'g' }))).to.include('ContentBasedDeduplication enabled or MessageDeduplicationId provided');
    const first = await sns.call('Publish', { TopicArn, Message: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
    await sns.call('Publish', { TopicArn, Message: 'a again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
    expect(first.SequenceNumber).to.match(/^\d{20}$/);
    expect(delivered).to.deep.equal([{ queueArn: FIFO_QUEUE, message: { body: 'a', attributes: {}, groupId: 'g', deduplicationId: 'd1' } }]);
    expect(await code(sns.call('CreateTopic', { Name: 'orders', Attributes: { FifoTopic: 'true' } }))).to.include('Fifo Topic names must end with .fifo');
  });

  it('MessageStructure json sends the sqs entry (else default); errors as SNS names them; only sqs subscriptions', async () => {
    const { sns, delivered, recorded } = harness();
    const { TopicArn } = await sns.call('CreateTopic', { Name: 'alerts' });
    await sns.call('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: QUEUE, Attributes: { RawMessageDelivery: 'true' } });
    await sns.call('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:gone' });
    await sns.call('Publish', { TopicArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for all', sqs: 'for queues' }) });
    expect(delivered.map(({ message }) => message.body)).to.deep.equal(['for queues']);
    // The queue that does not exist loses the message; the publish succeeds, and the record says where it went.
    expect(recorded[0]!.deliveredTo).to.deep.equal([QUEUE]);
    expect(await code(sns.call('Publish', { TopicArn, MessageStructure: 'json', Message: '{"sqs": "x"}' }))).to.include('No default entry in JSON message body');
    expect(await code(sns.call('Publish', { TopicArn: `${TopicArn}x`, Message: 'x' }))).to.equal('NotFound: Topic does not exist');
    expect(await code(sns.call('Publish', { TopicArn, Message: '' }))).to.equal('InvalidParameter: Invalid parameter: Empty message');
    expect(await code(sns.call('Publish', { TopicArn, Message: 'x', MessageAttributes: { n: { DataType: 'Number' } } }))).to.include("must contain non-empty message attribute value for message attribute type 'Number'");
    expect(await code(sns.call('Subscribe', { TopicArn, Protocol: 'email', Endpoint: 'a@b.c' }))).to.include('offline, SNS delivers to sqs subscriptions only, not email');
    expect(await code(sns.call('Tag', {}))).to.include('InvalidAction');
  });
});

describe('local/services EventBridge emulator', () => {
  it('matches patterns: values, prefix, anything-but, exists, numeric, nested detail, arrays in the event', () => {
    const event = { source: 'my.shop', 'detail-type': 'OrderPlaced', detail: { total: 12, tags: ['a', 'b'], customer: { tier: 'gold' } } };
    const matches = (pattern: unknown) => matchesPattern(parseEventPattern(JSON.stringify(pattern)), event);
    expect(matches({ source: ['my.shop'] })).to.be.true;
    expect(matches({ source: ['other'] })).to.be.false;
    expect(matches({ 'detail-type': [{ prefix: 'Order' }], detail: { total: [{ numeric: ['>', 10, '<=', 12] }] } })).to.be.true;
    expect(matches({ detail: { total: [{ numeric: ['>', 12] }] } })).to.be.false;
    expect(matches({ detail: { tags: ['b'] } })).to.be.true;
    expect(matches({ detail: { customer: { tier: [{ 'anything-but': ['silver', 'bronze'] }] } } })).to.be.true;
    expect(matches({ detail: { coupon: [{ exists: false }], customer: { tier: [{ exists: true }] } } })).to.be.true;
    expect(matches({ detail: { customer: { tier: [{ 'equals-ignore-case': 'GOLD' }] } } })).to.be.true;
    expect(matches({ source: [{ wildcard: 'my.*' }] })).to.be.true;
    expect(matches({ source: [{ wildcard: '*.sh*p' }] })).to.be.true;
    expect(matches({ source: [{ wildcard: 'my.*x' }] })).to.be.false;
    // A user's pattern that a RegExp of `.*`s would backtrack on for hours against a long value.
    const long = { source: 'a'.repeat(50_000) };
    expect(matchesPattern(parseEventPattern(JSON.stringify({ source: [{ wildcard: `${'*a'.repeat(8)}*b` }] })), long)).to.be.false;
    expect(() => parseEventPattern('{"source": "my.shop"}')).to.throw('Event pattern is not valid. Reason: Match value for "source" must be a non-empty array or an object');
    expect(() => parseEventPattern('{"source": [{"regex": "x"}]}')).to.throw('Unrecognized match type regex');
  });

  it('PutEvents: each entry on its own, a failed one named; matching rules deliver the event, or its InputPath', async () => {
    const { events, delivered, recorded } = harness();
    await events.call('PutRule', { Name: 'r', EventPattern: '{"source":["my.shop"]}' });
    await events.call('PutTargets', { Rule: 'r', Targets: [{ Id: 'whole', Arn: QUEUE }, { Id: 'part', Arn: FIFO_QUEUE, InputPath: '$.detail.order' }] });
    const answer = await events.call('PutEvents', {
      Entries: [
        { Source: 'my.shop', DetailType: 'OrderPlaced', Detail: '{"order": {"id": 1}}' },
        { Source: 'my.shop', DetailType: 'OrderPlaced', Detail: 'not json' },
        { Source: 'my.shop', DetailType: 'OrderPlaced', Detail: '{}', EventBusName: 'nope' },
      ],
    });
    expect(answer.FailedEntryCount).to.equal(2);
    expect((answer.Entries as Record<string, string>[]).map((entry) => entry.ErrorCode ?? 'ok')).to.deep.equal(['ok', 'MalformedDetail', 'ResourceNotFoundException']);
    expect(delivered.map(({ queueArn, message }) => [queueArn, JSON.parse(message.body)['detail-type'] ?? message.body])).to.deep.equal([
      [QUEUE, 'OrderPlaced'],
      [FIFO_QUEUE, '{"id":1}'],
    ]);
    expect(recorded.map((notification) => notification.deliveredTo.length)).to.deep.equal([2]);
    expect(await code(events.call('PutTargets', { Rule: 'missing', Targets: [{ Id: 'x', Arn: QUEUE }] }))).to.equal('ResourceNotFoundException: Rule missing does not exist on EventBus default.');
    expect((await events.call('PutTargets', { Rule: 'r', Targets: [{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }] })).FailedEntryCount).to.equal(1);
    expect(await code(events.call('DeleteRule', { Name: 'r' }))).to.include("Rule can't be deleted since it has targets.");
  });
});

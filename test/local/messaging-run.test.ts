// sns:publish and events:putEvents through the CLI's run (--definition, --sns-topic, --event-rule):
// messages recorded in the run's record and report, delivered to the SQS subscriptions (SNS's JSON
// envelope, or the raw message with its attributes) and to the rule's queue (the event, with the
// execution's and state machine's ARNs in its resources); a topic that does not exist fails the
// a role without sns:Publish on a topic fails as SNS.AuthorizationErrorException.
import { ReceiveMessageCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { runCli } from './cli-run.ts';
import { createLocalClients } from '../../local/services/emulators.ts';
import { parseUserMessaging } from '../../local/services/user-messaging.ts';
import { runLocal } from '../../local/run.ts';
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { region } from '../../workflow/settings.ts';
import { formatText } from '../../execution/report.ts';
import { renderReport } from '../../viz/report.ts';

const DEFINITION = 'test/fixtures/integrations/publish.asl.json';
const scope = { ...OFFLINE_SCOPE, region: region() };
const input = { order: 42, topic: arns.snsTopic(scope, 'orders'), missingTopic: arns.snsTopic(scope, 'nowhere') };

async function receive(sqs: SQSClient, queue: string) {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
  return Messages;
}

describe('local run: sns:publish and events:putEvents', function () {
  this.timeout(60_000);

  it('records, and delivers to the subscriptions and the rule\'s queue as SNS and EventBridge do', async () => {
    const messaging = parseUserMessaging(['orders=order-envelopes', 'orders=order-raw:raw'], ['shop-events={"source":["my.shop"],"detail":{"order":[{"numeric":[">",40]}]}}']);
    const run = await runLocal({ definitionPath: DEFINITION, input, ...(messaging ? { messaging } : {}), keep: true });
    const env = run.env!;
    const sqs = createLocalClients(env.resources.region, env.endpoints).sqs;
    try {
      expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
      const output = run.record.output as Record<string, Record<string, unknown>>;
      expect(output.published!.Status).to.equal(200);
      expect(output.announced!.FailedEntryCount).to.equal(0);
      // The run's role may publish to the user's topics only: IAM refuses before SNS finds no topic.
      expect(output.missing!.Error).to.equal('SNS.AuthorizationErrorException');
      expect(output.missing!.Cause).to.match(/is not authorized to perform: sns:Publish on resource: arn:aws:sns:[a-z0-9-]+:\d{12}:nowhere .*\(Service: AmazonSNS; Status Code: 403; Error Code: AuthorizationError; /);

      const [envelope] = await receive(sqs, 'order-envelopes');
      const notification = JSON.parse(envelope!.Body!);
      expect(notification).to.include({ Type: 'Notification', MessageId: output.published!.MessageId, TopicArn: input.topic, Subject: 'New order', Message: '{"order":42}', SignatureVersion: '1' });
      expect(notification.MessageAttributes).to.deep.equal({ kind: { Type: 'String', Value: 'order' } });
      expect(notification.UnsubscribeURL).to.include('Action=Unsubscribe&SubscriptionArn=arn:aws:sns:');
      const [raw] = await receive(sqs, 'order-raw');
      expect(raw!.Body).to.equal('{"order":42}');
      expect(raw!.MessageAttributes).to.deep.include({ kind: { DataType: 'String', StringValue: 'order' } });

      // Only the my.shop event matches the rule.
      const events = await receive(sqs, 'shop-events');
      expect(events).to.have.length(1);
      const event = JSON.parse(events[0]!.Body!);
      expect(event).to.include({ version: '0', 'detail-type': 'OrderPlaced', source: 'my.shop', region: env.resources.region });
      expect(event.detail).to.deep.equal({ order: 42 });
      expect(event.resources).to.deep.equal([run.record.executionArn, run.record.stateMachineArn]);

      const notifications = run.record.notifications!;
      expect(notifications.map((n) => [n.service, n.deliveredTo.length])).to.deep.equal([['sns', 2], ['events', 1], ['events', 0]]);
      expect(formatText(run.record)).to.include('Published (SNS messages and EventBridge events)').and.include(`SNS message ${output.published!.MessageId as string} to ${input.topic} (Subject "New order"): delivered to `);
      expect(await renderReport(run.record)).to.include('id="published"').and.include(`SNS message ${output.published!.MessageId as string} to ${input.topic}`);
    } finally {
      sqs.destroy();
      await env.stop();
    }
  });

  it('through the command line: a topic the role may not publish to fails the Task as SNS denies it', async () => {
    // The topic exists but is not the user's: no --sns-topic, so the run's role has no sns:Publish on it.
    const { status, out } = await runCli(['--definition', DEFINITION, '--input', JSON.stringify(input), '--json', '--no-report']);
    expect(status).to.equal(1);
    const summary = JSON.parse(out);
    expect(summary).to.include({ status: 'FAILED', error: 'SNS.AuthorizationErrorException', failedState: 'Publish' });
    expect(summary.cause).to.include(`is not authorized to perform: sns:Publish on resource: ${input.topic}`);
  });

  it('refuses a malformed --sns-topic or --event-rule by name, before anything runs', async () => {
    expect(() => parseUserMessaging(['bad name'])).to.throw('--sns-topic "bad name" must be NAME[=QUEUE[:raw]]');
    expect(() => parseUserMessaging(['t=q:cooked'])).to.throw('only :raw');
    expect(() => parseUserMessaging([], ['q={"source":"my.shop"}'])).to.throw('Event pattern is not valid. Reason: Match value for "source" must be a non-empty array or an object');
    expect(() => parseUserMessaging([], ['{"source":["x"]}'])).to.throw(/not a queue name SQS accepts|must be QUEUE=PATTERN/);
  });
});

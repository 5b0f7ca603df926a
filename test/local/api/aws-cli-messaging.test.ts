// The `aws` command (v1 here; skipped where there is none) against the endpoint's SNS (query
// protocol) and EventBridge (JSON 1.1): a topic with an SQS subscription, a rule with an SQS
// target, and a state machine whose sns:publish and events:putEvents reach both queues, read back
// with `aws sqs receive-message` on the SQS emulator.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { awsFailure, hasAwsCli, runAws } from '../../aws-command.ts';


(hasAwsCli ? describe : describe.skip)('local/api SNS and EventBridge with the aws command', function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli-messaging');

  /** The command's JSON output; `endpoint` is the endpoint's unless given. */
  const aws = (args: string[], endpoint?: string) => runAws(args, cli.options(endpoint));
  const failure = (args: string[]) => awsFailure(args, cli.options());
  const queueArn = (name: string) => `arn:aws:sqs:${cli.env.resources.region}:${cli.env.resources.accountId}:${name}`;

  it('create-topic, subscribe, publish; put-rule, put-targets, put-events; then a state machine publishing to both', async () => {
    for (const queue of ['cli-notes', 'cli-events']) await aws(['sqs', 'create-queue', '--queue-name', queue], cli.env.endpoints.sqs);
    const { TopicArn: topicArn } = (await aws(['sns', 'create-topic', '--name', 'cli-orders'])) as { TopicArn: string };
    expect(topicArn).to.equal(`arn:aws:sns:${cli.env.resources.region}:${cli.env.resources.accountId}:cli-orders`);
    const subscribed = await aws(['sns', 'subscribe', '--topic-arn', topicArn, '--protocol', 'sqs', '--notification-endpoint', queueArn('cli-notes'), '--attributes', 'RawMessageDelivery=true']);
    expect(subscribed.SubscriptionArn).to.match(new RegExp(`^${topicArn}:`));
    expect(((await aws(['sns', 'list-topics'])).Topics as { TopicArn: string }[]).map((topic) => topic.TopicArn)).to.deep.equal([topicArn]);
    const attributes = (await aws(['sns', 'get-topic-attributes', '--topic-arn', topicArn])).Attributes as Record<string, string>;
    expect(attributes).to.include({ TopicArn: topicArn, SubscriptionsConfirmed: '1' });
    const published = await aws(['sns', 'publish', '--topic-arn', topicArn, '--message', 'by hand', '--message-attributes', '{"kind":{"DataType":"String","StringValue":"note"}}']);
    expect(published.MessageId).to.be.a('string');
    expect(await failure(['sns', 'publish', '--topic-arn', `${topicArn}-gone`, '--message', 'x'])).to.include('(NotFound)').and.include('Topic does not exist');

    const pattern = JSON.stringify({ source: ['cli.shop'], 'detail-type': [{ prefix: 'Order' }] });
    expect((await aws(['events', 'put-rule', '--name', 'cli-orders', '--event-pattern', pattern])).RuleArn).to.equal(`arn:aws:events:${cli.env.resources.region}:${cli.env.resources.accountId}:rule/cli-orders`);
    expect(await aws(['events', 'put-targets', '--rule', 'cli-orders', '--targets', `Id=events,Arn=${queueArn('cli-events')}`])).to.deep.equal({ FailedEntryCount: 0, FailedEntries: [] });
    const put = await aws(['events', 'put-events', '--entries', JSON.stringify([{ Source: 'cli.shop', DetailType: 'OrderPlaced', Detail: '{"order":1}' }])]);
    expect(put.FailedEntryCount).to.equal(0);
    expect(await failure(['events', 'describe-rule', '--name', 'nope'])).to.include('(ResourceNotFoundException)').and.include('Rule nope does not exist on EventBus default.');

    const trust = STEP_FUNCTIONS_TRUST_POLICY;
    const role = ((await aws(['iam', 'create-role', '--role-name', 'cli-publisher', '--assume-role-policy-document', trust])).Role as { Arn: string }).Arn;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sns:Publish', 'events:PutEvents'], Resource: '*' }] });
    await aws(['iam', 'put-role-policy', '--role-name', 'cli-publisher', '--policy-name', 'publish', '--policy-document', policy]);
    const definition = await readFile('test/fixtures/integrations/publish.asl.json', 'utf8');
    const machine = await aws(['stepfunctions', 'create-state-machine', '--name', 'cli-publish', '--definition', definition, '--role-arn', role]);
    const input = JSON.stringify({ order: 2, topic: topicArn, missingTopic: `${topicArn}-gone` });
    const started = await aws(['stepfunctions', 'start-execution', '--state-machine-arn', machine.stateMachineArn as string, '--input', input]);
    await cli.server.executions.get(started.executionArn as string).done;
    const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', started.executionArn as string]);
    expect(described.status, String(described.cause)).to.equal('SUCCEEDED');
    // The role may publish anywhere: SNS itself answers that the topic does not exist.
    expect(JSON.parse(described.output as string).missing.Error).to.equal('SNS.NotFoundException');

    const notes = await aws(['sqs', 'receive-message', '--queue-url', `${cli.env.endpoints.sqs}/${cli.env.resources.accountId}/cli-notes`, '--max-number-of-messages', '10', '--message-attribute-names', 'All'], cli.env.endpoints.sqs);
    expect((notes.Messages as { Body: string }[]).map((message) => message.Body)).to.deep.equal(['by hand', '{"order":2}']);
    const events = await aws(['sqs', 'receive-message', '--queue-url', `${cli.env.endpoints.sqs}/${cli.env.resources.accountId}/cli-events`, '--max-number-of-messages', '10'], cli.env.endpoints.sqs);
    const bodies = (events.Messages as { Body: string }[]).map((message) => JSON.parse(message.Body) as { source: string; detail: unknown; resources: string[] });
    expect(bodies.map((event) => [event.source, event.detail])).to.deep.equal([['cli.shop', { order: 1 }]]);
  });
});

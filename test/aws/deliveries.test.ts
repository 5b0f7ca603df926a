import { expect } from 'chai';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { deliveriesFromHistory } from '../../aws/deliveries.ts';
import { ITEMS, md5, QUEUE_URL, sendDeniedHistory, succeededHistory } from './fixtures.ts';

const sendEvents = (events: HistoryEvent[], type: 'TaskScheduled' | 'TaskSucceeded') =>
  events.filter((event) => event.type === type && JSON.stringify(event).includes('sendMessage'));

describe('cli/deliveries deliveriesFromHistory', () => {
  it("reads each sent message's body and MessageId attribute from its task, in the order they were sent", () => {
    const { delivered, warnings } = deliveriesFromHistory(succeededHistory(), QUEUE_URL);
    expect(delivered).to.deep.equal(ITEMS.map((item) => ({ messageId: item.id, body: item.body })));
    expect(warnings).to.deep.equal([]);
  });

  it('counts no message for a SendMessage that failed', () => {
    expect(deliveriesFromHistory(sendDeniedHistory(), QUEUE_URL).delivered).to.deep.equal([]);
  });

  it('counts a message sent twice twice, so that reconciliation sees the duplicate', () => {
    const events = succeededHistory([ITEMS[0]!, ITEMS[0]!]);
    expect(deliveriesFromHistory(events, QUEUE_URL).delivered.map((message) => message.messageId)).to.deep.equal([
      ITEMS[0]!.id,
      ITEMS[0]!.id,
    ]);
  });

  it('names, in a warning, the MessageIds whose send lost its answer (SdkClientException) and was retried: the queue may hold them twice', () => {
    const events = sendDeniedHistory();
    const parameters = JSON.stringify({ QueueUrl: QUEUE_URL, MessageBody: ITEMS[0]!.body, MessageAttributes: { MessageId: { DataType: 'String', StringValue: ITEMS[0]!.id } } });
    for (const scheduled of sendEvents(events, 'TaskScheduled')) scheduled.taskScheduledEventDetails!.parameters = parameters;
    const failed = events.filter((event) => event.type === 'TaskFailed' && event.taskFailedEventDetails?.resource === 'sendMessage');
    failed[0]!.taskFailedEventDetails!.error = 'SQS.SdkClientException';
    failed[1]!.taskFailedEventDetails!.error = 'Sqs.SdkClientException';
    const { delivered, warnings } = deliveriesFromHistory(events, QUEUE_URL);
    expect(delivered).to.deep.equal([]);
    expect(warnings).to.deep.equal([
      '2 SendMessage attempt(s) failed with SdkClientException, the answer lost, and were retried: a Standard queue may hold these MessageIds ' +
        `more than once, a FIFO queue drops the copies within five minutes; the history cannot tell, --peek reads the queue: ${ITEMS[0]!.id}, ${ITEMS[0]!.id}`,
    ]);
  });

  it('warns when the MD5 SQS computed does not match the body the task sent', () => {
    const events = succeededHistory();
    const succeeded = sendEvents(events, 'TaskSucceeded')[1]!.taskSucceededEventDetails!;
    succeeded.output = JSON.stringify({ ...JSON.parse(succeeded.output!), MD5OfMessageBody: md5('something else') });
    const { delivered, warnings } = deliveriesFromHistory(events, QUEUE_URL);
    expect(delivered).to.have.length(2);
    expect(warnings).to.deep.equal(['1 message(s) have an MD5OfMessageBody that does not match the body their task sent']);
  });

  it('sets aside, with a warning, messages sent to another queue', () => {
    const events = succeededHistory();
    const scheduled = sendEvents(events, 'TaskScheduled')[0]!.taskScheduledEventDetails!;
    scheduled.parameters = JSON.stringify({ ...JSON.parse(scheduled.parameters!), QueueUrl: `${QUEUE_URL}-other` });
    const { delivered, warnings } = deliveriesFromHistory(events, QUEUE_URL);
    expect(delivered.map((message) => message.messageId)).to.deep.equal([ITEMS[1]!.id]);
    expect(warnings).to.deep.equal([`1 message(s) were sent to queues other than ${QUEUE_URL}: not reconciled`]);
  });

  it('warns about a task whose parameters cannot be read, instead of guessing its message', () => {
    const events = succeededHistory();
    sendEvents(events, 'TaskScheduled')[0]!.taskScheduledEventDetails!.parameters = '{"QueueUrl":"https://sqs.';
    const { delivered, warnings } = deliveriesFromHistory(events, QUEUE_URL);
    expect(delivered).to.have.length(1);
    expect(warnings[0]).to.match(/^1 successful SendMessage task\(s\) have no readable parameters/);
  });

  it('reads the AWS SDK integration too, with its Md5OfMessageBody spelling, and serializes a JSON body', () => {
    const events = succeededHistory([ITEMS[0]!]);
    const body = { order: 7, note: 'não' };
    for (const event of events.filter((candidate) => JSON.stringify(candidate).includes('"sendMessage"'))) {
      const details = (event.taskScheduledEventDetails ?? event.taskStartedEventDetails ?? event.taskSucceededEventDetails)!;
      details.resourceType = 'aws-sdk:sqs';
    }
    const scheduled = sendEvents(events, 'TaskScheduled')[0]!.taskScheduledEventDetails!;
    scheduled.parameters = JSON.stringify({ ...JSON.parse(scheduled.parameters!), MessageBody: body });
    sendEvents(events, 'TaskSucceeded')[0]!.taskSucceededEventDetails!.output = JSON.stringify({
      MessageId: 'm-1',
      Md5OfMessageBody: md5(JSON.stringify(body)),
    });
    const { delivered, warnings } = deliveriesFromHistory(events, QUEUE_URL);
    expect(delivered).to.deep.equal([{ messageId: ITEMS[0]!.id, body: JSON.stringify(body) }]);
    expect(warnings).to.deep.equal([]);
  });
});

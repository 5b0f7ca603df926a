import { expect } from 'chai';
import { StartExecutionCommand, type GetExecutionHistoryCommand, type GetExecutionHistoryInput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { fetchHistory, seededIds } from '../../aws/history.ts';
import { LOOP } from '../../workflow/transfer-records.ts';
import { invalidInputHistory, ITEMS, succeededHistory } from './fixtures.ts';
import { startLocalAws } from './local-aws.ts';

// An inline Map of 300 Pass iterations: 4 events each, so its history spans two 1,000-event pages.
const MANY_EVENTS = {
  StartAt: 'Each',
  States: { Each: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
};

// The AWS run client's own reading of a history: fetching every page, and the ids the loop
// contract names. The fold itself is execution/history.ts's, tested there.
describe('aws/history', () => {
  describe('seededIds', () => {
    it('takes the seeded MessageIds from the seed task output, without the sentinel', () => {
      expect(seededIds(succeededHistory(), LOOP)).to.deep.equal(ITEMS.map((item) => item.id));
    });

    it("takes them from the function's own result when the seed Task's Resource is the function ARN", () => {
      const events = succeededHistory().map((event): HistoryEvent => {
        const details = event.taskSucceededEventDetails;
        if (details?.resourceType !== 'lambda') return event;
        const { Payload } = JSON.parse(details.output!) as { Payload: unknown };
        return {
          ...event,
          type: 'LambdaFunctionSucceeded',
          taskSucceededEventDetails: undefined,
          lambdaFunctionSucceededEventDetails: { output: JSON.stringify(Payload) },
        };
      });
      expect(seededIds(events, LOOP)).to.deep.equal(ITEMS.map((item) => item.id));
    });

    it('finds none when the seed function rejected the input', () => {
      expect(seededIds(invalidInputHistory(), LOOP)).to.deep.equal([]);
    });
  });

  describe('fetchHistory', function () {
    this.timeout(30_000);

    it('reads every page from the endpoint, passing each nextToken on, with execution data included', async () => {
      const aws = await startLocalAws('aws-history');
      try {
        const stateMachineArn = await aws.createMachine('many-events', MANY_EVENTS);
        const input = JSON.stringify(Array.from({ length: 300 }, (_, index) => index));
        const { executionArn } = await aws.clients.sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
        await aws.finished(executionArn!);
        aws.reset();
        const fetched = await fetchHistory(aws.clients.sfn, executionArn!);
        expect(fetched).to.have.length(4 * 300 + 6);
        expect(fetched.map((event) => event.id)).to.deep.equal(fetched.map((_, index) => index + 1));
        expect(fetched[0]!.executionStartedEventDetails!.input).to.equal(input);
        const calls = aws.sent('sfn').map((command) => (command as GetExecutionHistoryCommand).input as GetExecutionHistoryInput);
        expect(calls).to.have.length(2);
        expect(calls[0]!.nextToken).to.be.undefined;
        expect(calls[1]!.nextToken).to.be.a('string');
        expect(calls.every((call) => call.includeExecutionData === true && call.executionArn === executionArn)).to.be.true;
      } finally {
        await aws.stop();
      }
    });
  });
});

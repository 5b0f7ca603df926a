import { expect } from 'chai';
import sinon from 'sinon';
import type { GetExecutionHistoryCommand, GetExecutionHistoryInput, HistoryEvent } from '@aws-sdk/client-sfn';
import { fetchHistory, seededIds } from '../../aws/history.ts';
import { LOOP } from '../../workflow/transfer-records.ts';
import { fakeAws } from './fake-aws.ts';
import { EXECUTION_ARN, invalidInputHistory, ITEMS, succeededHistory } from './fixtures.ts';

// The AWS run client's own reading of a history: fetching every page, and the ids the loop
// contract names. The fold itself is execution/history.ts's, tested there.
describe('aws/history', () => {
  afterEach(() => sinon.restore());

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

  describe('fetchHistory', () => {
    it('reads every page, passing each nextToken on, with execution data included', async () => {
      const events = succeededHistory();
      const aws = fakeAws({ history: events, pageSize: 10 });
      const fetched = await fetchHistory(aws.clients.sfn, EXECUTION_ARN);
      expect(fetched).to.deep.equal(events);
      const requests = aws
        .sent('sfn')
        .map((command) => (command as GetExecutionHistoryCommand).input as GetExecutionHistoryInput);
      expect(requests.map((input) => input.nextToken)).to.deep.equal([undefined, '10', '20', '30']);
      expect(requests.every((input) => input.includeExecutionData === true)).to.be.true;
      expect(requests.every((input) => input.executionArn === EXECUTION_ARN)).to.be.true;
    });
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import type { GetExecutionHistoryCommand, GetExecutionHistoryInput, HistoryEvent } from '@aws-sdk/client-sfn';
import { fetchHistory, seededIds } from '../../aws/history.ts';
import { foldHistory, SAMPLES_PER_STATE } from '../../execution/history.ts';
import { LOOP } from '../../workflow/transfer-records.ts';

// The AWS run client's reading of a history: the shared fold, and the ids the loop contract names.
const summarizeHistory = (events: HistoryEvent[]) => ({ ...foldHistory(events), seededIds: seededIds(events, LOOP) });
import { fakeAws } from './fake-aws.ts';
import {
  CHOICE,
  EXECUTION_ARN,
  invalidInputHistory,
  ITEMS,
  POP,
  READ,
  REJECT,
  SEED,
  SEND,
  sendDeniedHistory,
  succeededHistory,
  SUCCEED,
} from './fixtures.ts';

describe('aws/history', () => {
  afterEach(() => sinon.restore());

  describe('summarizeHistory', () => {
    it('counts every event, every state entry and each state in order of first entry', () => {
      const summary = summarizeHistory(succeededHistory());
      // 11 fixed events plus 14 per item, the seed function's own accounting.
      expect(summary.historyEvents).to.equal(39);
      expect(summary.stateTransitions).to.equal(11);
      expect(Object.keys(summary.states)).to.deep.equal([SEED, CHOICE, READ, SEND, POP, SUCCEED]);
      const entered = Object.fromEntries(Object.entries(summary.states).map(([name, state]) => [name, state.entered]));
      expect(entered).to.deep.equal({ [SEED]: 1, [CHOICE]: 3, [READ]: 2, [SEND]: 2, [POP]: 2, [SUCCEED]: 1 });
      expect(summary.failedState).to.be.undefined;
      expect(summary.warnings).to.deep.equal([]);
    });

    it('sums the time from each entry to its exit', () => {
      const { states } = summarizeHistory(succeededHistory());
      // Seed: scheduled +10, started +10, succeeded +800, exited +10.
      expect(states[SEED]!.ms).to.equal(830);
      // Read, twice: scheduled +10, started +10, succeeded +30, exited +10.
      expect(states[READ]!.ms).to.equal(120);
      expect(states[CHOICE]!.ms).to.equal(30);
    });

    it('takes the seeded MessageIds from the seed task output, without the sentinel', () => {
      expect(summarizeHistory(succeededHistory()).seededIds).to.deep.equal(ITEMS.map((item) => item.id));
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
      expect(summarizeHistory(events).seededIds).to.deep.equal(ITEMS.map((item) => item.id));
    });

    it('keeps the parsed input and output of the first few entries of each state', () => {
      const three = [...ITEMS, { id: '5d41402abc4b-0003', body: 'third' }, { id: '5d41402abc4b-0004', body: 'fourth' }];
      const { states } = summarizeHistory(succeededHistory(three));
      expect(states[CHOICE]!.entered).to.equal(5);
      expect(states[CHOICE]!.samples).to.have.length(SAMPLES_PER_STATE);
      const [first] = states[READ]!.samples;
      expect(first!.input).to.deep.equal({ List: [...three.map((item) => item.id), 'DONE'] });
      expect((first!.output as { DynamoDB: unknown }).DynamoDB).to.deep.equal({
        Item: { Message: { S: 'Message 1' }, MessageId: { S: '5d41402abc4b-0001' } },
      });
    });

    it('measures the largest state payload in UTF-8 bytes and names its state', () => {
      const events = succeededHistory();
      const summary = summarizeHistory(events);
      // The Send state's output for the long, multi-byte second body is the largest payload.
      const sendOutputs = events
        .filter((event) => event.stateExitedEventDetails?.name === SEND)
        .map((event) => event.stateExitedEventDetails!.output!);
      const largest = sendOutputs[1]!;
      expect(summary.maxPayloadState).to.equal(SEND);
      expect(summary.maxPayloadBytes).to.equal(Buffer.byteLength(largest, 'utf8'));
      expect(summary.maxPayloadBytes).to.be.greaterThan(largest.length);
    });

    it('names the Fail state for input the seed function rejected, with the task error on its sample', () => {
      const summary = summarizeHistory(invalidInputHistory());
      expect(summary.failedState).to.equal(REJECT);
      expect(summary.seededIds).to.deep.equal([]);
      expect(summary.states[REJECT]!.entered).to.equal(1);
      expect(summary.states[SEED]!.samples[0]).to.include({ error: 'InvalidInput' });
      expect(summary.states[SEED]!.samples[0]!.cause).to.contain('count must be an integer');
    });

    it('names the task that was running when the execution failed, with its last error', () => {
      const summary = summarizeHistory(sendDeniedHistory());
      expect(summary.failedState).to.equal(SEND);
      expect(summary.states[SEND]!.samples[0]).to.include({
        error: 'SQS.AccessDeniedException',
        cause: 'Access to the resource is denied',
      });
      // Entered, scheduled +10, started +10, throttled +50, rescheduled +1000, started +10, denied +50, failed +5.
      expect(summary.states[SEND]!.ms).to.equal(1135);
      expect(summary.states[SEND]!.samples[0]!.output).to.be.undefined;
    });

    it('counts a retried task attempt as a state transition', () => {
      const summary = summarizeHistory(sendDeniedHistory());
      const entries = Object.values(summary.states).reduce((sum, state) => sum + state.entered, 0);
      // The throttled SendMessage is scheduled a second time, inside the same state entry.
      expect(summary.stateTransitions).to.equal(entries + 1);
    });

    it('warns when the history truncated a payload', () => {
      const events = succeededHistory();
      events[1]!.stateEnteredEventDetails!.inputDetails = { truncated: true };
      expect(summarizeHistory(events).warnings).to.have.length(1);
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

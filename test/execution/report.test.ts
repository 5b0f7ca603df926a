import { expect } from 'chai';
import { exitCodeFor, formatText, toJsonSummary } from '../../execution/report.ts';
import { reconcile, type ExecutionRecord, type FaultReport, type MapRunReport } from '../../execution/execution-record.ts';

const ids = (n: number) => Array.from({ length: n }, (_, index) => `id-${index + 1}`);

function record(overrides: Partial<ExecutionRecord> = {}, items = 8, delivered = items): ExecutionRecord {
  const seeded = ids(items).map((messageId) => ({ messageId, body: `body of ${messageId}` }));
  const messages = seeded.slice(0, delivered);
  return {
    source: 'local',
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:transfer-records-state-machine:run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:transfer-records-state-machine',
    definition: {},
    status: 'SUCCEEDED',
    input: { count: items },
    output: { List: ['DONE'] },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    historyEvents: 14 * items + 11,
    maxPayloadBytes: 2048,
    maxPayloadState: 'Seed the DynamoDB Table',
    stateTransitions: 4 * items + 3,
    states: {
      'Seed the DynamoDB Table': { entered: 1, ms: 120, samples: [{ input: {}, output: { List: ['DONE'] } }] },
      'For Loop Condition': { entered: items + 1, ms: 3, samples: [] },
    },
    seeded,
    delivered: messages,
    reconciliation: reconcile(seeded, messages),
    warnings: [],
    ...overrides,
  };
}

const FAULTS: FaultReport[] = [
  {
    fault: 'dynamodb:getItem:DynamoDB.AmazonDynamoDBException:2',
    error: 'DynamoDB.AmazonDynamoDBException',
    fired: 2,
    states: { 'Read Next Message from DynamoDB': { fired: 2, retried: 2 } },
  },
  { fault: 'sqs:sendMessage:E:1', error: 'E', fired: 0, states: {} },
];

describe('local/report', () => {
  describe('exitCodeFor', () => {
    it('is 0 only for a success with nothing missing', () => {
      expect(exitCodeFor(record())).to.equal(0);
      expect(exitCodeFor(record({}, 8, 7))).to.equal(1);
      expect(exitCodeFor(record({ status: 'FAILED' }))).to.equal(1);
      expect(exitCodeFor(record({ status: 'TIMED_OUT' }))).to.equal(1);
    });
  });

  describe('toJsonSummary', () => {
    it('gives counts, ids, quotas and per-state figures, without samples or the definition', () => {
      const summary = toJsonSummary(record({}, 8, 6));
      expect(summary).to.include({
        status: 'SUCCEEDED',
        items: 8,
        delivered: 6,
        missing: 2,
        duplicates: 0,
        historyEvents: 123,
        maxPayloadBytes: 2048,
        stateTransitions: 35,
        durationMs: 1234,
      });
      expect(summary.missingIds).to.deep.equal(['id-7', 'id-8']);
      expect(summary.states).to.deep.equal({
        'Seed the DynamoDB Table': { entered: 1, ms: 120 },
        'For Loop Condition': { entered: 9, ms: 3 },
      });
      expect(summary).not.to.have.any.keys('definition', 'seeded', 'samples', 'error', 'cause');
      expect(JSON.parse(JSON.stringify(summary))).to.deep.equal(summary);
    });

    it('adds the error, its cause and the failed state of a failure', () => {
      const failed = record({ status: 'FAILED', error: 'InvalidInput', cause: 'count must be positive', failedState: 'Reject Invalid Input' }, 0);
      expect(toJsonSummary(failed)).to.include({
        status: 'FAILED',
        error: 'InvalidInput',
        cause: 'count must be positive',
        failedState: 'Reject Invalid Input',
        items: 0,
        delivered: 0,
      });
    });
  });

  describe('faults', () => {
    it('puts each fault, its firings by state and the retries, in the JSON; none when no fault was given', () => {
      expect(toJsonSummary(record({ faults: FAULTS })).faults).to.deep.equal(FAULTS);
      expect(toJsonSummary(record())).to.not.have.property('faults');
    });

    it('lists each fault in the text, with where it fired and whether the state retried', () => {
      const text = formatText(record({ faults: FAULTS }));
      expect(text).to.contain(
        'Injected faults\n' +
          '  dynamodb:getItem:DynamoDB.AmazonDynamoDBException:2: fired 2 times, in "Read Next Message from DynamoDB" 2 times (retried 2)\n' +
          '  sqs:sendMessage:E:1: never fired',
      );
      expect(formatText(record())).to.not.contain('Injected faults');
    });
  });

  describe('formatText', () => {
    it('shows the status, each state with its count and time, and the quotas', () => {
      const text = formatText(record());
      expect(text).to.match(/^Execution SUCCEEDED in 1\.23 s/);
      expect(text).to.match(/Seed the DynamoDB Table\s+1 ×\s+120 ms/);
      expect(text).to.match(/For Loop Condition\s+9 ×\s+3 ms/);
      expect(text).to.contain('History events   123 of 25,000 (0.5%)');
      expect(text).to.contain('Largest payload  2,048 of 262,144 bytes (0.8%), in "Seed the DynamoDB Table"');
    });

    it('reconciles, listing the first few missing ids and bodies', () => {
      const text = formatText(record({}, 14, 8));
      expect(text).to.contain('Seeded 14, delivered 8, missing 6, duplicated 0');
      expect(text).to.contain('Missing: id-9, id-10, id-11, id-12, id-13, … (1 more)');
      expect(text).to.contain('"body of id-5"');
      expect(text).not.to.contain('"body of id-6"');
    });

    it('shows a failure\'s error, cause and state, and the warnings', () => {
      const text = formatText(
        record({ status: 'FAILED', error: 'States.Runtime', cause: 'too many events', failedState: 'Succeed', warnings: ['look here'] }),
      );
      expect(text).to.contain('Execution FAILED');
      expect(text).to.contain('Error: States.Runtime');
      expect(text).to.contain('Cause: too many events');
      expect(text).to.contain('Failed state: Succeed');
      expect(text).to.contain('Warnings\n  - look here');
    });

    it("shows a Lambda error's message as the cause, without its stack trace", () => {
      const cause = JSON.stringify({
        errorType: 'InvalidInput',
        errorMessage: 'input.count must be between 1 and 1784, got 0',
        trace: ['InvalidInput: input.count must be between 1 and 1784, got 0', '    at parseCount (index.mjs:1:2)'],
      });
      const text = formatText(record({ status: 'FAILED', error: 'InvalidInput', cause }));
      expect(text).to.contain('Cause: input.count must be between 1 and 1784, got 0\n');
      expect(text).not.to.contain('parseCount');
    });

    it('clips long bodies to one line', () => {
      const seeded = [{ messageId: 'a', body: `${'x'.repeat(200)}\nsecond line` }];
      const text = formatText(record({ seeded, delivered: seeded, reconciliation: reconcile(seeded, seeded) }));
      const line = text.split('\n').find((candidate) => candidate.includes('xxx'))!;
      expect(line.trim()).to.have.length(80);
      expect(line).to.match(/…$/);
    });
  });

  describe('a Map Run', () => {
    const failedChild = (index: number) => ({
      index,
      name: `child-${index}`,
      status: 'FAILED' as const,
      durationMs: 40,
      items: 100,
      error: 'DynamoDb.ThrottlingException',
      cause: 'Throughput exceeds the current capacity of your table or index.',
      failedState: 'Read Batch',
    });
    const MAP_RUN: MapRunReport = {
      stateName: 'Send Every Record',
      mapRunArn: 'arn:aws:states:us-east-1:000000000000:mapRun:m/SendEveryRecord:1',
      executionType: 'EXPRESS',
      status: 'FAILED',
      children: { total: 10, succeeded: 3, failed: 6, timedOut: 0, aborted: 1 },
      itemsProcessed: 300,
      itemsNotProcessed: 700,
      slowest: { index: 4, name: 'child-4', status: 'SUCCEEDED', durationMs: 1500, items: 100 },
      unsuccessful: [0, 1, 2, 3, 5].map(failedChild),
      largestChildEvents: 91,
      largestChildPayloadBytes: 3535,
      largestChildPayloadState: 'Prepare Batch',
      childStateTransitions: 170,
    };
    const withMapRun = record({ historyEvents: 13, stateTransitions: 2, mapRuns: [MAP_RUN] });

    it("shows the execution's own quotas, and its children's transitions apart", () => {
      const text = formatText(withMapRun);
      expect(text).to.contain("AWS quotas (this execution; each child execution has its own, under Map Run)");
      expect(text).to.contain('  History events   13 of 25,000 (0.1%)');
      expect(text).to.contain('  State transitions 2 (this execution), 170 in 10 child executions');
      expect(text).to.contain('\nStates entered (times summed over every entry, child executions running at once)\n');
      expect(formatText(record())).to.contain('\nStates entered\n');
    });

    it('shows the batches by outcome, the items, the slowest and the largest child, and the children that did not succeed', () => {
      const lines = formatText(withMapRun).split('\n');
      const start = lines.findIndex((line) => line.startsWith('Map Run of "Send Every Record" FAILED'));
      expect(lines.slice(start + 1, start + 7)).to.deep.equal([
        '  Batches          10 EXPRESS child executions: succeeded 3, failed 6, aborted 1',
        '  Items processed  300, not processed 700 (in children that did not succeed)',
        '  Slowest child    #4 (child-4): 1.50 s, 100 items, SUCCEEDED',
        '  Largest child    history 91 of 25,000 events (0.4%); payload 3,535 of 262,144 bytes (1.3%), in "Prepare Batch"',
        '  State transitions in children 170',
        '  Child #0 (child-0) FAILED in "Read Batch": DynamoDb.ThrottlingException: Throughput exceeds the current capacity of your table or index.',
      ]);
      expect(lines[start + 11]).to.equal('  … and 2 more that did not succeed');
    });

    it('is in --json, and absent from a run without one', () => {
      expect(toJsonSummary(withMapRun).mapRuns).to.deep.equal([MAP_RUN]);
      expect(toJsonSummary(record())).to.not.have.property('mapRuns');
      expect(formatText(record())).to.not.contain('Map Run');
    });
  });
});

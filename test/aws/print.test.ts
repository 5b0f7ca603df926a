import { expect } from 'chai';
import { formatRecord, summarizeRecord } from '../../aws/print.ts';
import { consoleLink } from '../../aws/execution.ts';
import { reconcile, type ExecutionRecord } from '../../execution/execution-record.ts';
import { DEFINITION, EXECUTION_ARN, STATE_MACHINE_ARN } from './fixtures.ts';

const seeded = [{ messageId: 'id-1', body: 'body 1' }];

const RECORD: ExecutionRecord = {
  source: 'aws',
  executionArn: EXECUTION_ARN,
  stateMachineArn: STATE_MACHINE_ARN,
  definition: DEFINITION,
  status: 'SUCCEEDED',
  input: { count: 1 },
  output: { List: ['DONE'] },
  startedAt: '2025-03-01T12:00:00.000Z',
  durationMs: 1500,
  historyEvents: 25,
  maxPayloadBytes: 300,
  stateTransitions: 7,
  states: { 'Pop Element from List': { entered: 1, ms: 10, samples: [{ input: { List: [] }, output: { List: [] } }] } },
  seeded,
  delivered: seeded,
  reconciliation: reconcile(seeded, seeded),
  warnings: [],
};

describe('cli/print', () => {
  it('adds the console page and the report path to the text report', () => {
    const text = formatRecord(RECORD, 'reports/x.html', undefined, consoleLink(EXECUTION_ARN));
    expect(text).to.contain('SUCCEEDED');
    expect(text).to.contain(`Console: ${consoleLink(EXECUTION_ARN)}`);
    expect(text).to.match(/Report:\s+reports\/x\.html/);
    expect(formatRecord(RECORD)).to.not.contain('Report:');
    expect(formatRecord(RECORD, 'reports/x.html')).to.not.contain('Console:');
  });

  it('adds the console page and the report path to the JSON summary, without the bulky parts', () => {
    const summary = summarizeRecord(RECORD, 'reports/x.html', undefined, consoleLink(EXECUTION_ARN));
    expect(summary).to.include({ consoleUrl: consoleLink(EXECUTION_ARN), report: 'reports/x.html', items: 1 });
    expect(summary.states).to.deep.equal({ 'Pop Element from List': { entered: 1, ms: 10 } });
    expect(summary).to.not.have.any.keys('definition', 'seeded');
    expect(summarizeRecord(RECORD)).to.not.have.any.keys('report', 'consoleUrl');
  });
});

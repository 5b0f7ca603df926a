import { expect } from 'chai';
import { formatRecord, summarizeRecord } from '../../cli/print.ts';
import { reconcile, type ExecutionRecord } from '../../workflow/execution-record.ts';
import { DEFINITION, EXECUTION_ARN, STATE_MACHINE_ARN } from './fixtures.ts';

function record(items: number, deliveredItems: number): ExecutionRecord {
  const seeded = Array.from({ length: items }, (_, index) => ({ messageId: `id-${index + 1}`, body: `body ${index + 1}` }));
  const delivered = seeded.slice(0, deliveredItems).map((item) => ({ messageId: item.messageId, body: item.body }));
  return {
    source: 'aws',
    executionArn: EXECUTION_ARN,
    stateMachineArn: STATE_MACHINE_ARN,
    definition: DEFINITION,
    status: 'SUCCEEDED',
    input: { count: items },
    output: { List: ['DONE'] },
    startedAt: '2025-03-01T12:00:00.000Z',
    durationMs: 61_500,
    historyEvents: 11 + 14 * items,
    maxPayloadBytes: 300 * 1024,
    maxPayloadState: 'Pop Element from List',
    stateTransitions: 3 + 4 * items,
    states: { 'Pop Element from List': { entered: items, ms: 250, samples: [{ input: { List: [] }, output: { List: [] } }] } },
    seeded,
    delivered,
    reconciliation: reconcile(seeded, delivered),
    warnings: ['something to know'],
  };
}

describe('cli/print', () => {
  it('shows the first few messages, then how many more there are', () => {
    const text = formatRecord(record(8, 8));
    expect(text).to.contain('"body 5"');
    expect(text).to.not.contain('"body 6"');
    expect(text).to.contain('… and 3 more');
  });

  it('lists missing items, figures against the quotas, durations and warnings', () => {
    const text = formatRecord(record(8, 6));
    expect(text).to.contain('8 seeded, 6 delivered, 2 (id-7, id-8) missing, none duplicated');
    expect(text).to.contain('largest payload 300 KiB of 256 KiB (Pop Element from List)');
    expect(text).to.contain('SUCCEEDED in 61.5 s');
    expect(text).to.contain('  - something to know');
  });

  it('summarizes without the definition, the samples or the item lists', () => {
    const summary = summarizeRecord(record(3, 3), 'reports/x.html');
    expect(summary).to.not.have.any.keys('definition');
    expect(summary.states).to.deep.equal({ 'Pop Element from List': { entered: 3, ms: 250 } });
    expect(summary).to.include({ seeded: 3, delivered: 3, report: 'reports/x.html', historyEvents: 53 });
    expect(summary.consoleUrl).to.contain(EXECUTION_ARN);
    expect(summarizeRecord(record(1, 1))).to.not.have.any.keys('report');
  });
});

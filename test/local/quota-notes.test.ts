import { expect } from 'chai';
import { DEFAULT_QUOTAS } from '../../engine/index.ts';
import { childQuotaNotes } from '../../local/cli/quota-notes.ts';
import type { MapRunReport } from '../../execution/execution-record.ts';

const mapRun = (largestChildEvents: number, largestChildPayloadBytes: number): MapRunReport => ({
  stateName: 'Send Every Record',
  mapRunArn: 'arn:aws:states:us-east-1:000000000000:mapRun:m/SendEveryRecord:1',
  executionType: 'EXPRESS',
  status: 'SUCCEEDED',
  children: { total: 1, succeeded: 1, failed: 0, timedOut: 0, aborted: 0 },
  itemsProcessed: 1,
  itemsNotProcessed: 0,
  unsuccessful: [],
  largestChildEvents,
  largestChildPayloadBytes,
  largestChildPayloadState: 'Prepare Batch',
  childStateTransitions: 3,
});

describe('local/quota-notes: childQuotaNotes', () => {
  const { historyEvents, payloadBytes } = DEFAULT_QUOTAS;

  it("says where a child went past its own quotas when --no-quota-fail let it", () => {
    expect(childQuotaNotes([mapRun(historyEvents + 1, payloadBytes + 1)], { quotas: DEFAULT_QUOTAS, enforced: false })).to.deep.equal([
      `States.Runtime: a child execution of the Map Run of "Send Every Record" has ${historyEvents + 1} events, over its own ${historyEvents}-event quota: AWS would have failed that child execution there; --no-quota-fail let it go on.`,
      `States.DataLimitExceeded: a payload of "Prepare Batch" in a child execution of the Map Run of "Send Every Record" is ${payloadBytes + 1} bytes, over the ${payloadBytes}-byte quota: AWS would have failed that child execution there; --no-quota-fail let it go on.`,
    ]);
  });

  it('says nothing for children within their quotas, or when the quotas were enforced', () => {
    expect(childQuotaNotes([mapRun(historyEvents, payloadBytes)], { quotas: DEFAULT_QUOTAS, enforced: false })).to.deep.equal([]);
    expect(childQuotaNotes([mapRun(historyEvents + 1, payloadBytes + 1)], { quotas: DEFAULT_QUOTAS, enforced: true })).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { runLocal } from '../../local/run.ts';
import { MAX_CONCURRENCY, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';

const workflow = TRANSFER_RECORDS_AT_SCALE.name;
// Enough records for a fifth more children (100 records each) than the Map Run keeps in flight.
const MORE_CHILDREN_THAN_IN_FLIGHT = (MAX_CONCURRENCY * 6 / 5) * 100;

describe('local/run: transfer-records-at-scale end to end on the emulators (S3 included)', function () {
  this.timeout(120_000);

  it('seeds 1,000 records, lists their keys in S3, and the Map Run sends every one exactly once', async () => {
    const { record } = await runLocal({ workflow, count: 1000 });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 1000, delivered: 1000 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
  });

  it(`seeds ${MORE_CHILDREN_THAN_IN_FLIGHT.toLocaleString('en-US')} records, more children than MaxConcurrency, and sends every one exactly once`, async () => {
    const count = MORE_CHILDREN_THAN_IN_FLIGHT;
    const { record } = await runLocal({ workflow, count });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: count, delivered: count });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
  });

  it('ends FAILED with the seed\'s InvalidInput for {"count": 0}, and sends nothing', async () => {
    const { record } = await runLocal({ workflow, input: { count: 0 } });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('InvalidInput');
    expect(record.failedState).to.equal('Reject Invalid Input');
    expect(record.reconciliation).to.include({ items: 0, delivered: 0 });
  });
});

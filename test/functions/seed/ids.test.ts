import { expect } from 'chai';
import { messageIds } from '../../../functions/seed/ids.ts';
import { SENTINEL } from '../../../functions/seed/limits.ts';

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:transfer-records-state-machine:run-1';

describe('seed message ids', () => {
  it('are the first 12 hex characters of sha256(execution id) and a 1-based, 4-digit index', () => {
    // sha256 of EXECUTION_ID starts with 0fb984439b03 (checked with `printf %s ... | sha256sum`).
    expect(messageIds(EXECUTION_ID, 3)).to.deep.equal(['0fb984439b03-0001', '0fb984439b03-0002', '0fb984439b03-0003']);
  });

  it('are the same for the same execution and differ between executions', () => {
    expect(messageIds(EXECUTION_ID, 5)).to.deep.equal(messageIds(EXECUTION_ID, 5));
    const other = messageIds(`${EXECUTION_ID}-retry`, 5);
    expect(other.filter((id) => messageIds(EXECUTION_ID, 5).includes(id))).to.deep.equal([]);
  });

  it('stay unique, well formed and distinct from the sentinel up to the largest run', () => {
    const ids = messageIds(EXECUTION_ID, 1784);
    expect(new Set(ids).size).to.equal(1784);
    expect(ids.at(-1)).to.match(/-1784$/);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{12}-\d{4}$/).and.not.equal(SENTINEL);
  });
});

import { expect } from 'chai';
import { checkPayload, DEFAULT_QUOTAS } from '../../engine/quotas.ts';
import { MAX_JSON_DEPTH } from '../../engine/payload.ts';

describe('engine: the payload quota check of a state', () => {
  it('measures a small value once for its size and its depth', () => {
    // A member read through a getter counts the reads: a small value is not remembered between
    // measures, and one measure reads it twice, to count its members and levels and in JSON.stringify.
    let reads = 0;
    const value = Object.defineProperty({ id: 'a' }, 'count', { enumerable: true, get: () => (reads += 1) });
    checkPayload(value, DEFAULT_QUOTAS, 'Check');
    expect(reads).to.equal(2);
  });

  it('refuses a value too deep with States.Runtime before its size, and one too large with States.DataLimitExceeded', () => {
    let deep: unknown = [];
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => checkPayload(deep, { ...DEFAULT_QUOTAS, payloadBytes: 1 }, 'Deep')).to.throw().with.property('name', 'States.Runtime');
    expect(() => checkPayload(['x'.repeat(10)], { ...DEFAULT_QUOTAS, payloadBytes: 10 }, 'Large'))
      .to.throw(/The state\/task 'Large' returned a result with a size exceeding/)
      .with.property('name', 'States.DataLimitExceeded');
    expect(() => checkPayload(['x'.repeat(10)], { ...DEFAULT_QUOTAS, payloadBytes: 16 }, 'Fits')).not.to.throw();
  });
});

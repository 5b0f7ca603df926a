import { expect } from 'chai';
import { checkPayload, DEFAULT_QUOTAS, measureAssigned } from '../../engine/quotas.ts';
import { MAX_JSON_DEPTH } from '../../engine/payload.ts';
import { assign, VariableScope } from '../../engine/variables.ts';

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

describe("engine: the depth check of an Assign's variables", () => {
  it('measures each variable once, for its depth and for the variable limits, however many the Assign holds', () => {
    // Six small values, more than engine/payload.ts keeps recent sizes of: each one's walk reads
    // its counting member twice (its members, then JSON.stringify), and assign() reads none again.
    let reads = 0;
    const counted = () => Object.defineProperty({ id: 'a' }, 'count', { enumerable: true, get: () => (reads += 1) });
    const values: Record<string, unknown> = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`v${i}`, counted()]));
    const scope = new VariableScope();
    assign(scope, values, measureAssigned(values, 'Assign'));
    expect(reads).to.equal(12);
  });

  it("gives each variable's JSON size in UTF-8 bytes, which the scope keeps", () => {
    const values = { text: 'é€', list: [1, { a: null }], flag: true, nothing: null };
    const sizes = measureAssigned(values, 'Assign');
    const scope = new VariableScope();
    assign(scope, values, sizes);
    for (const [name, value] of Object.entries(values)) {
      expect(sizes.get(name), name).to.equal(Buffer.byteLength(JSON.stringify(value)));
      expect(scope.ownSize(name), name).to.equal(sizes.get(name));
    }
  });

  it('refuses a variable that nests MAX_JSON_DEPTH levels with States.Runtime', () => {
    let deep: unknown = [];
    for (let i = 1; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => measureAssigned({ fine: 1, deep }, 'Deep')).to.throw(/'Deep'/).with.property('name', 'States.Runtime');
    expect(() => measureAssigned({ deep: (deep as unknown[])[0] }, 'Fits')).not.to.throw();
  });
});

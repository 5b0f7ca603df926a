import { expect } from 'chai';
import { formatCount } from '../../execution/count.ts';

describe('execution/count formatCount', () => {
  it('writes whole numbers as toLocaleString("en-US") does, at every length and sign', () => {
    const values = [0, 7, -7, 999, 1000, -1000, 1763, 25_000, 100_000, 999_999, 1_000_000, -1_234_567, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let digits = 1; digits <= 16; digits += 1) values.push(Number('9'.repeat(digits)), 10 ** (digits - 1));
    for (const value of values) expect(formatCount(value), String(value)).to.equal(value.toLocaleString('en-US'));
  });

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const value of [1234.5678, -0.5, 2 ** 60, Number.NaN, Infinity]) expect(formatCount(value)).to.equal(value.toLocaleString('en-US'));
  });
});

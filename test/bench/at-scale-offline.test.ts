// make bench-at-scale's argument: a count it cannot run is refused in one named line.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { countOf, InvalidBenchCount } from '../../bench/at-scale-offline.ts';

describe('bench/at-scale-offline count', () => {
  it('reads --count, 100,000 by default', () => {
    expect(countOf(['--count', '2000'])).to.equal(2000);
    expect(countOf([])).to.equal(100_000);
  });

  for (const bad of ['abc', '0', '-5', '1.5', '', '1e3']) {
    it(`refuses --count=${JSON.stringify(bad)} with InvalidBenchCount`, () => {
      expect(() => countOf([`--count=${bad}`])).to.throw(InvalidBenchCount, `got "${bad}"`);
    });
  }

  it('refuses an unknown option by name', () => {
    expect(() => countOf(['--items', '5'])).to.throw(InvalidBenchCount, "'--items'");
  });

  it('runs as a command: ITEMS=abc exits 2 with one line and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/at-scale-offline.ts', '--count=abc'], { encoding: 'utf8' });
    expect(result.status).to.equal(2);
    expect(result.stderr.trim()).to.equal('InvalidBenchCount: --count (ITEMS) must be a positive integer, got "abc"');
    expect(result.stdout).to.equal('');
  });
});

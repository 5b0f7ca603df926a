import { expect } from 'chai';
import { InvalidComparison, options } from '../../bench/compare-builds.ts';
import { instructionsIn } from '../../bench/instructions.ts';

describe('bench/instructions and compare-builds --instructions', () => {
  it("reads the total of cachegrind's I refs line, and nothing from output without one", () => {
    const output = [
      '==4242== Cachegrind, a high-precision tracing profiler',
      '==4242== Command: node --single-threaded dist/local-cli.mjs --json --no-report --count 100',
      '==4242== ',
      '==4242== I   refs:      1,468,237,901',
    ].join('\n');
    expect(instructionsIn(output)).to.equal(1_468_237_901);
    expect(instructionsIn('==4242== Cachegrind, a high-precision tracing profiler\n')).to.be.undefined;
    expect(instructionsIn('I refs: 12')).to.be.undefined;
  });

  it('takes --instructions with two rounds by default, nine for times, and a workflow by its name', () => {
    expect(options(['--base', 'abc1234'])).to.deep.equal({ base: 'abc1234', counts: [100, 1763], rounds: 9, workflow: undefined, instructions: false });
    expect(options(['--base', 'abc1234', '--instructions', '--count', '100'])).to.deep.include({ rounds: 2, instructions: true, counts: [100] });
    expect(options(['--base', 'HEAD~1', '--workflow', 'transfer-records-at-scale', '--rounds', '3'])).to.deep.include({
      workflow: 'transfer-records-at-scale',
      rounds: 3,
    });
  });

  it('refuses a comparison without a base, with a bad count or rounds, or a workflow that is not a name, by name', () => {
    for (const args of [[], ['--base', 'a', '--count', '0'], ['--base', 'a', '--rounds', 'x'], ['--base', 'a', '--workflow', '../etc']]) {
      expect(() => options(args), args.join(' ')).to.throw(InvalidComparison);
    }
  });
});

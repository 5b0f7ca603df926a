// The warm endpoint's benchmark: make serve's bundle started, warmed up, executions run on it through the
// API and timed from their histories, the server stopped at the end; its arguments checked.
import { expect } from 'chai';
import { measureWarmEndpoint, warmArgs, warmEndpointTable, WarmEndpointFailed } from '../../bench/warm-endpoint.ts';

describe('bench/warm-endpoint', function () {
  this.timeout(90_000);

  it('times executions on a warm endpoint from their histories, then stops it', async () => {
    const [figures] = await measureWarmEndpoint([3], 2, 1);
    expect(figures!.count).to.equal(3);
    expect(figures!.executionMs).to.have.length(2);
    figures!.executionMs.forEach((executionMs, run) => {
      const loopMs = figures!.loopMs[run]!;
      // Whole milliseconds: three items' loop may round to 0, never below, and never past the execution.
      expect(loopMs).to.be.at.least(0);
      expect(executionMs).to.be.at.least(loopMs);
    });
    const table = warmEndpointTable([{ count: 100, executionMs: [40, 30, 50], loopMs: [20, 18, 30] }]);
    expect(table[0]).to.contain('then 3 rounds');
    expect(table.at(-1)).to.match(/\| +100 \| +40 ms \(30–50\) \| +20 ms \(18–30\) \| +0\.200 ms \|/);
  });

  it('reads --count and --rounds, and refuses what is not a count by name', () => {
    expect(warmArgs([])).to.deep.equal({ counts: [100, 1763], rounds: 5 });
    expect(warmArgs(['--count', '10,20', '--rounds', '2'])).to.deep.equal({ counts: [10, 20], rounds: 2 });
    for (const args of [['--count', '0'], ['--count', '1764'], ['--count', '10,x'], ['--count', ''], ['--rounds', '0'], ['--rounds', '1.5'], ['--other']]) {
      expect(() => warmArgs(args), args.join(' ')).to.throw(WarmEndpointFailed);
    }
  });
});

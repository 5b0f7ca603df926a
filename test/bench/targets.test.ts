// Issue 18's targets as the benchmarks print them: the figure, the target, and whether it is met.
import { expect } from 'chai';
import { atScaleLine, conformanceLine, executionLine, loopLine, makeLocalLine, notRunLine, peerLine } from '../../bench/targets.ts';

describe('bench/targets', () => {
  it('says met at the target and NOT met past it, for the loop, the execution and make local', () => {
    expect(loopLine('', 25)).to.equal('N = 100: loop 25 ms, median (target ≤ 25 ms: met).');
    expect(loopLine('Warm endpoint, ', 26)).to.equal('Warm endpoint, N = 100: loop 26 ms, median (target ≤ 25 ms: NOT met).');
    expect(executionLine('', 1763, 540)).to.equal('N = 1763: execution 0.54 s, median (target ≤ 0.5 s: NOT met).');
    expect(makeLocalLine(270)).to.equal('make local, 10 items: 0.27 s wall, median (target ≤ 0.4 s: met).');
  });

  it('gives one at-scale run its figures, several their median and highest peak RSS, and a count without targets nothing', () => {
    expect(atScaleLine(100_000, [{ wallMs: 11_900, peakRssMb: 330 }])).to.equal(
      'N = 100,000: wall 11.90 s, one run (target ≤ 12 s: met); peak RSS 330 MB (target ≤ 400 MB: met).',
    );
    expect(atScaleLine(1_000_000, [{ wallMs: 118_000, peakRssMb: 1_300 }, { wallMs: 125_000, peakRssMb: 1_600 }, { wallMs: 121_000, peakRssMb: 1_310 }])).to.equal(
      'N = 1,000,000: wall 121.00 s, median (target ≤ 120 s: NOT met; 1 of 3 runs within it); peak RSS 1600 MB at most (target ≤ 1536 MB: NOT met).',
    );
    expect(atScaleLine(20_000, [{ wallMs: 1_000, peakRssMb: 100 }])).to.equal(undefined);
  });

  it("puts make conformance's wall time against its target, with the harness's totals, and names what make bench leaves out", () => {
    expect(conformanceLine({ wallMs: 44_800, totals: 'conformance: 265 passed' })).to.equal(
      'make conformance (the harness, every case through the CLI, 2 at a time): 44.80 s wall (target ≤ 90 s: met); conformance: 265 passed',
    );
    expect(notRunLine()).to.equal(
      'Not run by make bench, for their length: 1,000,000 records (≤ 120 s, ≤ 1.5 GB: make bench-at-scale ITEMS=1000000, about 2 minutes and 1.3 GB) and make test (≤ 60 s).',
    );
  });

  it('says the peer benchmark is met only when this project is ahead at every size, naming those it is not', () => {
    expect(peerLine([{ count: 100, ours: [11], peer: [28] }, { count: 1_000, ours: [86], peer: [1_140] }])).to.equal(
      "Beside the peer, the loop (peer's median ÷ this project's): N = 100: 2.5×, N = 1,000: 13.3× (target: ahead at every size: met).",
    );
    expect(peerLine([{ count: 10, ours: [5], peer: [3] }, { count: 100, ours: [11], peer: [28] }])).to.equal(
      "Beside the peer, the loop (peer's median ÷ this project's): N = 10: 0.6×, N = 100: 2.5× (target: ahead at every size: NOT met; not ahead at N = 10).",
    );
  });
});

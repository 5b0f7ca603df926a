// make bench-at-scale's arguments, and its report of several runs: a count it cannot run is
// refused in one named line; the runs' table gives each run and issue 18's verdicts.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { benchArgs, InvalidBenchCount, roundsReport, type AtScaleFigures } from '../../bench/at-scale-offline.ts';

describe('bench/at-scale-offline arguments', () => {
  it('reads --count, --rounds and --json: 100,000 records, one run, text by default', () => {
    expect(benchArgs(['--count', '2000', '--rounds=3', '--json'])).to.deep.equal({ count: 2000, rounds: 3, json: true });
    expect(benchArgs([])).to.deep.equal({ count: 100_000, rounds: 1, json: false });
  });

  for (const bad of ['abc', '0', '-5', '1.5', '', '1e3']) {
    it(`refuses --count=${JSON.stringify(bad)} and --rounds=${JSON.stringify(bad)} with InvalidBenchCount`, () => {
      expect(() => benchArgs([`--count=${bad}`])).to.throw(InvalidBenchCount, `--count (ITEMS) must be a positive integer, got "${bad}"`);
      expect(() => benchArgs([`--rounds=${bad}`])).to.throw(InvalidBenchCount, `--rounds (ROUNDS) must be a positive integer, got "${bad}"`);
    });
  }

  it('refuses an unknown option by name', () => {
    expect(() => benchArgs(['--items', '5'])).to.throw(InvalidBenchCount, "'--items'");
  });

  it('runs as a command: ITEMS=abc exits 2 with one line and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/at-scale-offline.ts', '--count=abc'], { encoding: 'utf8' });
    expect(result.status).to.equal(2);
    expect(result.stderr.trim()).to.equal('InvalidBenchCount: --count (ITEMS) must be a positive integer, got "abc"');
    expect(result.stdout).to.equal('');
  });
});

describe('bench/at-scale-offline rounds', () => {
  const run = (wallS: number, peakRssMb: number, changes: Partial<AtScaleFigures> = {}): AtScaleFigures => ({
    count: 100_000,
    status: 'SUCCEEDED',
    wallMs: wallS * 1000,
    cpuMs: wallS * 1200,
    peakRssMb,
    seedMs: wallS * 400,
    mapRunMs: wallS * 550,
    reconciliationMs: 150,
    loopWaitMs: 300,
    loadBefore: 1.5,
    loadAfter: 1.8,
    seeded: 100_000,
    delivered: 100_000,
    missing: 0,
    duplicated: 0,
    ...changes,
  });

  it('gives each run a row, then the medians and ranges, and the targets at 100,000 records', () => {
    const lines = roundsReport([run(11.5, 330), run(12.5, 320), run(11.9, 340)]);
    expect(lines[0]).to.equal('transfer-records-at-scale offline, 100,000 records, 3 runs, each in a fresh process, one after another:');
    expect(lines.filter((line) => /^\| +\d+ \|/.test(line))).to.have.length(3);
    expect(lines).to.include('Medians (ranges): wall 11.90 s (11.50–12.50 s), CPU 14.28 s (13.80–15.00 s), seed 4.76 s (4.60–5.00 s), Map Run 6.54 s (6.33–6.88 s).');
    expect(lines.at(-1)).to.equal(
      'N = 100,000: wall 11.90 s, median (target ≤ 12 s: met; 2 of 3 runs within it); peak RSS 340 MB at most (target ≤ 400 MB: met).',
    );
  });

  it('says NOT met when the median or the highest peak RSS is over its target, and marks a run that lost a record', () => {
    const lines = roundsReport([run(12.5, 330), run(12.1, 410, { missing: 1 }), run(11.9, 340)]);
    expect(lines.at(-1)).to.equal(
      'N = 100,000: wall 12.10 s, median (target ≤ 12 s: NOT met; 1 of 3 runs within it); peak RSS 410 MB at most (target ≤ 400 MB: NOT met).',
    );
    expect(lines.find((line) => line.startsWith('|   2 |'))).to.match(/\| +NO \|$/);
  });

  it('has no target line for a count issue 18 sets none for', () => {
    const lines = roundsReport([run(1, 100, { count: 20_000, seeded: 20_000, delivered: 20_000 }), run(1.2, 110, { count: 20_000, seeded: 20_000, delivered: 20_000 })]);
    expect(lines.some((line) => line.includes('target'))).to.equal(false);
  });
});

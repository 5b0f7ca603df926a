// The engine alone, cold: each process runs the bundled loop to its end, and the bundle's folder
// does not outlive the measure.
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { coldLine, engineCold } from '../../bench/engine-cold.ts';

describe('bench/engine-cold', function () {
  this.timeout(60_000);

  it('times the bundled loop in fresh processes and leaves no folder behind', async () => {
    const figures = await engineCold(3, 2);
    expect(figures.count).to.equal(3);
    expect(figures.runs).to.have.length(2);
    for (const ms of figures.runs) expect(ms).to.be.a('number').and.above(0);
    expect(readdirSync('.').filter((name) => name.startsWith('.bench-'))).to.deep.equal([]);
    expect(coldLine({ count: 100, runs: [12, 10, 14] })).to.contain('N = 100: 12.0 ms median (10.0–14.0 ms, 3 processes)');
  });
});

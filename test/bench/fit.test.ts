import { expect } from 'chai';
import { fitQuadratic, FitError, predict, quadraticShare } from '../../bench/fit.ts';

describe('bench/fit', () => {
  it('recovers the coefficients of an exact quadratic', () => {
    const samples = [250, 500, 1000, 1763].map((n) => ({ n, t: 120 + 2.5 * n + 0.001 * n * n }));
    const fit = fitQuadratic(samples);
    expect(fit.a).to.be.closeTo(120, 1e-6);
    expect(fit.b).to.be.closeTo(2.5, 1e-9);
    expect(fit.c).to.be.closeTo(0.001, 1e-12);
    expect(predict(fit, 1763)).to.be.closeTo(120 + 2.5 * 1763 + 0.001 * 1763 ** 2, 1e-6);
    expect(quadraticShare(fit, 1763)).to.be.closeTo((0.001 * 1763 ** 2) / predict(fit, 1763), 1e-9);
  });

  it('finds no quadratic term in a line, repeated samples included', () => {
    const samples = [250, 250, 500, 500, 1000, 1763].map((n) => ({ n, t: 300 + 1.8 * n }));
    const fit = fitQuadratic(samples);
    expect(fit.c).to.be.closeTo(0, 1e-12);
    expect(quadraticShare(fit, 1763)).to.be.closeTo(0, 1e-9);
  });

  it('fits noisy samples in the least-squares sense', () => {
    // Symmetric noise around a line: the fit stays the line.
    const samples = [100, 200, 300].flatMap((n) => [
      { n, t: 2 * n + 10 },
      { n, t: 2 * n - 10 },
    ]);
    const fit = fitQuadratic(samples);
    expect(fit.b).to.be.closeTo(2, 1e-9);
    expect(fit.c).to.be.closeTo(0, 1e-12);
  });

  it('refuses fewer than three distinct sizes with FitError', () => {
    expect(() => fitQuadratic([{ n: 1, t: 1 }, { n: 1, t: 2 }, { n: 2, t: 3 }])).to.throw(FitError, /three distinct N/);
  });
});

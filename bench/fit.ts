// Least-squares fit of t = a + b·N + c·N², to tell a linear cost from a quadratic one.

export interface QuadraticFit {
  /** Fixed cost, in the unit of t. */
  a: number;
  /** Cost per item. */
  b: number;
  /** Cost per item squared. */
  c: number;
}

export class FitError extends Error {
  override name = 'FitError';
}

/** Solves the 3×3 system m·x = v by Gaussian elimination with partial pivoting. */
function solve3(m: number[][], v: number[]): number[] {
  const rows = m.map((row, index) => [...row, v[index]!]);
  for (let column = 0; column < 3; column++) {
    let pivot = column;
    for (let row = column + 1; row < 3; row++) if (Math.abs(rows[row]![column]!) > Math.abs(rows[pivot]![column]!)) pivot = row;
    if (Math.abs(rows[pivot]![column]!) < 1e-12) throw new FitError('the sizes do not determine a quadratic: give at least three distinct N');
    [rows[column], rows[pivot]] = [rows[pivot]!, rows[column]!];
    for (let row = column + 1; row < 3; row++) {
      const factor = rows[row]![column]! / rows[column]![column]!;
      for (let k = column; k < 4; k++) rows[row]![k]! -= factor * rows[column]![k]!;
    }
  }
  const x = [0, 0, 0];
  for (let row = 2; row >= 0; row--) {
    let sum = rows[row]![3]!;
    for (let k = row + 1; k < 3; k++) sum -= rows[row]![k]! * x[k]!;
    x[row] = sum / rows[row]![row]!;
  }
  return x;
}

/** The quadratic that fits the samples best in the least-squares sense. */
export function fitQuadratic(samples: { n: number; t: number }[]): QuadraticFit {
  if (new Set(samples.map(({ n }) => n)).size < 3) throw new FitError('the sizes do not determine a quadratic: give at least three distinct N');
  // N in thousands keeps the normal equations well conditioned.
  const scale = 1000;
  const sums = [0, 0, 0, 0, 0];
  const targets = [0, 0, 0];
  for (const { n, t } of samples) {
    const x = n / scale;
    for (let power = 0; power < 5; power++) sums[power]! += x ** power;
    for (let power = 0; power < 3; power++) targets[power]! += t * x ** power;
  }
  const normal = [0, 1, 2].map((row) => [0, 1, 2].map((column) => sums[row + column]!));
  const [a, b, c] = solve3(normal, targets);
  return { a: a!, b: b! / scale, c: c! / scale ** 2 };
}

/** The fitted t at n. */
export function predict(fit: QuadraticFit, n: number): number {
  return fit.a + fit.b * n + fit.c * n * n;
}

/** The quadratic term's part of the fitted t at n (negative when the curve bends down). */
export function quadraticShare(fit: QuadraticFit, n: number): number {
  return (fit.c * n * n) / predict(fit, n);
}

// Issue 18's targets, each with the line a benchmark prints for it: the figure, the target and
// whether it is met. One place for every target, whichever benchmark measures it (local.ts,
// at-scale-offline.ts, startup.ts, peer.ts).
import { median } from './median.ts';

export const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** The classic loop after the seed at 100 items, and the whole execution at MAX_ITEMS (1,763). */
export const LOOP_100_MS = 25;
export const EXECUTION_MAX_S = 0.5;
/** `make local`'s command at 10 items, after the build. */
export const MAKE_LOCAL_S = 0.4;
/** The at-scale workflow, by record count: the wall time and the peak RSS (MiB, as maxRSS is read). */
export const AT_SCALE: ReadonlyMap<number, { wallS: number; rssMb: number }> = new Map([
  [100_000, { wallS: 12, rssMb: 400 }],
  [1_000_000, { wallS: 120, rssMb: 1_536 }],
]);
export const CONFORMANCE_S = 90;
export const MAKE_TEST_S = 60;

const records = (count: number) => count.toLocaleString('en-US');

/** `layer` prefixes the line with where it was measured ("Warm endpoint, "), or nothing for a fresh process. */
export const loopLine = (layer: string, loopMs: number): string =>
  `${layer}N = 100: loop ${loopMs.toFixed(0)} ms, median (target ≤ ${LOOP_100_MS} ms: ${verdict(loopMs <= LOOP_100_MS)}).`;

export const executionLine = (layer: string, count: number, executionMs: number): string =>
  `${layer}N = ${count}: execution ${(executionMs / 1000).toFixed(2)} s, median (target ≤ ${EXECUTION_MAX_S} s: ${verdict(executionMs <= EXECUTION_MAX_S * 1000)}).`;

export const makeLocalLine = (wallMs: number): string =>
  `make local, 10 items: ${(wallMs / 1000).toFixed(2)} s wall, median (target ≤ ${MAKE_LOCAL_S} s: ${verdict(wallMs <= MAKE_LOCAL_S * 1000)}).`;

/** Runs of one record count: the median wall time and the highest peak RSS against its targets; undefined for a count without targets. */
export function atScaleLine(count: number, runs: { wallMs: number; peakRssMb: number }[]): string | undefined {
  const target = AT_SCALE.get(count);
  if (target === undefined) return undefined;
  const walls = runs.map((run) => run.wallMs);
  const wall = median(walls);
  const rss = Math.max(...runs.map((run) => run.peakRssMb));
  const one = runs.length === 1;
  const within = one ? '' : `; ${walls.filter((ms) => ms <= target.wallS * 1000).length} of ${runs.length} runs within it`;
  return (
    `N = ${records(count)}: wall ${(wall / 1000).toFixed(2)} s, ${one ? 'one run' : 'median'} (target ≤ ${target.wallS} s: ${verdict(wall <= target.wallS * 1000)}${within}); ` +
    `peak RSS ${rss.toFixed(0)} MB${one ? '' : ' at most'} (target ≤ ${target.rssMb} MB: ${verdict(rss <= target.rssMb)}).`
  );
}

/** `make conformance`'s wall time against its target, with the harness's totals. */
export const conformanceLine = ({ wallMs, totals }: { wallMs: number; totals: string }): string =>
  `make conformance (the harness, every case through the CLI, 2 at a time): ${(wallMs / 1000).toFixed(2)} s wall (target ≤ ${CONFORMANCE_S} s: ${verdict(wallMs <= CONFORMANCE_S * 1000)}); ${totals}`;

/**
 * The issue's aim, ahead of a peer at every size: each size's loop median here against the peer's
 * (bench/peer.ts), met when this project's is the lower at every size.
 */
export function peerLine(sizes: { count: number; ours: number[]; peer: number[] }[]): string {
  const ratios = sizes.map(({ count, ours, peer }) => `N = ${records(count)}: ${(median(peer) / median(ours)).toFixed(1)}×`);
  const behind = sizes.filter(({ ours, peer }) => median(ours) >= median(peer)).map(({ count }) => records(count));
  return (
    `Beside the peer, the loop (peer's median ÷ this project's): ${ratios.join(', ')} ` +
    `(target: ahead at every size: ${verdict(behind.length === 0)}${behind.length === 0 ? '' : `; not ahead at N = ${behind.join(', ')}`}).`
  );
}

/** The targets make bench leaves to their own commands. */
export function notRunLine(): string {
  const million = AT_SCALE.get(1_000_000)!;
  return (
    `Not run by make bench, for their length: ${records(1_000_000)} records (≤ ${million.wallS} s, ≤ ${(million.rssMb / 1024).toFixed(1)} GB: ` +
    `make bench-at-scale ITEMS=1000000, about 2 minutes and 1.3 GB) and make test (≤ ${MAKE_TEST_S} s).`
  );
}

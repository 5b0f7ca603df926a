// The engine alone as a fresh process runs it: the loop of bench/transfer-records-engine.ts,
// bundled by esbuild as the CLI is (tsx's loader makes cold code slower still), each run in a
// process of its own after a one-item run. What the offline run's loop at N items costs in the
// engine before any SDK, emulator or IAM check: the floor under make bench's loop column.
// `npx tsx bench/engine-cold.ts [--count 100] [--runs 9]` prints the median and range.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { median } from './median.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// A run of MAX_ITEMS takes well under a second; a process past this is stuck, and the benchmark stops.
const RUN_DEADLINE_MS = 60_000;

export interface ColdFigures {
  count: number;
  /** Each process's execution of `count` items, in ms. */
  runs: number[];
}

/** Runs the bundled engine-alone loop of `count` items in `runs` fresh processes. */
export async function engineCold(count: number, runs: number): Promise<ColdFigures> {
  // One folder below the root, as the sources are: the loop reads the ASL file relative to itself.
  const dir = mkdtempSync(join(ROOT, '.bench-'));
  try {
    const bundle = join(dir, 'engine-alone.mjs');
    await build({
      entryPoints: [join(ROOT, 'bench', 'transfer-records-engine.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'warning',
    });
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const output = execFileSync(process.execPath, [bundle, '--count', String(count), '--cold'], { encoding: 'utf8', timeout: RUN_DEADLINE_MS });
      times.push((JSON.parse(output) as { ms: number }).ms);
    }
    return { count, runs: times };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for make bench: the median and range. */
export function coldLine({ count, runs }: ColdFigures): string {
  const ms = (value: number) => value.toFixed(1);
  return (
    `Engine alone, cold (bench/engine-cold.ts: bundled, each in a fresh process after a one-item run), N = ${count}: ` +
    `${ms(median(runs))} ms median (${ms(Math.min(...runs))}–${ms(Math.max(...runs))} ms, ${runs.length} processes).`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, runs: { type: 'string', default: '9' } } });
  const count = Number(values.count);
  const runs = Number(values.runs);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('--count and --runs take whole numbers');
  console.log(coldLine(await engineCold(count, runs)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// `npx tsx bench/at-scale-offline.ts --count N [--rounds R]` (or `make bench-at-scale ITEMS=N
// ROUNDS=R`): the transfer-records-at-scale workflow end to end offline, as `make local` runs it
// (emulators, local IAM, the seed Lambda, the Map Run and its child executions, the
// reconciliation), and what it cost: wall time, CPU, peak RSS, and the seed's, the Map Run's and
// the reconciliation's shares of the wall time. One run is made in this process; several are
// made one after another, each in a fresh process (a run's peak RSS is its process's), and
// printed as a table with their medians and ranges and issue 18's targets: on a shared machine
// one run's wall time says little. It exits 1 when a run did not deliver every record exactly once.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runLocal } from '../local/run.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../workflow/transfer-records-at-scale.ts';
import { median } from './median.ts';
import { figuresTable } from './table.ts';
import { atScaleLine } from './targets.ts';

const DEFAULT_COUNT = 100_000;
const SEED_STATE = 'Seed the DynamoDB Table';
const MAP_STATE = 'Send Every Record';
const THIS_FILE = fileURLToPath(import.meta.url);

export class InvalidBenchCount extends Error {
  override name = 'InvalidBenchCount';
}

/** A round's process ended without handing back its figures. */
export class AtScaleRoundFailed extends Error {
  override name = 'AtScaleRoundFailed';
}

export interface BenchArgs {
  count: number;
  /** Runs, each in a fresh process; one runs in this process. */
  rounds: number;
  /** One run's figures as one JSON object: what a round's process hands back. */
  json: boolean;
}

/** A positive integer, digits only, or InvalidBenchCount naming the option and its make variable. */
function positive(value: string, option: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidBenchCount(`${option} must be a positive integer, got "${value}"`);
  }
  return number;
}

/** `--count N` (make's ITEMS=N, DEFAULT_COUNT when absent), `--rounds R` (ROUNDS=R, 1) and `--json`. */
export function benchArgs(args: string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { count: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } } }));
  } catch (error) {
    throw new InvalidBenchCount((error as Error).message);
  }
  return {
    count: values.count === undefined ? DEFAULT_COUNT : positive(values.count, '--count (ITEMS)'),
    rounds: values.rounds === undefined ? 1 : positive(values.rounds, '--rounds (ROUNDS)'),
    json: values.json ?? false,
  };
}

/** One run's figures, times in milliseconds. */
export interface AtScaleFigures {
  count: number;
  status: string;
  error?: string;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  seedMs: number;
  mapRunMs: number;
  reconciliationMs: number;
  loopWaitMs: number;
  loadBefore: number;
  loadAfter: number;
  seeded: number;
  delivered: number;
  missing: number;
  duplicated: number;
}

/** The run delivered every record it seeded, once. */
export const delivered = (figures: AtScaleFigures): boolean =>
  figures.status === 'SUCCEEDED' && figures.missing === 0 && figures.duplicated === 0 && figures.seeded === figures.count;

/** Runs the workflow with `count` records in this process, and measures it. */
async function measureRun(count: number): Promise<AtScaleFigures> {
  const [loadBefore] = loadavg();
  // How long a timer, a signal or a request may have waited for the run to let the event loop turn.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { record, reconciliationMs } = await runLocal({ workflow: TRANSFER_RECORDS_AT_SCALE.name, count });
  const wallMs = performance.now() - started;
  loopDelay.disable();
  // On a shared machine the wall time includes waiting for a core; the CPU time does not.
  const cpu = process.cpuUsage(cpuBefore);
  const { missing, duplicates, items, delivered: deliveredCount } = record.reconciliation;
  const stateMs = (name: string) => record.states[name]?.ms ?? 0;
  return {
    count,
    status: record.status,
    ...(record.error ? { error: record.error } : {}),
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    // maxRSS is the process's peak resident set, in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    seedMs: stateMs(SEED_STATE),
    mapRunMs: stateMs(MAP_STATE),
    reconciliationMs,
    loopWaitMs: loopDelay.max / 1e6,
    loadBefore: loadBefore!,
    loadAfter: loadavg()[0]!,
    seeded: items,
    delivered: deliveredCount,
    missing: missing.length,
    duplicated: duplicates.length,
  };
}

/** Milliseconds as seconds, two decimals: "11.90"; `seconds` adds the unit. */
const s = (ms: number) => (ms / 1000).toFixed(2);
const seconds = (ms: number) => `${s(ms)} s`;
const share = (ms: number, wallMs: number) => `${seconds(ms).padStart(9)}  ${((ms * 100) / wallMs).toFixed(0).padStart(3)}%`;
const records = (count: number) => count.toLocaleString('en-US');

/** One run, as the lines this bench has always printed for it. */
export function runReport(figures: AtScaleFigures): string[] {
  const { wallMs } = figures;
  return [
    `transfer-records-at-scale offline, ${records(figures.count)} records: ${figures.status}${figures.error ? ` (${figures.error})` : ''}`,
    `wall            ${seconds(wallMs)}`,
    `CPU             ${seconds(figures.cpuMs)}  (user + system; the wall time, less any wait for a core)`,
    `peak RSS        ${figures.peakRssMb.toFixed(0)} MB`,
    `seed            ${share(figures.seedMs, wallMs)}`,
    `Map Run         ${share(figures.mapRunMs, wallMs)}`,
    `reconciliation  ${share(figures.reconciliationMs, wallMs)}`,
    `the rest        ${share(wallMs - figures.seedMs - figures.mapRunMs - figures.reconciliationMs, wallMs)}  (emulators, provisioning, history, report fold)`,
    `event loop      waited ${seconds(figures.loopWaitMs)} at the longest (what a timer, Ctrl-C or a request waits for at most)`,
    `load average    ${figures.loadBefore.toFixed(1)} at the start, ${figures.loadAfter.toFixed(1)} at the end (1 minute; the machine's cores: ${availableParallelism()})`,
    `seeded ${records(figures.seeded)}, delivered ${records(figures.delivered)}, missing ${figures.missing}, duplicated ${figures.duplicated}`,
  ];
}

/** "11.90 s (11.50–12.50 s)": the median, then the range, of times in milliseconds. */
const medianRange = (values: number[]) => `${s(median(values))} s (${s(Math.min(...values))}–${s(Math.max(...values))} s)`;

/** Several runs: one row each, the medians and ranges, and issue 18's targets for this count when it has them. */
export function roundsReport(runs: AtScaleFigures[]): string[] {
  const count = runs[0]!.count;
  const rows = runs.map((run, index) => [
    String(index + 1),
    seconds(run.wallMs),
    seconds(run.cpuMs),
    `${run.peakRssMb.toFixed(0)} MB`,
    seconds(run.seedMs),
    seconds(run.mapRunMs),
    seconds(run.reconciliationMs),
    seconds(run.loopWaitMs),
    `${run.loadBefore.toFixed(1)}–${run.loadAfter.toFixed(1)}`,
    delivered(run) ? 'yes' : 'NO',
  ]);
  const header = ['run', 'wall', 'CPU', 'peak RSS', 'seed', 'Map Run', 'reconciliation', 'event loop wait', 'load', 'every record once'];
  const walls = runs.map((run) => run.wallMs);
  const lines = [
    `transfer-records-at-scale offline, ${records(count)} records, ${runs.length} runs, each in a fresh process, one after another:`,
    ...figuresTable(header, rows),
    '',
    `Medians (ranges): wall ${medianRange(walls)}, CPU ${medianRange(runs.map((run) => run.cpuMs))}, ` +
      `seed ${medianRange(runs.map((run) => run.seedMs))}, Map Run ${medianRange(runs.map((run) => run.mapRunMs))}.`,
  ];
  const verdict = atScaleLine(count, runs);
  if (verdict !== undefined) lines.push(verdict);
  return lines;
}

/** One run in a fresh process of this file (the same Node flags), its figures read from its --json line. */
export function runInFreshProcess(count: number): AtScaleFigures {
  const result = spawnSync(process.execPath, [...process.execArgv, THIS_FILE, `--count=${count}`, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  // Exit 1 is a run that did not deliver every record: its figures say so.
  const line = result.stdout?.trim().split('\n').at(-1);
  if ((result.status !== 0 && result.status !== 1) || !line?.startsWith('{')) {
    throw new AtScaleRoundFailed(`a round's process ended with ${result.error?.message ?? result.signal ?? `exit ${result.status}`} and no figures`);
  }
  return JSON.parse(line) as AtScaleFigures;
}

async function main(): Promise<void> {
  const { count, rounds, json } = benchArgs(process.argv.slice(2));
  let runs: AtScaleFigures[];
  if (rounds === 1) {
    const figures = await measureRun(count);
    console.log(json ? JSON.stringify(figures) : runReport(figures).join('\n'));
    runs = [figures];
  } else {
    runs = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = runInFreshProcess(count);
      console.error(`run ${round} of ${rounds}: wall ${seconds(figures.wallMs)}, peak RSS ${figures.peakRssMb.toFixed(0)} MB`);
      runs.push(figures);
    }
    console.log(roundsReport(runs).join('\n'));
  }
  if (!runs.every(delivered)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    // A bad count is the user's to fix, a failed round is named: one line, no stack.
    if (!(error instanceof InvalidBenchCount || error instanceof AtScaleRoundFailed)) throw error;
    console.error(`${error.name}: ${error.message}`);
    process.exitCode = error instanceof InvalidBenchCount ? 2 : 1;
  });
}

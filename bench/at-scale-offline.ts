// `npx tsx bench/at-scale-offline.ts --count N` (or `make bench-at-scale ITEMS=N`): the
// transfer-records-at-scale workflow end to end offline, as `make local` runs it (emulators,
// local IAM, the seed Lambda, the Map Run and its child executions, the reconciliation), in
// this process, and what it cost: wall time, peak RSS, and the seed's, the Map Run's and the
// reconciliation's shares of the wall time. It exits 1 when the run did not deliver every
// record exactly once.
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runLocal } from '../local/run.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../workflow/transfer-records-at-scale.ts';

const DEFAULT_COUNT = 100_000;
const SEED_STATE = 'Seed the DynamoDB Table';
const MAP_STATE = 'Send Every Record';

export class InvalidBenchCount extends Error {
  override name = 'InvalidBenchCount';
}

/** `--count N` (make's ITEMS=N): a positive integer, digits only; DEFAULT_COUNT when absent. */
export function countOf(args: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { count: { type: 'string' } } }));
  } catch (error) {
    throw new InvalidBenchCount((error as Error).message);
  }
  if (values.count === undefined) return DEFAULT_COUNT;
  const count = Number(values.count);
  if (!/^\d+$/.test(values.count.trim()) || !Number.isSafeInteger(count) || count < 1) {
    throw new InvalidBenchCount(`--count (ITEMS) must be a positive integer, got "${values.count}"`);
  }
  return count;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const share = (ms: number, wallMs: number) => `${seconds(ms).padStart(9)}  ${((ms * 100) / wallMs).toFixed(0).padStart(3)}%`;

async function main(): Promise<void> {
  const count = countOf(process.argv.slice(2));
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
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // maxRSS is the process's peak resident set, in kilobytes.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const { missing, duplicates, items, delivered } = record.reconciliation;
  const stateMs = (name: string) => record.states[name]?.ms ?? 0;
  const seedMs = stateMs(SEED_STATE);
  const mapRunMs = stateMs(MAP_STATE);
  console.log(
    [
      `transfer-records-at-scale offline, ${count.toLocaleString('en-US')} records: ${record.status}${record.error ? ` (${record.error})` : ''}`,
      `wall            ${seconds(wallMs)}`,
      `CPU             ${seconds(cpuMs)}  (user + system; the wall time, less any wait for a core)`,
      `peak RSS        ${peakRssMb.toFixed(0)} MB`,
      `seed            ${share(seedMs, wallMs)}`,
      `Map Run         ${share(mapRunMs, wallMs)}`,
      `reconciliation  ${share(reconciliationMs, wallMs)}`,
      `the rest        ${share(wallMs - seedMs - mapRunMs - reconciliationMs, wallMs)}  (emulators, provisioning, history, report fold)`,
      `event loop      waited ${seconds(loopDelay.max / 1e6)} at the longest (what a timer, Ctrl-C or a request waits for at most)`,
      `load average    ${loadBefore!.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (1 minute; the machine's cores: ${availableParallelism()})`,
      `seeded ${items.toLocaleString('en-US')}, delivered ${delivered.toLocaleString('en-US')}, missing ${missing.length}, duplicated ${duplicates.length}`,
    ].join('\n'),
  );
  if (record.status !== 'SUCCEEDED' || missing.length > 0 || duplicates.length > 0 || items !== count) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    // A bad count is the user's to fix: one named line, no stack.
    if (!(error instanceof InvalidBenchCount)) throw error;
    console.error(`${error.name}: ${error.message}`);
    process.exitCode = 2;
  });
}

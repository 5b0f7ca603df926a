// `tsx bench/at-scale.ts [N ...]`: the at-scale workflow on the engine alone (in-memory
// services, no emulator) for N = 1,000, 100,000 and 1,000,000 records by default, each in a
// process of its own so that its peak RSS is its own; then the AWS arithmetic: transitions per
// 1,000 records, cost per million records for both workflows, the largest count per execution.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AT_SCALE_MAX_ITEMS, UPLOAD_RESERVE_MS } from '../functions/seed/at-scale-limits.ts';
import { SEED_FUNCTION } from '../workflow/transfer-records.ts';
import { MAX_CONCURRENCY } from '../workflow/transfer-records-at-scale.ts';
import { MAX_ITEMS } from '../functions/seed/limits.ts';
import { atScaleDefinition, runAtScale } from './at-scale-run.ts';
import { atScaleChildWorstCase, EXPRESS_MAX_SECONDS } from './child-worst-case.ts';
import { atScaleCost, classicCost, DEFAULT_ASSUMPTIONS, keyListBytes, type CostLine } from './cost.ts';
import { PRICES, PRICES_AS_OF } from './prices.ts';

const SIZES = [1_000, 100_000, 1_000_000];
/** A new on-demand table's initial write throughput (DynamoDB's "warm throughput" of a new table). */
const NEW_ON_DEMAND_WRITES_PER_SECOND = 4_000;

const SCRIPT = fileURLToPath(import.meta.url);
// A generous deadline per size: the benchmark ends on its own.
const CHILD_DEADLINE_MS = 30 * 60_000;

interface Measured {
  records: number;
  status: string;
  error?: string;
  parentTransitions: number;
  parentEvents: number;
  childExecutions: number;
  childTransitions: number;
  missing: number;
  duplicated: number;
  wallMs: number;
  peakRssMb: number;
}

async function measureOne(records: number): Promise<Measured> {
  const run = await runAtScale({ count: records });
  return {
    records,
    status: run.result.status,
    ...(run.result.error ? { error: `${run.result.error}: ${run.result.cause ?? ''}`.slice(0, 300) } : {}),
    parentTransitions: run.parentTransitions,
    parentEvents: run.parentEvents,
    childExecutions: run.childExecutions,
    childTransitions: run.childTransitions,
    missing: run.missing.length,
    duplicated: run.duplicated.length,
    wallMs: Math.round(run.wallMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function measureInChild(records: number): Measured | string {
  const child = spawnSync(process.execPath, [...process.execArgv, SCRIPT, '--one', String(records)], {
    encoding: 'utf8',
    timeout: CHILD_DEADLINE_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Measured;
  } catch {
    return `failed (${child.signal ?? `exit ${child.status}`}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  }
}

const dollars = (value: number) => `$${value.toFixed(value < 0.01 ? 6 : 4)}`;
const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

function printCost(title: string, cost: { lines: CostLine[]; total: number }): void {
  console.log(`\n${title}: ${dollars(cost.total)} per million records`);
  for (const line of cost.lines) console.log(`  ${line.item.padEnd(50)} ${count(line.quantity).padStart(12)}  ${dollars(line.dollars).padStart(11)}`);
}

function printArithmetic(): void {
  const classic = classicCost(1_000_000, MAX_ITEMS);
  const atScale = atScaleCost(1_000_000);
  console.log(`\nAWS billing model (list prices, us-east-1, as of ${PRICES_AS_OF}; sources in bench/prices.ts)`);
  console.log(`  classic loop: 4 transitions per record = 4,000 per 1,000 records, plus 3 per execution of at most ${count(MAX_ITEMS)}`);
  console.log('  at scale: 2 parent states + 1 transition per child started (100 records each) = 10.002 per 1,000 records at 1,000,000;');
  console.log('            each child is an EXPRESS request billed by duration (assumed ' +
    `${DEFAULT_ASSUMPTIONS.childSeconds} s at ${DEFAULT_ASSUMPTIONS.childMemoryGb * 1024} MB), not by transitions`);
  printCost('Classic loop', classic);
  printCost('At scale', atScale);
  console.log(`\n  ratio: the at-scale workflow costs ${(atScale.total / classic.total * 100).toFixed(1)}% of the loop's bill for the same records`);
  const [classicFifo, atScaleFifo] = [classicCost(1_000_000, MAX_ITEMS, DEFAULT_ASSUMPTIONS, 'fifo'), atScaleCost(1_000_000, DEFAULT_ASSUMPTIONS, 'fifo')];
  console.log(`  with FIFO queues (QUEUE=fifo, SQS at ${dollars(PRICES.sqsFifoRequest * 1e6)} per million requests): classic loop ${dollars(classicFifo.total)}, ` +
    `at scale ${dollars(atScaleFifo.total)} per million records`);
  console.log('\nLargest count per execution within AWS quotas');
  console.log(`  classic loop: 25,000 history events / 14 per record, with 11 fixed and 300 for 100 retries: ${count(MAX_ITEMS)}`);
  console.log('  at scale: the parent history is constant (13 events whatever the count); children each have their own.');
  const writeSeconds = SEED_FUNCTION.timeoutSeconds - UPLOAD_RESERVE_MS / 1000;
  const bound = writeSeconds * NEW_ON_DEMAND_WRITES_PER_SECOND;
  const keyListMb = keyListBytes(bound) / 1e6;
  console.log(`    The bound is the seed Lambda's ${SEED_FUNCTION.timeoutSeconds} s timeout: a new on-demand table takes ${count(NEW_ON_DEMAND_WRITES_PER_SECOND)} writes/s,`);
  console.log(`    so (${SEED_FUNCTION.timeoutSeconds} s - ${UPLOAD_RESERVE_MS / 1000} s upload reserve) x ${count(NEW_ON_DEMAND_WRITES_PER_SECOND)}/s = ${count(bound)} items; ` +
    `the key list is then ${keyListMb.toFixed(0)} MB (${keyListBytes(bound) / bound} B a line);`);
  console.log(`    children: ${count(bound / 100)} of 100 records, each well inside EXPRESS's 5 minutes and its own 25,000 events.`);
  console.log(`    The seed accepts ${count(AT_SCALE_MAX_ITEMS)} (AT_SCALE_MAX_ITEMS), ${(bound / AT_SCALE_MAX_ITEMS).toFixed(1)} x below that bound, leaving room for throttling.`);
  const child = atScaleChildWorstCase(atScaleDefinition(MAX_CONCURRENCY));
  console.log(`  A child under sustained throttling (every retry and loop round used): ${child.calls} calls one after another and ` +
    `${child.waitSeconds} s of waits, leaving each call ${child.secondsPerCall} s of EXPRESS's ${EXPRESS_MAX_SECONDS} s`);
}

class InvalidBenchArgument extends Error {
  override name = 'InvalidBenchArgument';
}

function recordCount(arg: string): number {
  const records = Number(arg);
  if (!/^\d+$/.test(arg) || records < 1 || records > AT_SCALE_MAX_ITEMS) {
    throw new InvalidBenchArgument(`"${arg}" is not a record count: give counts from 1 to ${count(AT_SCALE_MAX_ITEMS)}, e.g. tsx bench/at-scale.ts 1000 100000`);
  }
  return records;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    console.log(JSON.stringify(await measureOne(Number(args[1]))));
    return;
  }
  const sizes = args.length > 0 ? args.map(recordCount) : SIZES;
  console.log('At-scale workflow on the engine alone (in-memory services, MaxConcurrency 100)\n');
  console.log('records      status     parent transitions  per 1,000  parent events  children  child transitions  missing  dup  wall s  peak RSS MB');
  for (const records of sizes) {
    const measured = measureInChild(records);
    if (typeof measured === 'string') {
      console.log(`${count(records).padEnd(12)} ${measured}`);
      continue;
    }
    // On AWS's billing model the parent is billed for its states and one transition per child started.
    const billed = measured.parentTransitions + measured.childExecutions;
    console.log(
      [
        count(records).padEnd(12),
        measured.status.padEnd(10),
        `${measured.parentTransitions} (+${count(measured.childExecutions)} starts)`.padStart(18),
        ((billed / records) * 1000).toFixed(3).padStart(10),
        String(measured.parentEvents).padStart(14),
        count(measured.childExecutions).padStart(9),
        count(measured.childTransitions).padStart(18),
        String(measured.missing).padStart(8),
        String(measured.duplicated).padStart(4),
        (measured.wallMs / 1000).toFixed(1).padStart(7),
        String(measured.peakRssMb).padStart(12),
      ].join(' '),
    );
    if (measured.error) console.log(`  ${measured.error}`);
  }
  printArithmetic();
}

await main().catch((error: unknown) => {
  console.error(error instanceof InvalidBenchArgument ? `${error.name}: ${error.message}` : error);
  process.exit(error instanceof InvalidBenchArgument ? 2 : 1);
});

// The classic workflow on a warm local endpoint: `make serve`'s command (dist/local-serve.mjs) in a
// process of its own, started once, and executions started on it through Step Functions' API, as a
// test suite run against `make serve` starts them. WARMUP executions of MAX_ITEMS items come first,
// uncounted: V8 compiles a function with its optimizing tiers only after it has run often, and a
// server in use has long since run every item's code that often (at 100 items, the loop took 22-26
// ms after three uncounted executions of 100, 11-17 ms after a thousand items more). Then the
// sizes take turns, round after round; each execution's time (DescribeExecution's stop less start)
// and loop (its history: from the seed's TaskStateExited to the last event) are counted. This is
// the layer a long-running emulator is measured at; `make bench`'s CLI rows measure a fresh
// process each run, cold.
// `npx tsx bench/warm-endpoint.ts [--count 100,1763] [--rounds 5]`; a section of `make bench`.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { MAX_ITEMS } from '../functions/seed/limits.ts';
import { arns, OFFLINE_SCOPE } from '../workflow/arns.ts';
import { workflowNames } from '../workflow/names.ts';
import { namePrefix, region } from '../workflow/settings.ts';
import { TRANSFER_RECORDS } from '../workflow/transfer-records.ts';
import { destroyClients, endpointClients, eventTime, msSpread, runToEnd } from './api-execution.ts';
import { median } from './median.ts';
import { startServe, stopServe } from './serve-process.ts';
import { figuresTable } from './table.ts';

/** Executions of MAX_ITEMS items before the counted ones. */
const WARMUP = 2;
export const WARM_ROUNDS = 5;
// How often the client asks whether an execution has ended. It answers on the endpoint's thread,
// so asking often takes time from the execution; the figures come from the history, not the wait.
const POLL_MS = 100;
const EXECUTION_DEADLINE_MS = 60_000;

export class WarmEndpointFailed extends Error {
  override name = 'WarmEndpointFailed';
}

export interface WarmFigures {
  count: number;
  /** Per counted execution, in milliseconds. */
  executionMs: number[];
  loopMs: number[];
}

/** One execution of `count` items, to its end; its execution time and its loop (after the seed). */
async function runOnce(sfn: SFNClient, stateMachineArn: string, count: number): Promise<{ executionMs: number; loopMs: number }> {
  const { described, first, last } = await runToEnd(sfn, stateMachineArn, JSON.stringify({ count }), {
    pollMs: POLL_MS,
    deadlineMs: EXECUTION_DEADLINE_MS,
    // The seed's exit is among the first events.
    firstEvents: 20,
    fail: (message) => new WarmEndpointFailed(`${count} item(s): ${message}`),
  });
  if (described.status !== 'SUCCEEDED') throw new WarmEndpointFailed(`the execution of ${count} item(s) ended ${described.status}`);
  const seedExited = first.find((event) => event.type === 'TaskStateExited');
  return {
    executionMs: described.stopDate!.getTime() - described.startDate!.getTime(),
    loopMs: eventTime(last) - eventTime(seedExited),
  };
}

/** WARMUP executions of MAX_ITEMS items, then `rounds` rounds of one execution per count, all on one endpoint. */
export async function measureWarmEndpoint(counts: number[], rounds: number = WARM_ROUNDS, warmup: number = WARMUP): Promise<WarmFigures[]> {
  const serve = await startServe();
  // The endpoint names its resources from the same settings (NAME_PREFIX, the region) it inherits.
  const scope = { ...OFFLINE_SCOPE, region: region() };
  const clients = endpointClients({ sfn: serve.url, dynamodb: serve.dynamodb, sqs: serve.sqs });
  const { sfn } = clients;
  try {
    const stateMachineArn = arns.stateMachine(scope, workflowNames(namePrefix(), TRANSFER_RECORDS).stateMachine);
    for (let run = 0; run < warmup; run++) await runOnce(sfn, stateMachineArn, MAX_ITEMS);
    const figures: WarmFigures[] = counts.map((count) => ({ count, executionMs: [], loopMs: [] }));
    for (let round = 0; round < rounds; round++) {
      for (const size of figures) {
        const { executionMs, loopMs } = await runOnce(sfn, stateMachineArn, size.count);
        size.executionMs.push(executionMs);
        size.loopMs.push(loopMs);
      }
    }
    return figures;
  } finally {
    destroyClients(clients);
    await stopServe(serve.child);
  }
}

/** The section `make bench` prints: one row per count. */
export function warmEndpointTable(figures: WarmFigures[]): string[] {
  const rounds = figures[0]?.executionMs.length ?? 0;
  const header = ['N', 'execution, median (range)', 'loop, median (range)', 'loop / item'];
  const rows = figures.map(({ count, executionMs, loopMs }) => [
    count.toLocaleString('en-US'),
    msSpread(executionMs),
    msSpread(loopMs),
    `${(median(loopMs) / count).toFixed(3)} ms`,
  ]);
  return [
    `Warm endpoint (bench/warm-endpoint.ts): make serve's command in its own process, executions started through Step Functions' API; ` +
      `${WARMUP} uncounted executions of ${MAX_ITEMS} items, then ${rounds} rounds of the sizes in turn. Times from DescribeExecution and the history (whole milliseconds).`,
    ...figuresTable(header, rows),
  ];
}

/** `--count 100,1763 --rounds 5`: counts 1..MAX_ITEMS, a positive number of rounds; WarmEndpointFailed otherwise. */
export function warmArgs(args: string[]): { counts: number[]; rounds: number } {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { count: { type: 'string' }, rounds: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new WarmEndpointFailed((error as Error).message);
  }
  const counts = (values.count ?? `100,${MAX_ITEMS}`).split(',').map((count) => (/^\d+$/.test(count.trim()) ? Number(count) : Number.NaN));
  const rounds = values.rounds === undefined ? WARM_ROUNDS : /^\d+$/.test(values.rounds) ? Number(values.rounds) : Number.NaN;
  if (counts.some((count) => !(count >= 1 && count <= MAX_ITEMS)) || !(rounds >= 1)) {
    throw new WarmEndpointFailed(`--count takes whole numbers 1-${MAX_ITEMS} separated by commas, --rounds a whole number from 1; got --count "${values.count ?? ''}" --rounds "${values.rounds ?? ''}"`);
  }
  return { counts, rounds };
}

async function main(): Promise<void> {
  const { counts, rounds } = warmArgs(process.argv.slice(2));
  console.log(warmEndpointTable(await measureWarmEndpoint(counts, rounds)).join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}

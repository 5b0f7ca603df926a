// `make bench`: the offline run (`make local`'s command, after the build) for N = 10, 100, 250,
// 500, 1,000 and MAX_ITEMS items, each run ROUNDS times in its own process (TARGET_ROUNDS times at
// 100 and MAX_ITEMS, the sizes issue 18's targets are judged at): wall time, execution time, the
// loop's share of it and peak RSS, beside the same N GetItem + N SendMessage calls made
// with the SDK's full send against the same emulators and the same loop on the engine alone
// (in-memory services), as ratios; then a least-squares fit of execution time over
// N = 250…MAX_ITEMS, with the quadratic term's share, and the engine alone cold at 100 items
// (bench/engine-cold.ts), the floor under the loop's figure.
// Other processes share the machine: every figure is a range over the rounds, with the load
// average. Every child process has a deadline; the benchmark stops on its own. A second table
// (bench/startup.ts) gives what a CLI process costs around its run: Node alone, the CLI's
// start-up, one conformance case, `make local` at 10 items, `make test-state` on one state. A third
// (bench/warm-endpoint.ts) runs the loop at 100 and MAX_ITEMS items on a warm `make serve`, the
// layer a long-running emulator is measured at, against the same targets. Last, three runs of the
// at-scale workflow at 100,000 records, each in a fresh process, and, given --conformance=FOLDER (the
// Makefile gives it when the harness is there), `make conformance`'s command; then issue 18's
// verdict on each target measured (targets.ts).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { BATCH_SIZE, MAX_ITEMS } from '../functions/seed/limits.ts';
import { createLocalClients } from '../local/services/emulators.ts';
import { withDirectSends } from '../local/services/direct-client.ts';
import { startLocalEnvironment } from '../local/host/environment.ts';
import { MESSAGE_ID_ATTRIBUTE } from '../execution/queue.ts';
import { QUEUE, TABLE } from '../workflow/transfer-records.ts';
import { fitQuadratic, predict, quadraticShare } from './fit.ts';
import { runEngineAlone } from './transfer-records-engine.ts';
import { coldLine, engineCold } from './engine-cold.ts';
import { conformanceArg, MAKE_LOCAL_ROW, measureConformance, measureStartup, STARTUP_ROUNDS, startupTable, type StartupRow } from './startup.ts';
import { runInFreshProcess, type AtScaleFigures } from './at-scale-offline.ts';
import { median } from './median.ts';
import { atScaleLine, conformanceLine, executionLine, loopLine, makeLocalLine, notRunLine, verdict } from './targets.ts';
import { loopMs, runCli, type CliRun } from './cli-run.ts';
import { figuresTable } from './table.ts';
import { measureWarmEndpoint, warmEndpointTable, type WarmFigures } from './warm-endpoint.ts';

const SIZES = [10, 100, 250, 500, 1000, MAX_ITEMS];
/** The sizes the growth is fitted over. */
const FIT_FROM = 250;
const ROUNDS = 3;
// At the targets' sizes (100 and MAX_ITEMS), more: a median of three moved with one slow run.
const TARGET_ROUNDS = 9;
const roundsAt = (count: number) => (count === 100 || count === MAX_ITEMS ? TARGET_ROUNDS : ROUNDS);
// Fresh processes for the engine alone, cold, at 100 items.
const COLD_RUNS = 9;
/** issue 8's targets for N = MAX_ITEMS. */
const TARGET_WALL_S = 4;
const TARGET_RSS_MB = 200;
/** The record count of the at-scale runs make bench makes, and how many: a single run moved with one slow spell. */
const AT_SCALE_COUNT = 100_000;
const AT_SCALE_ROUNDS = 3;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The workflow's service calls without the engine: N sequential GetItem + SendMessage pairs over
 * the same in-process transport and IAM door, through the SDK's full send or, as the run's bridge
 * sends them, the direct send (direct-client.ts).
 */
async function directCalls(count: number, send: 'sdk' | 'direct'): Promise<number> {
  const env = await startLocalEnvironment();
  const { region, data } = env.resources;
  const tableName = data[TABLE.id]!.name;
  const queueUrl = data[QUEUE.id]!.url!;
  const sdkClients = createLocalClients(region, env.endpoints);
  const clients = send === 'direct' ? withDirectSends(sdkClients) : sdkClients;
  try {
    const ids = Array.from({ length: count }, (_, index) => `bench-${String(index + 1).padStart(4, '0')}`);
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      await clients.dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [tableName]: ids.slice(start, start + BATCH_SIZE).map((id) => ({
              PutRequest: { Item: { [TABLE.hashKey]: { S: id }, [TABLE.messageAttribute]: { S: `Message ${id}` } } },
            })),
          },
        }),
      );
    }
    const started = performance.now();
    for (const id of ids) {
      const { Item } = await clients.dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: { [TABLE.hashKey]: { S: id } }, ConsistentRead: true }),
      );
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: Item?.[TABLE.messageAttribute]?.S ?? '',
          MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } },
        }),
      );
    }
    return performance.now() - started;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await env.stop();
  }
}

/** The same loop on the engine alone. */
async function engineAlone(count: number): Promise<number> {
  const { result, sent, ms } = await runEngineAlone(count);
  if (result.status !== 'SUCCEEDED' || sent.length !== count) {
    throw new Error(`the engine alone ended ${result.status} with ${sent.length} of ${count} sent`);
  }
  return ms;
}

interface SizeFigures {
  count: number;
  runs: CliRun[];
  direct: number[];
  directSend: number[];
  engine: number[];
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const range = (values: number[], format: (value: number) => string, unit: string) => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return format(low) === format(high) ? `${format(low)} ${unit}` : `${format(low)}–${format(high)} ${unit}`;
};
const load = () => loadavg().map((value) => value.toFixed(2)).join(', ');

async function measure(count: number): Promise<SizeFigures> {
  const figures: SizeFigures = { count, runs: [], direct: [], directSend: [], engine: [] };
  for (let round = 0; round < roundsAt(count); round++) {
    const run = await runCli(ROOT, ['--count', String(count)]);
    const { summary } = run;
    if (summary.status !== 'SUCCEEDED' || summary.delivered !== count) {
      throw new Error(`the run of ${count} item(s) ended ${summary.status} with ${summary.delivered} delivered`);
    }
    figures.runs.push(run);
    figures.direct.push(await directCalls(count, 'sdk'));
    figures.directSend.push(await directCalls(count, 'direct'));
    figures.engine.push(await engineAlone(count));
  }
  return figures;
}

function table(all: SizeFigures[]): string[] {
  const header = ['N', 'wall', 'CPU', 'execution', 'loop', 'loop / item', 'peak RSS', 'direct SDK', 'direct send', 'engine alone', 'exec / direct', 'exec / engine', 'history events'];
  const rows = all.map(({ count, runs, direct, directSend, engine }) => {
    const execution = median(runs.map((run) => run.summary.durationMs));
    return [
      count.toLocaleString('en-US'),
      range(runs.map((run) => run.wallMs), seconds, 's'),
      range(runs.map((run) => run.cpuMs), seconds, 's'),
      range(runs.map((run) => run.summary.durationMs), seconds, 's'),
      range(runs.map((run) => loopMs(run.summary)), (ms) => ms.toFixed(0), 'ms'),
      `${(median(runs.map((run) => loopMs(run.summary))) / count).toFixed(3)} ms`,
      `${Math.max(...runs.map((run) => run.peakRssMb)).toFixed(0)} MB`,
      range(direct, seconds, 's'),
      range(directSend, seconds, 's'),
      range(engine, seconds, 's'),
      `${(execution / median(direct)).toFixed(1)}×`,
      `${(execution / median(engine)).toFixed(0)}×`,
      runs[0]!.summary.historyEvents.toLocaleString('en-US'),
    ];
  });
  return figuresTable(header, rows);
}

function growth(all: SizeFigures[]): string[] {
  // Each size's fastest run: the one the other processes on the machine disturbed least.
  const fastest = all
    .filter(({ count }) => count >= FIT_FROM)
    .map(({ count, runs }) => ({ n: count, t: Math.min(...runs.map((run) => run.summary.durationMs)) }));
  const fit = fitQuadratic(fastest);
  const share = quadraticShare(fit, MAX_ITEMS);
  const steps = fastest.slice(1).map((point, index) => {
    const previous = fastest[index]!;
    return `${previous.n}→${point.n}: ${((point.t - previous.t) / (point.n - previous.n)).toFixed(2)} ms`;
  });
  return [
    `Execution time fitted over N = ${FIT_FROM}…${MAX_ITEMS} (each size's fastest run, least squares): ` +
      `t ≈ ${fit.a.toFixed(0)} ms + ${fit.b.toFixed(3)} ms·N + ${fit.c.toExponential(2)} ms·N²;`,
    `at N = ${MAX_ITEMS} the fit gives ${seconds(predict(fit, MAX_ITEMS))} s, of which the N² term is ${(share * 100).toFixed(1)}%.`,
    `Cost per added item between sizes: ${steps.join(', ')}.`,
  ];
}

/** The same targets on the warm endpoint. */
function warmTargets(warm: WarmFigures[]): string[] {
  return warm.flatMap(({ count, executionMs, loopMs: loops }) => {
    if (count === 100) return [loopLine('Warm endpoint, ', median(loops))];
    if (count === MAX_ITEMS) return [executionLine('Warm endpoint, ', count, median(executionMs))];
    return [];
  });
}

function targets(all: SizeFigures[]): string[] {
  const largest = all[all.length - 1]!;
  const walls = largest.runs.map((run) => run.wallMs);
  const rss = Math.max(...largest.runs.map((run) => run.peakRssMb));
  const lines = [
    `N = ${largest.count}: wall ${range(walls, seconds, 's')} (target ≤ ${TARGET_WALL_S} s: ${verdict(Math.min(...walls) <= TARGET_WALL_S * 1000)} ` +
      `in the best run, ${verdict(Math.max(...walls) <= TARGET_WALL_S * 1000)} in the worst); ` +
      `peak RSS ${rss.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB} MB: ${verdict(rss <= TARGET_RSS_MB)}).`,
  ];
  const hundred = all.find((figures) => figures.count === 100);
  if (hundred) lines.push(loopLine('', median(hundred.runs.map((run) => loopMs(run.summary)))));
  lines.push(executionLine('', largest.count, median(largest.runs.map((run) => run.summary.durationMs))));
  return lines;
}

async function main(): Promise<void> {
  const loadBefore = load();
  const startup = await measureStartup();
  console.error('start-up: done');
  const all: SizeFigures[] = [];
  for (const count of SIZES) {
    all.push(await measure(count));
    console.error(`N = ${count}: done (${roundsAt(count)} rounds)`);
  }
  // The floor under the loop at 100 items: the engine alone, cold as the run's loop is.
  const cold = await engineCold(100, COLD_RUNS);
  const warm = await measureWarmEndpoint([100, MAX_ITEMS]);
  console.error('warm endpoint: done');
  const atScale = Array.from({ length: AT_SCALE_ROUNDS }, () => runInFreshProcess(AT_SCALE_COUNT));
  console.error(`at scale, ${AT_SCALE_COUNT.toLocaleString('en-US')} records: done (${AT_SCALE_ROUNDS} rounds)`);
  const harness = conformanceArg(process.argv);
  const conformance = harness === undefined ? undefined : await measureConformance(harness);
  if (harness !== undefined) console.error('make conformance: done');
  console.log(table(all).join('\n'));
  console.log(['', ...growth(all), ...targets(all), ...warmTargets(warm), coldLine(cold)].join('\n'));
  console.log(
    [
      '',
      `${ROUNDS} rounds per size, ${TARGET_ROUNDS} at 100 and ${MAX_ITEMS} items (the targets' sizes); ranges are lowest–highest, ratios use medians. Load average (1, 5, 15 min): ${loadBefore} before, ${load()} after.`,
      'wall: the whole `make local` run after the build (Node start, emulators, seed Lambda, execution, queue peek, report) with --json.',
      'CPU: user + system time of the run process; execution: the state machine execution alone, as the run reports it;',
      'loop: the execution after its first state (the seed Lambda): the Choice, GetItem, SendMessage and Pass of every item, through the',
      "bridge's direct calls to the emulators (engine, IAM check, fault check, DynamoDB and SQS emulators, history); loop / item: its median over N;",
      'peak RSS: the highest of the run processes.',
      "direct SDK: the same N GetItem + N SendMessage calls in sequence through the SDK's full send (middleware, signing) on the same emulators, without the engine;",
      "direct send: the same calls through the bridge's direct send (plain JSON bodies written and read by json-codec.ts, the SDK's retry for an answer that is not a success; no signing), without the engine or the bridge.",
      'engine alone: the same loop on the engine with in-memory services (bench/transfer-records-engine.ts): no SDK, no emulators, no IAM; run in this process, warm after the first size.',
    ].join('\n'),
  );
  console.log(['', ...warmEndpointTable(warm)].join('\n'));
  console.log(
    ['', `Start-up (bench/startup.ts): ${STARTUP_ROUNDS} rounds per row, after one that warms Node's compile cache; median and range.`, ...startupTable(startup)].join('\n'),
  );
  console.log(['', ...laterTargets(startup, atScale, conformance)].join('\n'));
}

/** issue 18's other targets: make local from the start-up table, the at-scale runs, make conformance, and what make bench leaves to its own command. */
function laterTargets(startup: StartupRow[], atScale: AtScaleFigures[], conformance: { wallMs: number; totals: string } | undefined): string[] {
  const lines: string[] = [];
  const local = startup.find((row) => row.what === MAKE_LOCAL_ROW);
  if (local) {
    lines.push(makeLocalLine(median(local.runs.map((run) => run.wallMs))));
  }
  lines.push(
    `At scale (bench/at-scale-offline.ts, ${atScale.length} runs, each in a fresh process; medians): ${atScale.map((run) => run.status).join(', ')}, ` +
      `CPU ${seconds(median(atScale.map((run) => run.cpuMs)))} s, the seed ${seconds(median(atScale.map((run) => run.seedMs)))} s, the Map Run ${seconds(median(atScale.map((run) => run.mapRunMs)))} s.`,
    atScaleLine(AT_SCALE_COUNT, atScale) ?? '',
    conformance === undefined ? 'make conformance: not measured (no conformance harness beside the repository).' : conformanceLine(conformance),
    notRunLine(),
  );
  return lines;
}

await main();

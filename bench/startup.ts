// What a process of the offline CLI costs before and around its run, for `make bench`'s start-up
// table: Node alone, the CLI's start-up (--help), one conformance case as the harness runs it,
// `make local`'s command at 10 items without and with its HTML report, and `make test-state`'s
// on one Pass state. Each of the first five rows adds one layer to the one above it, so the
// differences between rows say where the time goes. `npx tsx bench/startup.ts [--conformance=DIR]`;
// with --conformance it also runs the whole conformance suite of DIR/harness.mjs through the CLI
// (`make conformance`'s command, a minute or more) and prints its wall time (`make bench-startup`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { NO_REPORT_ENV } from '../local/cli/cli.ts';
import { LOCAL_CLI, TEST_STATE_CLI } from '../scripts/build.ts';
import { runNode } from './cli-run.ts';
import { median } from './median.ts';
import { conformanceLine } from './targets.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const STARTUP_ROUNDS = 5;
/** The row for make local's command, whose wall time issue 18 sets a target for (targets.ts). */
export const MAKE_LOCAL_ROW = '`make local`, 10 items';
const CONFORMANCE_DEADLINE_MS = 15 * 60_000;

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export interface StartupRow {
  what: string;
  /** Which layer the figure measures. */
  layer: string;
  runs: Timing[];
}

async function timeCommand(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Timing> {
  const run = await runNode(args, options);
  if (run.code !== 0) throw new Error(`node ${args.join(' ')} ended with ${run.signal ?? `exit ${run.code}`}: ${run.stderr.trim()}`);
  return { wallMs: run.wallMs, cpuMs: run.cpuMs };
}

/** Runs each command once unmeasured (it fills Node's compile cache, as any earlier run would), then STARTUP_ROUNDS times. */
async function rounds(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Timing[]> {
  await timeCommand(args, options);
  const runs: Timing[] = [];
  for (let round = 0; round < STARTUP_ROUNDS; round++) runs.push(await timeCommand(args, options));
  return runs;
}

/** The start-up rows: each command STARTUP_ROUNDS times, after one run that warms Node's compile cache. */
export async function measureStartup(): Promise<StartupRow[]> {
  const cli = join(ROOT, LOCAL_CLI.outfile);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  try {
    // One conformance case's shape: a one-state definition, its input, --json and --history, in a scratch folder.
    const definition = join(scratch, 'definition.asl.json');
    await writeFile(definition, JSON.stringify({ StartAt: 'Pass', States: { Pass: { Type: 'Pass', Result: { ok: true }, End: true } } }));
    const harnessCase = [cli, '--definition', definition, '--input', '{}', '--json', '--history', join(scratch, 'history.json')];
    return [
      { what: '`node -e 0`', layer: 'Node alone: the floor under every row', runs: await rounds(['-e', '0'], { cwd: scratch }) },
      { what: '`node dist/local-cli.mjs --help`', layer: "the CLI's start-up: Node, loading the bundle, no emulator", runs: await rounds([cli, '--help'], { cwd: scratch }) },
      {
        what: 'one conformance case',
        layer: '`--definition` (one Pass state) `--input --json --history`, as the harness runs each case: start-up, emulators, execution, no report',
        runs: await rounds(harnessCase, { cwd: scratch, env: { [NO_REPORT_ENV]: '1' } }),
      },
      {
        what: '`make local`, 10 items, `--no-report`',
        layer: 'the row above with the workflow: seed Lambda (its bundle loaded cold, as Lambda does), 10 items, reconciliation; no report',
        runs: await rounds([cli, '--no-report'], { cwd: ROOT }),
      },
      {
        what: MAKE_LOCAL_ROW,
        layer: "make local's command after the build (`node dist/local-cli.mjs`): the row above and the HTML report, drawn on a thread started before the run",
        runs: await rounds([cli], { cwd: ROOT }),
      },
      {
        what: '`make test-state`, one Pass state',
        layer: "make test-state's command after the build (`node dist/local-test-state.mjs`): start-up, emulators, the endpoint in process, TestState on `Pop Element from List`",
        runs: await rounds([join(ROOT, TEST_STATE_CLI.outfile), '--state', 'Pop Element from List', '--input', '{"List":["a","b"]}'], { cwd: scratch }),
      },
    ];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const spread = (values: number[]) => `${seconds(median(values))} s (${seconds(Math.min(...values))}–${seconds(Math.max(...values))})`;

export function startupTable(rows: StartupRow[]): string[] {
  const header = ['what', 'wall, median (range)', 'CPU, median (range)', 'layer measured'];
  const cells = rows.map(({ what, layer, runs }) => [what, spread(runs.map((run) => run.wallMs)), spread(runs.map((run) => run.cpuMs)), layer]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 1 || column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((width, column) => (column === 1 || column === 2 ? `${'-'.repeat(width + 1)}:` : `${'-'.repeat(width + 2)}`)).join('|')}|`, ...cells.map(line)];
}

/** `make conformance`'s command: the harness runs every case through the CLI, one process each; its wall time and its totals line. */
export function measureConformance(folder: string): Promise<{ wallMs: number; totals: string }> {
  const harness = resolve(folder, 'harness.mjs');
  if (!existsSync(harness)) return Promise.reject(new Error(`ConformanceMissing: no harness at ${harness}`));
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [harness, '.', '--quiet'], { cwd: ROOT, env: { ...process.env, [NO_REPORT_ENV]: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), CONFORMANCE_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      const totals = stdout.split('\n').find((line) => line.startsWith('conformance:'));
      if (signal || !totals) {
        reject(new Error(`the conformance harness ended with ${signal ?? `exit ${code}`}`));
        return;
      }
      resolvePromise({ wallMs: performance.now() - started, totals });
    });
  });
}

/** The harness's folder given as `--conformance=FOLDER` (the Makefile gives it when the harness is there). */
export const conformanceArg = (argv: string[]): string | undefined =>
  argv.find((arg) => arg.startsWith('--conformance='))?.slice('--conformance='.length);

const load = () => loadavg().map((value) => value.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const before = load();
  console.log(startupTable(await measureStartup()).join('\n'));
  const conformance = conformanceArg(process.argv);
  if (conformance !== undefined) {
    console.log(`\n${conformanceLine(await measureConformance(conformance))}`);
  }
  console.log(`\n${STARTUP_ROUNDS} rounds per row after one that warms Node's compile cache. Load average (1, 5, 15 min): ${before} before, ${load()} after.`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// `npx tsx bench/compare-builds.ts --base REV [--count 100,1763] [--rounds 9] [--workflow NAME]
// [--instructions]`: the working tree's build against the build of an earlier commit, run in turn
// (one of each, round after round) so that both meet the same machine: a shared machine's speed
// changes by half from one hour to the next, more than most changes do. Prints, for each build and
// count, the lowest and median loop (the execution after the seed), the median run CPU and the
// median wall time, of `make local`'s command without its HTML report (--no-report). With
// --instructions it prints instead the instructions each run executes, counted by valgrind
// (instructions.ts), the lowest of --rounds (2 by default): a figure the machine's speed does not
// move. The base is checked out into a temporary worktree, with this repository's node_modules,
// built there, and removed at the end. The working tree must be built already (`make build`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_CLI } from '../scripts/build.ts';
import { loopMs, runCli, type CliRun } from './cli-run.ts';
import { countInstructions, requireValgrind, ValgrindMissing } from './instructions.ts';
import { median } from './median.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export class InvalidComparison extends Error {
  override name = 'InvalidComparison';
}

interface Options {
  base: string;
  counts: number[];
  rounds: number;
  workflow: string | undefined;
  instructions: boolean;
}

export function options(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      count: { type: 'string', default: '100,1763' },
      rounds: { type: 'string' },
      workflow: { type: 'string' },
      instructions: { type: 'boolean', default: false },
    },
  });
  if (!values.base) throw new InvalidComparison('--base REV names the commit to compare with');
  const counts = values.count.split(',').map(Number);
  const rounds = Number(values.rounds ?? (values.instructions ? 2 : 9));
  if (counts.some((count) => !Number.isSafeInteger(count) || count < 1) || !Number.isSafeInteger(rounds) || rounds < 1) {
    throw new InvalidComparison('--count takes positive integers separated by commas, --rounds a positive integer');
  }
  if (values.workflow !== undefined && !/^[a-z0-9-]+$/.test(values.workflow)) throw new InvalidComparison('--workflow takes a workflow name, as make local WORKFLOW= does');
  return { base: values.base, counts, rounds, workflow: values.workflow, instructions: values.instructions };
}

/** The base commit built in a temporary worktree; `remove` takes the worktree away. */
function buildBase(rev: string): { root: string; remove(): void } {
  const parent = mkdtempSync(join(tmpdir(), 'compare-builds-'));
  const root = join(parent, 'base');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  git('worktree', 'add', '--detach', root, rev);
  const remove = () => {
    git('worktree', 'remove', '--force', root);
    rmSync(parent, { recursive: true, force: true });
  };
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    return { root, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

const format = (runs: CliRun[]) => {
  const loops = runs.map((run) => loopMs(run.summary));
  return [
    `${Math.min(...loops).toFixed(0)} ms`,
    `${median(loops).toFixed(0)} ms`,
    `${(median(runs.map((run) => run.cpuMs)) / 1000).toFixed(2)} s`,
    `${(median(runs.map((run) => run.wallMs)) / 1000).toFixed(2)} s`,
  ];
};

/** The CLI's arguments for one run of `count` items of the workflow (transfer-records when none is named). */
const runArgs = (workflow: string | undefined, count: number) => [...(workflow ? ['--workflow', workflow] : []), '--count', String(count)];

const millions = (instructions: number) => `${(instructions / 1e6).toLocaleString('en-US', { maximumFractionDigits: 0 })}M`;

async function compareInstructions(builds: { name: string; root: string }[], { counts, rounds, workflow }: Options): Promise<void> {
  requireValgrind();
  console.log('| N | build | instructions, lowest |');
  console.log('|---:|---|---:|');
  for (const count of counts) {
    const lowest = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const build of builds) {
        const counted = await countInstructions(build.root, runArgs(workflow, count));
        lowest.set(build.name, Math.min(lowest.get(build.name) ?? Infinity, counted));
      }
    }
    for (const build of builds) console.log(`| ${count.toLocaleString('en-US')} | ${build.name} | ${millions(lowest.get(build.name)!)} |`);
  }
  console.log(`\n${rounds === 1 ? 'One run' : `The lowest of ${rounds} runs`} under valgrind, the builds in turn, node --single-threaded, --no-report.`);
}

async function compareTimes(builds: { name: string; root: string }[], { counts, rounds, workflow }: Options): Promise<void> {
  console.log(`| N | build | loop, lowest | loop, median | run CPU, median | wall, median |`);
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const count of counts) {
    const runs = new Map<string, CliRun[]>(builds.map((build) => [build.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const build of builds) {
        runs.get(build.name)!.push(await runCli(build.root, [...runArgs(workflow, count), '--no-report']));
      }
    }
    for (const build of builds) console.log(`| ${count.toLocaleString('en-US')} | ${build.name} | ${format(runs.get(build.name)!).join(' | ')} |`);
  }
  console.log(`\n${rounds} rounds, the builds in turn, --no-report.`);
}

async function main(): Promise<void> {
  const chosen = options(process.argv.slice(2));
  if (!existsSync(join(ROOT, LOCAL_CLI.outfile))) throw new InvalidComparison('build the working tree first (make build)');
  if (chosen.instructions) requireValgrind();
  const baseBuild = buildBase(chosen.base);
  try {
    const builds = [
      { name: chosen.base, root: baseBuild.root },
      { name: 'working tree', root: ROOT },
    ];
    await (chosen.instructions ? compareInstructions(builds, chosen) : compareTimes(builds, chosen));
  } finally {
    baseBuild.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = error instanceof InvalidComparison || error instanceof ValgrindMissing ? 2 : 1;
  });
}

// `npx tsx bench/compare-builds.ts --base REV [--count 100,1763] [--rounds 9]`: the
// working tree's build against the build of an earlier commit, run in turn (one of each, round
// after round) so that both meet the same machine: a shared machine's speed changes by half from
// one hour to the next, more than most changes do. Prints, for each build and count, the lowest
// and median loop (the execution after the seed), the median run CPU and the median wall time,
// of `make local`'s command without its HTML report (--no-report).
// The base is checked out into a temporary worktree, with this repository's node_modules, built
// there, and removed at the end. The working tree must be built already (`make build`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_CLI } from '../scripts/build.ts';
import { loopMs, runCli, type CliRun } from './cli-run.ts';
import { median } from './median.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export class InvalidComparison extends Error {
  override name = 'InvalidComparison';
}

interface Options {
  base: string;
  counts: number[];
  rounds: number;
}

function options(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: { base: { type: 'string' }, count: { type: 'string', default: '100,1763' }, rounds: { type: 'string', default: '9' } },
  });
  if (!values.base) throw new InvalidComparison('--base REV names the commit to compare with');
  const counts = values.count.split(',').map(Number);
  const rounds = Number(values.rounds);
  if (counts.some((count) => !Number.isSafeInteger(count) || count < 1) || !Number.isSafeInteger(rounds) || rounds < 1) {
    throw new InvalidComparison('--count takes positive integers separated by commas, --rounds a positive integer');
  }
  return { base: values.base, counts, rounds };
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

async function main(): Promise<void> {
  const { base, counts, rounds } = options(process.argv.slice(2));
  if (!existsSync(join(ROOT, LOCAL_CLI.outfile))) throw new InvalidComparison('build the working tree first (make build)');
  const baseBuild = buildBase(base);
  try {
    const builds = [
      { name: base, root: baseBuild.root },
      { name: 'working tree', root: ROOT },
    ];
    console.log(`| N | build | loop, lowest | loop, median | run CPU, median | wall, median |`);
    console.log('|---:|---|---:|---:|---:|---:|');
    for (const count of counts) {
      const runs = new Map<string, CliRun[]>(builds.map((build) => [build.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const build of builds) {
          runs.get(build.name)!.push(await runCli(build.root, ['--count', String(count), '--no-report']));
        }
      }
      for (const build of builds) console.log(`| ${count.toLocaleString('en-US')} | ${build.name} | ${format(runs.get(build.name)!).join(' | ')} |`);
    }
    console.log(`\n${rounds} rounds, the builds in turn, --no-report.`);
  } finally {
    baseBuild.remove();
  }
}

await main();

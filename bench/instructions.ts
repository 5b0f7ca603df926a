// The instructions one run of the offline CLI executes, counted by valgrind (cachegrind, no cache
// simulation): a figure that does not move with the machine's speed, which on the shared 2-core
// machine changes by half from one half-hour to the next. Node runs --single-threaded, so that no
// background compiler or collector thread races the main one, and a first run, not counted,
// writes the compile cache those flags read. Counts of one build repeat within about 1%: enough to
// see a change of a few percent that wall times hide. Used by compare-builds.ts --instructions.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_CLI } from '../scripts/build.ts';

/** valgrind is not installed: the count cannot be made. */
export class ValgrindMissing extends Error {
  override name = 'ValgrindMissing';
}

/** The run under valgrind ended without a count (it failed, or valgrind printed none). */
export class InstructionCountFailed extends Error {
  override name = 'InstructionCountFailed';
}

const NODE_FLAGS = ['--single-threaded'];
const RUN_DEADLINE_MS = 15 * 60_000;

/** The total of cachegrind's `I refs` line (`==123== I   refs:      1,234,567`); undefined when absent. */
export function instructionsIn(valgrindOutput: string): number | undefined {
  const match = /^==\d+==\s+I\s+refs:\s+([\d,]+)\s*$/m.exec(valgrindOutput);
  return match ? Number(match[1]!.replaceAll(',', '')) : undefined;
}

/** Throws ValgrindMissing unless `valgrind` runs. */
export function requireValgrind(): void {
  const probe = spawnSync('valgrind', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new ValgrindMissing('valgrind is not installed (apt install valgrind): instruction counts are made with it');
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), RUN_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr });
    });
  });
}

/** The instructions of one run of the CLI built under `root` with `args` (--json and --no-report added), after an uncounted run. */
export async function countInstructions(root: string, args: string[]): Promise<number> {
  const cliArgs = [...NODE_FLAGS, join(root, LOCAL_CLI.outfile), '--json', '--no-report', ...args];
  const warm = await run(process.execPath, cliArgs, root);
  if (warm.code !== 0) throw new InstructionCountFailed(`the run (${args.join(' ')}) failed before it was counted: exit ${warm.code}`);
  const counted = await run('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, ...cliArgs], root);
  const instructions = instructionsIn(counted.stderr);
  if (counted.code !== 0 || instructions === undefined) {
    throw new InstructionCountFailed(`the run under valgrind (${args.join(' ')}) ended with exit ${counted.code} and no count`);
  }
  return instructions;
}

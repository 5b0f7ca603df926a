// A Node process of the benchmarks, measured: its wall time, and the CPU and peak RSS every Node
// process of the run reports at exit (a hook loaded into each). `runCli` is one run of the offline
// CLI's bundle with --json, as `make local` runs it (Node's start included), and its summary.
// Shared by `make bench` (local.ts), its start-up table (startup.ts) and compare-builds.ts.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { JsonSummary } from '../execution/report.ts';
import { LOCAL_CLI } from '../scripts/build.ts';

const CHILD_DEADLINE_MS = 120_000;

// Reports the process's own peak RSS (kB on Linux) and CPU time (user + system, µs) at exit. CPU
// time varies less than wall time with the machine's load.
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  'process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write(`\nbench-maxrss-kb=${u.maxRSS} bench-cpu-us=${u.userCPUTime+u.systemCPUTime}\n`)})',
)}`;

export interface NodeRun {
  wallMs: number;
  /** CPU time of the run's Node processes, user and system. */
  cpuMs: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `node ARGS` from `cwd` until it ends (killed past the deadline), with its usage. */
export function runNode(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${USAGE_HOOK}`.trim() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      const usage = [...stderr.matchAll(/bench-maxrss-kb=(\d+) bench-cpu-us=(\d+)/g)];
      resolve({
        wallMs: performance.now() - started,
        cpuMs: usage.reduce((sum, match) => sum + Number(match[2]), 0) / 1000,
        peakRssMb: Math.max(0, ...usage.map((match) => Number(match[1]))) / 1024,
        stdout,
        stderr,
        code,
        signal,
      });
    });
  });
}

export interface CliRun {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  summary: JsonSummary;
}

/** The execution after the seed: the loop over the items (the first state the execution enters is the seed). */
export function loopMs(summary: JsonSummary): number {
  const [seed] = Object.values(summary.states);
  return summary.durationMs - (seed?.ms ?? 0);
}

/** Runs the CLI bundle built under `root` (dist/local-cli.mjs) with --json and `args`, from `root`. */
export async function runCli(root: string, args: string[]): Promise<CliRun> {
  const run = await runNode([join(root, LOCAL_CLI.outfile), '--json', ...args], { cwd: root });
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith('{'));
  if (run.signal || !line) {
    throw new Error(`local run (${args.join(' ')}) ended with ${run.signal ?? `exit ${run.code}`}: ${run.stderr.trim()}`);
  }
  return { wallMs: run.wallMs, cpuMs: run.cpuMs, peakRssMb: run.peakRssMb, summary: JSON.parse(line) as JsonSummary };
}

// The `aws` command as a user runs it against the emulators. Whether it is installed is asked
// once per test process: each file that uses it would otherwise start the AWS CLI (a Python
// program, half a second) only to ask.
//
// Its commands run in test/aws-cli-runner.py: the same AWS CLI, called as the `aws` script calls
// it, in a Python process that stays up between commands (one per command in flight), so a
// command costs its own work rather than Python's start and awscli's import. The runner is used
// only when `python3` loads the very AWS CLI that `aws --version` names; otherwise each command
// starts `aws` as before.
import { execFile, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOCAL_CREDENTIALS } from '../local/services/emulators.ts';

const execFileAsync = promisify(execFile);

const probe = spawnSync('aws', ['--version'], { encoding: 'utf8' });
export const hasAwsCli = probe.status === 0;
const AWS_VERSION = hasAwsCli ? `${probe.stdout}${probe.stderr}`.trim() : '';
const RUNNER = fileURLToPath(new URL('./aws-cli-runner.py', import.meta.url));

export interface AwsCommandOptions {
  /** A HOME of the test's own, so that the user's ~/.aws plays no part. */
  home: string;
  region: string;
  /** Added as --endpoint-url unless the arguments carry their own. */
  endpoint?: string;
  /** More environment, e.g. AWS_DISABLE_HOST_PREFIX_INJECTION. */
  env?: Record<string, string>;
}

/** The environment the command runs in: the emulators' credentials and the region, nothing of the user's. */
function awsEnvironment({ home, region, env }: AwsCommandOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    ...env,
  };
}

interface Outcome {
  rc: number;
  stdout: string;
  stderr: string;
}

interface Runner {
  run(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome>;
  /** Its process has ended: it takes no more commands. */
  ended(): boolean;
}

/** One runner process: answers one command at a time, in the order asked. */
function startRunner(): Promise<Runner | undefined> {
  // Its own HOME points nowhere: what awscli reads from HOME on import is nobody's (each command has the test's).
  const child: ChildProcessWithoutNullStreams = spawn('python3', [RUNNER], { env: { ...process.env, HOME: '/nonexistent' }, stdio: 'pipe' });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string | undefined) => void)[] = [];
  let stderr = '';
  let closed = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  lines.on('line', (line) => waiting.shift()?.(line));
  child.on('close', () => {
    closed = true;
    waiting.splice(0).forEach((answer) => answer(undefined));
  });
  // A runner that cannot start or has ended answers undefined: its command then fails by name.
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  process.on('exit', () => child.kill());
  // Idle, it holds no test process open; a test process that ends closes its stdin, and it ends.
  // (A child's pipes are sockets, which ref and unref as the child does.)
  const pipes = [child.stdin, child.stdout, child.stderr] as unknown as Socket[];
  const idle = (): void => {
    child.unref();
    for (const pipe of pipes) pipe.unref();
  };
  const busy = (): void => {
    child.ref();
    for (const pipe of pipes) pipe.ref();
  };
  const next = (): Promise<string | undefined> => (closed ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve)));
  const run = async (args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> => {
    busy();
    const answer = next();
    child.stdin.write(`${JSON.stringify({ args, env })}\n`);
    const line = await answer;
    idle();
    if (line === undefined) throw new Error(`the AWS CLI runner ended during aws ${args.join(' ')}: ${stderr}`);
    return JSON.parse(line) as Outcome;
  };
  busy();
  return next().then((line) => {
    const version = line === undefined ? undefined : (JSON.parse(line) as Outcome);
    if (version?.rc === 0 && `${version.stdout}${version.stderr}`.trim() === AWS_VERSION) {
      idle();
      return { run, ended: () => closed };
    }
    child.kill();
    return undefined;
  });
}

const idleRunners: Runner[] = [];
let runnerUsable: boolean | undefined;

/** Runs one command in a runner that is free (a new one if none is), or as its own `aws` process where no runner is usable. */
async function runCommand(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const runner = runnerUsable === false ? undefined : (idleRunners.pop() ?? (await startRunner()));
  runnerUsable = runner !== undefined;
  if (runner === undefined) {
    return execFileAsync('aws', args, { env }).then(
      ({ stdout, stderr }) => ({ rc: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ rc: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }
  try {
    return await runner.run(args, env);
  } finally {
    if (!runner.ended()) idleRunners.push(runner);
  }
}

/** Runs `aws <args> [--endpoint-url …] <more>`; resolves with what it printed, rejects (with `stderr` and `code`) when it exits non-zero. */
async function awsOutput(args: string[], options: AwsCommandOptions, more: string[]): Promise<string> {
  const endpoint = options.endpoint === undefined ? [] : ['--endpoint-url', options.endpoint];
  const outcome = await runCommand([...args, ...endpoint, ...more], awsEnvironment(options));
  if (outcome.rc !== 0) {
    throw Object.assign(new Error(`aws ${args.join(' ')} exited ${outcome.rc}: ${outcome.stderr}`), { code: outcome.rc, stdout: outcome.stdout, stderr: outcome.stderr });
  }
  return outcome.stdout;
}

/** Runs `aws <args>` for the text it prints (`aws s3 …` prints no JSON); rejects with its stderr on the error. */
export function runAwsText(args: string[], options: AwsCommandOptions): Promise<string> {
  return awsOutput(args, options, []);
}

/** Runs `aws <args> --output json`; resolves with its JSON output ({} when it prints nothing), rejects with its stderr on the error. */
export async function runAws(args: string[], options: AwsCommandOptions): Promise<Record<string, unknown>> {
  const stdout = await awsOutput(args, options, ['--output', 'json']);
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

/** What the command printed on stderr when it failed, '' when it succeeded. */
export function awsFailure(args: string[], options: AwsCommandOptions): Promise<string> {
  return runAws(args, options).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
}

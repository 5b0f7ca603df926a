// The `aws` command as a user runs it against the emulators. Whether it is installed is asked
// once per test process: each file that uses it would otherwise start the AWS CLI (a Python
// program, half a second) only to ask.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { LOCAL_CREDENTIALS } from '../local/services/emulators.ts';

const execFileAsync = promisify(execFile);

export const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

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
export function awsEnvironment({ home, region, env }: AwsCommandOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    ...env,
  };
}

/** Runs `aws <args> --output json`; resolves with its JSON output ({} when it prints nothing), rejects with its stderr on the error. */
export async function runAws(args: string[], options: AwsCommandOptions): Promise<Record<string, unknown>> {
  const endpoint = options.endpoint === undefined ? [] : ['--endpoint-url', options.endpoint];
  const { stdout } = await execFileAsync('aws', [...args, ...endpoint, '--output', 'json'], { env: awsEnvironment(options) });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

/** What the command printed on stderr when it failed, '' when it succeeded. */
export function awsFailure(args: string[], options: AwsCommandOptions): Promise<string> {
  return runAws(args, options).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
}

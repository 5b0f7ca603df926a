// `make plan|deploy|destroy`: terraform init, then plan/apply/destroy, in the synthesized
// stack folder. What terraform needs is checked first, so a missing piece stops the run with
// a named error instead of a confusing terraform failure; terraform's exit code is passed through.
import { execFile, spawn as spawnProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { legacyStateFile, localStateFile, stateKey } from '../stacks/backend.ts';
import { LOCK_FILE, REPO_ROOT, STACK_DIR, terraformDataDir } from '../stacks/paths.ts';
import { deployRegion, describeRegion, sharedConfigPath, type DeployRegion } from '../stacks/region.ts';
import { namePrefix, TERRAFORM_MIN_VERSION } from '../workflow/settings.ts';

// `preflight` only checks for terraform and credentials, so make can stop before the slow synth.
const COMMANDS = ['preflight', 'plan', 'apply', 'destroy'] as const;
export type TerraformCommand = (typeof COMMANDS)[number];

export class UsageError extends Error {
  override name = 'UsageError';
}

export class StackNotSynthesized extends Error {
  override name = 'StackNotSynthesized';
}

export class TerraformNotFound extends Error {
  override name = 'TerraformNotFound';
}

export class TerraformTooOld extends Error {
  override name = 'TerraformTooOld';
}

export class AwsCredentialsMissing extends Error {
  override name = 'AwsCredentialsMissing';
}

export class AwsProfileNotFound extends Error {
  override name = 'AwsProfileNotFound';
}

/**
 * The SDK answers a profile that exists nowhere with "Could not load credentials from any
 * providers": say which profile, and where it was looked for. The files are the SDK's: config
 * holds `[profile name]` (`[default]`), credentials `[name]`.
 */
export function checkProfile(env: NodeJS.ProcessEnv, read: (path: string) => string | undefined = readIfExists): void {
  const variable = env.AWS_PROFILE ? 'AWS_PROFILE' : env.AWS_DEFAULT_PROFILE ? 'AWS_DEFAULT_PROFILE' : undefined;
  if (variable === undefined) return;
  const profile = env[variable]!;
  const home = env.HOME ?? homedir();
  const files = [
    { path: sharedConfigPath(env, home), section: (name: string) => (name === 'default' ? name : `profile ${name}`) },
    { path: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), section: (name: string) => name },
  ];
  const sections = (text: string) => [...text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)].map((match) => match[1]!);
  const found = files.some(({ path, section }) => sections(read(path) ?? '').includes(section(profile)));
  if (!found) {
    throw new AwsProfileNotFound(
      `${variable}=${profile}, but no profile "${profile}" is in ${files.map((file) => file.path).join(' or ')}: ` +
        `fix the name (aws configure list-profiles lists them), or unset ${variable}`,
    );
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A state file from before state files carried the region: deploying beside it would create a second copy. */
export class LegacyStateFound extends Error {
  override name = 'LegacyStateFound';
}

/** Resolves AWS credentials the way terraform's AWS provider will (env, profile, SSO, role). */
export type CredentialProvider = () => Promise<{ accessKeyId: string }>;

/** Runs a program with inherited stdio and resolves with its exit code. */
export type Spawn = (file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => Promise<number>;

export interface TerraformDeps {
  env: NodeJS.ProcessEnv;
  /** The synthesized stack folder terraform runs in. */
  stackDir: string;
  /** The repository root: the local state files, the lock file and terraform's data folders are there. */
  repoRoot: string;
  /** NAME_PREFIX and the region the stack was synthesized for (stacks/region.ts). */
  prefix: string;
  region: DeployRegion;
  exists: (path: string) => boolean;
  copyFile: (from: string, to: string) => void;
  isExecutable: (path: string) => boolean;
  /** The version terraform reports (`terraform version -json`), e.g. 1.10.5. */
  terraformVersion: (terraform: string) => Promise<string>;
  credentials: CredentialProvider;
  credentialsTimeoutMs: number;
  spawn: Spawn;
  log: (line: string) => void;
}

export function parseCommand(args: string[]): TerraformCommand {
  const [command, ...rest] = args;
  if (rest.length > 0 || !COMMANDS.includes(command as TerraformCommand)) {
    throw new UsageError(`usage: scripts/terraform.ts <${COMMANDS.join('|')}> (got: ${args.join(' ') || 'nothing'})`);
  }
  return command as TerraformCommand;
}

export function checkSynthesized(stackDir: string, exists: (path: string) => boolean): void {
  if (!exists(join(stackDir, 'cdk.tf')) && !exists(join(stackDir, 'cdk.tf.json'))) {
    throw new StackNotSynthesized(`no synthesized stack in ${stackDir}: run \`make synth\` first`);
  }
}

/** The absolute path of `terraform` on PATH. */
export function findTerraform(env: NodeJS.ProcessEnv, isExecutable: (path: string) => boolean): string {
  const name = process.platform === 'win32' ? 'terraform.exe' : 'terraform';
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  throw new TerraformNotFound(`terraform is not on PATH: install Terraform ${TERRAFORM_MIN_VERSION} or later (${INSTALL_URL}) and retry`);
}

const INSTALL_URL = 'https://developer.hashicorp.com/terraform/install';

function versionParts(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return match ? match.slice(1, 4).map(Number) : undefined;
}

/** Negative when a is older than b, as for sort. */
function compareVersions(a: number[], b: number[]): number {
  const index = a.findIndex((part, i) => part !== b[i]);
  return index === -1 ? 0 : a[index]! - b[index]!;
}

/** Refuses a terraform older than the stack requires, before `init` fails on it with another story. */
export function checkTerraformVersion(version: string, minimum: string = TERRAFORM_MIN_VERSION): void {
  const found = versionParts(version);
  if (found === undefined || compareVersions(found, versionParts(minimum)!) < 0) {
    throw new TerraformTooOld(
      `terraform ${version.trim() || '(version unknown)'} is older than ${minimum}, which the stack requires ` +
        `(S3-native state locking): install Terraform ${minimum} or later (${INSTALL_URL}) and retry`,
    );
  }
}

export async function checkCredentials(credentials: CredentialProvider, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const identity = await Promise.race([credentials(), timeout]);
    if (!identity.accessKeyId) throw new Error('the credentials found have no access key id');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AwsCredentialsMissing(
      `AWS credentials could not be resolved (${reason}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY, or run `aws sso login`, then retry',
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

function autoApprove(env: NodeJS.ProcessEnv): boolean {
  return env.AUTO_APPROVE === '1' || env.AUTO_APPROVE === 'true';
}

/** The terraform invocations for one command, in order. */
export function terraformSteps(command: Exclude<TerraformCommand, 'preflight'>, env: NodeJS.ProcessEnv): string[][] {
  const init = ['init', '-input=false'];
  if (command === 'plan') return [init, ['plan', '-input=false']];
  // Without AUTO_APPROVE, terraform prompts for "yes" itself, so its input must stay enabled.
  return [init, autoApprove(env) ? [command, '-input=false', '-auto-approve'] : [command]];
}

/** Finds terraform, checks its version and resolves AWS credentials; returns terraform's path. */
export async function preflight(deps: TerraformDeps): Promise<string> {
  const terraform = findTerraform(deps.env, deps.isExecutable);
  checkTerraformVersion(await deps.terraformVersion(terraform));
  await checkCredentials(deps.credentials, deps.credentialsTimeoutMs).catch((error: unknown) => {
    // A profile that exists nowhere is the likeliest reason, and the SDK's message does not say it.
    checkProfile(deps.env);
    throw error;
  });
  return terraform;
}

/** Checks the prerequisites, then runs terraform; resolves with the exit code to exit with. */
export async function runTerraform(command: TerraformCommand, deps: TerraformDeps): Promise<number> {
  if (command === 'preflight') {
    await preflight(deps);
    deps.log(`terraform ${TERRAFORM_MIN_VERSION} or later and AWS credentials found`);
    return 0;
  }
  checkSynthesized(deps.stackDir, deps.exists);
  const { prefix, region } = deps;
  const remote = deps.env.TF_STATE_BUCKET !== undefined && deps.env.TF_STATE_BUCKET !== '';
  checkLegacyState(deps, remote);
  const terraform = await preflight(deps);
  deps.log(`region: ${describeRegion(region)}`);
  deps.log(`state: ${remote ? `s3://${deps.env.TF_STATE_BUCKET}/${stateKey(prefix, region.region)}` : localStateFile(prefix, region.region)}`);
  const env = terraformEnv(deps);
  const lockFile = { kept: join(deps.repoRoot, LOCK_FILE), used: join(deps.stackDir, LOCK_FILE) };
  for (const args of terraformSteps(command, deps.env)) {
    if (args[0] === 'init' && deps.exists(lockFile.kept)) deps.copyFile(lockFile.kept, lockFile.used);
    deps.log(`$ terraform ${args.join(' ')}   (in ${deps.stackDir})`);
    const code = await deps.spawn(terraform, args, { cwd: deps.stackDir, env });
    if (args[0] === 'init' && code === 0 && deps.exists(lockFile.used)) deps.copyFile(lockFile.used, lockFile.kept);
    if (code !== 0) {
      const hint =
        args[0] === 'init'
          ? ': terraform could not initialise the folder; if it could not download the AWS provider, check access to registry.terraform.io or configure a provider mirror'
          : '';
      deps.log(`terraform ${args[0]} failed with exit code ${code}${hint}`);
      return code;
    }
  }
  deps.log(`terraform ${command} succeeded`);
  return 0;
}

/** Terraform's environment: TF_DATA_DIR set to this deployment's data folder (stacks/paths.ts). */
export function terraformEnv(deps: Pick<TerraformDeps, 'env' | 'prefix' | 'region' | 'repoRoot'>): NodeJS.ProcessEnv {
  return { ...deps.env, TF_DATA_DIR: terraformDataDir(deps.prefix, deps.region.region, deps.repoRoot) };
}

/**
 * Refuses to run beside a state file named without its region: its resources exist, and a new
 * state for the same prefix would try to create them again.
 */
export function checkLegacyState(deps: Pick<TerraformDeps, 'exists' | 'repoRoot' | 'prefix' | 'region'>, remote: boolean): void {
  const legacy = legacyStateFile(deps.prefix);
  if (remote || !deps.exists(join(deps.repoRoot, legacy))) return;
  throw new LegacyStateFound(
    `${legacy} holds the state of a deployment made before state files named their region. Move it to ` +
      `terraform.${deps.prefix}.<its region>.tfstate (its resources' ARNs name the region; ${localStateFile(deps.prefix, deps.region.region)} ` +
      `if it is ${deps.region.region}), then retry`,
  );
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function reportedVersion(terraform: string): Promise<string> {
  const { stdout } = await promisify(execFile)(terraform, ['version', '-json'], { timeout: 10_000 });
  const version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
  return typeof version === 'string' ? version : '';
}

const spawnInherited: Spawn = (file, args, options) =>
  new Promise((resolve, reject) => {
    // Ctrl-C reaches terraform too, which stops cleanly and exits; its exit code then decides ours.
    const ignoreInterrupt = () => {};
    process.on('SIGINT', ignoreInterrupt);
    const child = spawnProcess(file, args, { cwd: options.cwd, env: options.env, stdio: 'inherit' });
    child.on('error', (error) => {
      process.off('SIGINT', ignoreInterrupt);
      reject(error);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignoreInterrupt);
      resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 1));
    });
  });

async function main(): Promise<number> {
  try {
    const command = parseCommand(process.argv.slice(2));
    return await runTerraform(command, {
      env: process.env,
      stackDir: STACK_DIR,
      repoRoot: REPO_ROOT,
      prefix: namePrefix(process.env),
      region: deployRegion(process.env),
      exists: existsSync,
      copyFile: copyFileSync,
      isExecutable: isExecutableFile,
      terraformVersion: reportedVersion,
      // Short instance-metadata timeouts: off AWS, that lookup would otherwise stall the check.
      credentials: defaultProvider({ timeout: 1000, maxRetries: 0 }),
      credentialsTimeoutMs: 5000,
      spawn: spawnInherited,
      log: (line) => console.error(line),
    });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    console.error(`${error.name}: ${error.message}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] === import.meta.filename) {
  void main().then((status) => {
    process.exitCode = status;
  });
}

// Where Terraform keeps the stack's state: a local file by default, S3 when TF_STATE_BUCKET is set.
// One state per name prefix and region: the same checkout deploying to another region never
// reads (and rewrites) the first region's state.
import { posix } from 'node:path';
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import { InvalidConfiguration } from '../workflow/resources.ts';
import { STACK_OUTPUT_DIR } from './paths.ts';

export interface BackendOptions {
  env: NodeJS.ProcessEnv;
  /** The name prefix: one state per copy of the workflow. */
  prefix: string;
  /** The provider's region: part of the state's path, and the bucket's region unless TF_STATE_REGION says otherwise. */
  region: string;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The local state file's name at the repository root: `terraform.<prefix>.<region>.tfstate`. */
export function localStateFile(prefix: string, region: string): string {
  return `terraform.${prefix}.${region}.tfstate`;
}

/** The state file before it carried the region, which scripts/terraform.ts refuses to leave behind unnoticed. */
export function legacyStateFile(prefix: string): string {
  return `terraform.${prefix}.tfstate`;
}

/** The local state file's path as terraform sees it from the synthesized folder. */
export function localStatePath(prefix: string, region: string): string {
  // At the repository root, so `make clean` (which removes cdktf.out) never deletes state.
  const depth = STACK_OUTPUT_DIR.split('/').length;
  return posix.join(...Array<string>(depth).fill('..'), localStateFile(prefix, region));
}

/** The S3 state key: `<prefix>/<region>/terraform.tfstate`. */
export function stateKey(prefix: string, region: string): string {
  return `${prefix}/${region}/terraform.tfstate`;
}

export function configureBackend(stack: TerraformStack, options: BackendOptions): LocalBackend | S3Backend {
  const bucket = options.env.TF_STATE_BUCKET;
  if (bucket === undefined || bucket === '') {
    return new LocalBackend(stack, { path: localStatePath(options.prefix, options.region) });
  }
  if (!BUCKET_PATTERN.test(bucket)) {
    throw new InvalidConfiguration(
      `TF_STATE_BUCKET "${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)`,
    );
  }
  const backend = new S3Backend(stack, {
    bucket,
    key: stateKey(options.prefix, options.region),
    region: options.env.TF_STATE_REGION || options.region,
    encrypt: true,
  });
  // cdktf 0.21's S3BackendConfig predates S3-native locking (Terraform 1.10+), so set it raw.
  backend.addOverride('use_lockfile', true);
  return backend;
}

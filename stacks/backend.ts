// Where Terraform keeps the stack's state: a local file by default, S3 when TF_STATE_BUCKET is set.
import { posix } from 'node:path';
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import { InvalidConfiguration } from '../workflow/resources.ts';
import { STACK_OUTPUT_DIR } from './paths.ts';

export interface BackendOptions {
  env: NodeJS.ProcessEnv;
  /** The name prefix: one state per copy of the workflow. */
  prefix: string;
  /** The provider's region, used for the bucket unless TF_STATE_REGION says otherwise. */
  region: string;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The local state file's path as terraform sees it from the synthesized folder. */
export function localStatePath(prefix: string): string {
  // At the repository root, so `make clean` (which removes cdktf.out) never deletes state.
  const depth = STACK_OUTPUT_DIR.split('/').length;
  return posix.join(...Array<string>(depth).fill('..'), `terraform.${prefix}.tfstate`);
}

export function configureBackend(stack: TerraformStack, options: BackendOptions): LocalBackend | S3Backend {
  const bucket = options.env.TF_STATE_BUCKET;
  if (bucket === undefined || bucket === '') {
    return new LocalBackend(stack, { path: localStatePath(options.prefix) });
  }
  if (!BUCKET_PATTERN.test(bucket)) {
    throw new InvalidConfiguration(
      `TF_STATE_BUCKET "${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)`,
    );
  }
  const backend = new S3Backend(stack, {
    bucket,
    key: `${options.prefix}/terraform.tfstate`,
    region: options.env.TF_STATE_REGION || options.region,
    encrypt: true,
  });
  // cdktf 0.21's S3BackendConfig predates S3-native locking (Terraform 1.10+), so set it raw.
  backend.addOverride('use_lockfile', true);
  return backend;
}

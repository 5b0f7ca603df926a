// Where the stack's inputs and its synthesized output live, so the stack, scripts/terraform.ts
// and the AWS run client agree on one folder.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STACK_NAME } from '../workflow/resources.ts';

/** The repository root, whatever the current directory. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The folder `cdktf synth` writes the stack to, relative to the repository root; terraform runs there. */
export const STACK_OUTPUT_DIR = `cdktf.out/stacks/${STACK_NAME}`;

/** The synthesized stack folder, absolute: where terraform plans, applies and reads outputs. */
export const STACK_DIR = join(REPO_ROOT, STACK_OUTPUT_DIR);

/**
 * Terraform's data folder (TF_DATA_DIR) for one deployment, outside cdktf.out: `make clean` keeps
 * its providers and backend settings, so `make run`'s `terraform output` works after a new synth
 * without `terraform init`; and each prefix and region remembers its own backend.
 */
export function terraformDataDir(prefix: string, region: string, root: string = REPO_ROOT): string {
  return join(root, '.terraform', `${prefix}.${region}`);
}

/**
 * The provider lock file, committed at the repository root: terraform writes it beside the
 * configuration, in the ignored cdktf.out, so scripts/terraform.ts copies it in before `init`
 * and back after.
 */
export const LOCK_FILE = '.terraform.lock.hcl';

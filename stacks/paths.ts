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

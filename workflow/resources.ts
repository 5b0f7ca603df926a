// The deployment's settings that are no entry's own: the stack's name, the name prefix and the
// region read from the environment, log retention and the Terraform version. Every entry's own
// settings are in the description (workflow/app.ts).

import { QUEUE_TYPES, type QueueType } from './description.ts';

export const STACK_NAME = 'transfer-records';

export const DEFAULT_PREFIX = 'transfer-records';
export const DEFAULT_REGION = 'us-east-1';

export class InvalidConfiguration extends Error {
  override name = 'InvalidConfiguration';
}

// IAM role names are capped at 64 characters; the longest suffix (workflow/names.ts) is 13.
const PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/** Reads and validates NAME_PREFIX, which lets two copies live in one account. */
export function namePrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env.NAME_PREFIX ?? DEFAULT_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidConfiguration(
      `NAME_PREFIX "${prefix}" must start with a lowercase letter and hold at most 40 lowercase letters, digits or hyphens`,
    );
  }
  return prefix;
}

export class InvalidRegion extends InvalidConfiguration {
  override name = 'InvalidRegion';
}

// A region's code: its partition's area, a direction or place, a number (us-east-1, us-gov-west-1, ap-southeast-2).
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The region every part of the project uses: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
 * An empty variable counts as unset, as the AWS CLI treats it; a malformed one is refused.
 */
export function region(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = [env.AWS_REGION, env.AWS_DEFAULT_REGION].map((value) => value?.trim()).find((value) => value !== undefined && value !== '');
  if (chosen === undefined) return DEFAULT_REGION;
  if (!REGION_PATTERN.test(chosen)) {
    const variable = env.AWS_REGION?.trim() ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
    throw new InvalidRegion(`${variable} "${chosen}" is not a region code: expected the form us-east-1 (area, place, number)`);
  }
  return chosen;
}

export const LOG_RETENTION_DAYS = 14;

/**
 * The oldest Terraform the stack works with: the S3 backend's native locking (use_lockfile)
 * arrived in 1.10. The synthesized configuration requires it and `make plan|deploy|destroy` check it.
 */
export const TERRAFORM_MIN_VERSION = '1.10.0';

/** The environment variable (`make deploy|local|serve QUEUE=fifo`) choosing the application's queue type. */
export const QUEUE_VARIABLE = 'QUEUE';

/** Reads and validates QUEUE: `standard` (the default) or `fifo`. */
export function queueType(env: NodeJS.ProcessEnv = process.env): QueueType {
  const value = env[QUEUE_VARIABLE] || 'standard';
  if (!(QUEUE_TYPES as readonly string[]).includes(value)) {
    throw new InvalidConfiguration(`${QUEUE_VARIABLE} "${value}" must be one of ${QUEUE_TYPES.join(', ')}`);
  }
  return value as QueueType;
}

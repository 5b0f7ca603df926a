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

/**
 * NAME_PREFIX's longest: a role's name on AWS, `<prefix>-<role suffix>-<region>`, must fit IAM's
 * 64 characters with the longest suffix (17) and region (15), and a bucket's `<prefix>-<suffix>-`
 * S3's 37 for a bucket_prefix (workflow/app.ts checks both).
 */
export const MAX_PREFIX_LENGTH = 30;
const PREFIX_PATTERN = new RegExp(`^[a-z][a-z0-9-]{0,${MAX_PREFIX_LENGTH - 1}}$`);

/**
 * What S3 reserves at the start of a bucket name (its bucket naming rules). A bucket's name
 * starts with the prefix; it ends in the suffix Terraform adds, never in a reserved suffix.
 */
export const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/** Reads and validates NAME_PREFIX, which lets two copies live in one account. */
export function namePrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env.NAME_PREFIX ?? DEFAULT_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidConfiguration(
      `NAME_PREFIX "${prefix}" must start with a lowercase letter and hold at most ${MAX_PREFIX_LENGTH} lowercase letters, digits or hyphens`,
    );
  }
  const reserved = S3_RESERVED_PREFIXES.find((start) => prefix.startsWith(start));
  if (reserved !== undefined) {
    throw new InvalidConfiguration(`NAME_PREFIX "${prefix}" starts with "${reserved}", which S3 reserves: bucket names may not start with it`);
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
  return checkRegion(chosen, env.AWS_REGION?.trim() ? 'AWS_REGION' : 'AWS_DEFAULT_REGION');
}

/** The region, if it is a region code; else InvalidRegion, naming where it came from (`source`). */
export function checkRegion(value: string, source: string): string {
  if (!REGION_PATTERN.test(value)) throw new InvalidRegion(`${source} "${value}" is not a region code: expected the form us-east-1 (area, place, number)`);
  return value;
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

// The single source of truth for every name and setting of the workflow's resources.
// The cdktf stack, the offline runtime and the AWS run client all read from here.

export const STACK_NAME = 'transfer-records';

/** Repository-relative path of the ASL template that is deployed and run offline. */
export const WORKFLOW_DEFINITION = 'asl/transfer-records.asl.json';

export const DEFAULT_PREFIX = 'transfer-records';
export const DEFAULT_REGION = 'us-east-1';

export class InvalidConfiguration extends Error {
  override name = 'InvalidConfiguration';
}

// IAM role names are capped at 64 characters; the longest suffix below is 13.
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

export function region(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
}

export interface ResourceNames {
  table: string;
  queue: string;
  deadLetterQueue: string;
  seedFunction: string;
  seedRole: string;
  seedLogGroup: string;
  stateMachine: string;
  stateMachineRole: string;
  stateMachineLogGroup: string;
}

export function resourceNames(prefix: string): ResourceNames {
  return {
    table: `${prefix}-table`,
    queue: `${prefix}-queue`,
    deadLetterQueue: `${prefix}-dlq`,
    seedFunction: `${prefix}-seed`,
    seedRole: `${prefix}-seed-role`,
    seedLogGroup: `/aws/lambda/${prefix}-seed`,
    stateMachine: `${prefix}-state-machine`,
    stateMachineRole: `${prefix}-sfn-role`,
    // Step Functions log delivery requires the /aws/vendedlogs/ prefix to avoid resource-policy size limits.
    stateMachineLogGroup: `/aws/vendedlogs/states/${prefix}-state-machine`,
  };
}

export const TABLE = {
  hashKey: 'MessageId',
  attributes: [{ name: 'MessageId', type: 'S' as const }],
  billingMode: 'PAY_PER_REQUEST' as const,
  /** The item attribute holding the message body. */
  messageAttribute: 'Message',
  /** The item attribute DynamoDB's TTL reads: when, in epoch seconds, the item may be deleted. */
  ttlAttribute: 'ExpiresAt',
  /**
   * How long an item is kept: far longer than an execution may run (TimeoutSeconds, one hour),
   * long enough to look at a run's items afterwards, and the table does not grow forever.
   */
  itemTtlSeconds: 7 * 24 * 3600,
};

export const QUEUE = {
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 4 * 24 * 3600,
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: 5,
  deadLetterRetentionSeconds: 14 * 24 * 3600,
};

export const SEED_FUNCTION = {
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  architecture: 'arm64',
  memorySize: 256,
  timeoutSeconds: 60,
  /** The environment variable that tells the function which table to seed. */
  tableNameVariable: 'TABLE_NAME',
  /** Node reads the bundle's source map, so stack traces name the TypeScript source lines. */
  nodeOptions: '--enable-source-maps',
  /** X-Ray traces each invocation, joined to the state machine's trace. */
  tracingMode: 'Active' as const,
  /** The esbuild bundle and its zip, as written by `make build`. */
  bundleDir: 'dist/seed',
  bundleFile: 'dist/seed/index.mjs',
  zipFile: 'dist/seed.zip',
};

export const STATE_MACHINE = {
  type: 'STANDARD' as const,
  logLevel: 'ALL' as const,
  includeExecutionData: true,
};

export const LOG_RETENTION_DAYS = 14;

/**
 * The oldest Terraform the stack works with: the S3 backend's native locking (use_lockfile)
 * arrived in 1.10. The synthesized configuration requires it and `make plan|deploy|destroy` check it.
 */
export const TERRAFORM_MIN_VERSION = '1.10.0';

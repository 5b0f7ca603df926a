// What the handlers of both modes take, and the settings of one invocation's writes.
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { tableNameFromEnv } from './config.ts';
import { expiryOf, type RetryPolicy, type WriteOptions } from './write.ts';

/** The part of the Lambda context the function reads. */
export interface SeedContext {
  awsRequestId: string;
  getRemainingTimeInMillis?: () => number;
}

export interface HandlerOptions {
  dynamodb?: Pick<DynamoDBClient, 'send'>;
  s3?: S3Client;
  tableName?: string;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The time, in epoch milliseconds, that the items' expiry counts from. */
  now?: () => number;
}

/**
 * An invocation's write settings: the injected ones, else the runtime's. The table name is read
 * from the environment first, at each invocation (a missing one fails before anything else); the
 * DynamoDB client is the container's (client.ts).
 */
export function writeSettings(
  options: HandlerOptions,
  context: SeedContext,
  retry: RetryPolicy,
  dynamodb: () => Pick<DynamoDBClient, 'send'>,
): Required<WriteOptions> {
  const tableName = options.tableName ?? tableNameFromEnv();
  return {
    dynamodb: options.dynamodb ?? dynamodb(),
    tableName,
    expiresAt: expiryOf((options.now ?? Date.now)()),
    retry: options.retry ?? retry,
    sleep: options.sleep ?? ((ms) => sleepFor(ms)),
    random: options.random ?? Math.random,
    timeLeftMs: () => context.getRemainingTimeInMillis?.(),
  };
}

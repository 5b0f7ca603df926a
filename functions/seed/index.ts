// The seed Lambda: validates the input, writes the items, and returns their MessageIds
// followed by the "DONE" sentinel that ends the state machine's loop; or, when the event names
// a keyList location (the at-scale workflow), lists the keys in S3 and returns where.
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { AT_SCALE_RETRY, seedAtScale, type KeyListResult } from './at-scale.ts';
import { isAtScaleEvent } from './at-scale-input.ts';
import { defaultDynamoDbClient } from './client.ts';
import { tableNameFromEnv } from './config.ts';
import { parseEvent } from './input.ts';
import { defaultS3Client } from './s3-client.ts';
import { buildItems } from './items.ts';
import { SENTINEL } from './limits.ts';
import { DEFAULT_RETRY, expiryOf, type RetryPolicy, writeItems } from './write.ts';

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

export type SeedHandler = (event: unknown, context: SeedContext) => Promise<string[]>;
export type AtScaleHandler = (event: unknown, context: SeedContext) => Promise<KeyListResult>;

/**
 * Builds the handler. What is not injected comes from the runtime: the table name from the
 * environment at each invocation, the DynamoDB client once per container.
 */
export function createHandler(options: HandlerOptions = {}): SeedHandler {
  return async (event, context) => {
    const tableName = options.tableName ?? tableNameFromEnv();
    const { request, executionId } = parseEvent(event);
    // A direct invocation has no execution; its request id keeps the ids unique and repeatable.
    const items = buildItems(request, executionId ?? context.awsRequestId);
    await writeItems(items, {
      dynamodb: options.dynamodb ?? defaultDynamoDbClient(),
      tableName,
      expiresAt: expiryOf((options.now ?? Date.now)()),
      retry: options.retry ?? DEFAULT_RETRY,
      sleep: options.sleep ?? ((ms) => sleepFor(ms)),
      random: options.random ?? Math.random,
      timeLeftMs: () => context.getRemainingTimeInMillis?.(),
    });
    return [...items.map((item) => item.messageId), SENTINEL];
  };
}

/** The at-scale mode's handler, built the same way: it writes the keys to S3 and returns where. */
export function createAtScaleHandler(options: HandlerOptions = {}): AtScaleHandler {
  return async (event, context) =>
    seedAtScale(event, context.awsRequestId, {
      dynamodb: options.dynamodb ?? defaultDynamoDbClient(),
      s3: options.s3 ?? defaultS3Client(),
      tableName: options.tableName ?? tableNameFromEnv(),
      expiresAt: expiryOf((options.now ?? Date.now)()),
      retry: options.retry ?? AT_SCALE_RETRY,
      sleep: options.sleep ?? ((ms) => sleepFor(ms)),
      random: options.random ?? Math.random,
      timeLeftMs: () => context.getRemainingTimeInMillis?.(),
    });
}

const loop = createHandler();
const atScale = createAtScaleHandler();

/** The Lambda entry point: an event naming a keyList is the at-scale workflow's. */
export const handler = (event: unknown, context: SeedContext): Promise<string[] | KeyListResult> =>
  isAtScaleEvent(event) ? atScale(event, context) : loop(event, context);

// The seed Lambda: validates the input, writes the items, and returns their MessageIds
// followed by the "DONE" sentinel that ends the state machine's loop.
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultDynamoDbClient } from './client.ts';
import { tableNameFromEnv } from './config.ts';
import { parseEvent } from './input.ts';
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
  tableName?: string;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The time, in epoch milliseconds, that the items' expiry counts from. */
  now?: () => number;
}

export type SeedHandler = (event: unknown, context: SeedContext) => Promise<string[]>;

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

export const handler = createHandler();

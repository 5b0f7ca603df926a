// Writes the items with several BatchWriteItem calls in flight, each batch retrying what DynamoDB
// leaves unprocessed; both modes of the seed write through it, each with its own concurrency.
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { SeededItem } from '../../workflow/description.ts';
import { TABLE } from '../../workflow/transfer-records.ts';
import { SeedWriteIncomplete } from './errors.ts';
import { BATCH_SIZE } from './limits.ts';

export interface RetryPolicy {
  /** BatchWriteItem calls per batch, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

// Eight attempts wait at most 50+100+200+400+800+1600+2000 ms ≈ 5.2 s for one batch.
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2000 };

// Stop retrying while this much time remains, so the failure carries its counts instead of
// ending as a bare Lambda timeout.
const TIMEOUT_RESERVE_MS = 1000;

export interface WriteOptions {
  dynamodb: Pick<DynamoDBClient, 'send'>;
  tableName: string;
  /** Epoch seconds after which DynamoDB's TTL may delete the items. */
  expiresAt: number;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1), as Math.random returns. */
  random: () => number;
  /** Milliseconds left before the function times out, when the runtime says. */
  timeLeftMs?: () => number | undefined;
}

/** Full jitter: a random wait up to the capped exponential delay, so throttled writers spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));
}

function putRequest(item: SeededItem, expiresAt: number): WriteRequest {
  return {
    PutRequest: {
      Item: {
        [TABLE.hashKey]: { S: item.messageId },
        [TABLE.messageAttribute]: { S: item.body },
        [TABLE.ttlAttribute]: { N: String(expiresAt) },
      },
    },
  };
}

/** When items written at `nowMs` expire, in the epoch seconds DynamoDB's TTL reads. */
export function expiryOf(nowMs: number): number {
  return Math.floor(nowMs / 1000) + TABLE.itemTtlSeconds;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Sends one batch until DynamoDB has processed all of it; returns why it gave up, if it did. */
async function writeBatch(
  batch: WriteRequest[],
  options: WriteOptions,
  onWritten: (count: number) => void,
): Promise<string | undefined> {
  const { dynamodb, tableName, retry, sleep, random, timeLeftMs } = options;
  let pending = batch;
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
    if (attempt > 1) {
      const delay = backoffDelay(attempt - 1, retry, random);
      const left = timeLeftMs?.();
      if (left !== undefined && left - delay < TIMEOUT_RESERVE_MS) {
        return `stopped retrying ${pending.length} unprocessed item(s) with ${left} ms left before the function's timeout`;
      }
      await sleep(delay);
    }
    const output = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
    onWritten(pending.length - unprocessed.length);
    if (unprocessed.length === 0) return undefined;
    pending = unprocessed;
  }
  return `DynamoDB left ${pending.length} item(s) unprocessed after ${retry.maxAttempts} BatchWriteItem attempts`;
}

export interface ItemsWriteOptions extends WriteOptions {
  /** BatchWriteItem calls in flight at once. */
  concurrency: number;
  /** Milliseconds to keep back for what follows the writes: none when nothing follows. */
  reserveMs?: number;
}

/**
 * Writes items 0..count-1, built on demand by `itemAt`, or throws SeedWriteIncomplete with the
 * counts. The first batch that gives up stops the others from starting new batches; the batches
 * already in flight end first, so the counts hold every item written.
 */
export async function writeItems(count: number, itemAt: (index: number) => SeededItem, options: ItemsWriteOptions): Promise<void> {
  const { concurrency, reserveMs = 0, timeLeftMs } = options;
  // Retries see only the time the writes may use.
  const budget: WriteOptions = {
    ...options,
    timeLeftMs: () => {
      const left = timeLeftMs?.();
      return left === undefined ? undefined : left - reserveMs;
    },
  };
  let written = 0;
  let next = 0;
  let failure: { reason: string; cause?: unknown } | undefined;
  const onWritten = (n: number) => {
    written += n;
  };
  const worker = async () => {
    while (failure === undefined && next < count) {
      const left = budget.timeLeftMs?.();
      if (left !== undefined && left <= 0) {
        failure = { reason: `stopped starting batches with ${left + reserveMs} ms left before the function's timeout` };
        return;
      }
      const start = next;
      next = Math.min(count, start + BATCH_SIZE);
      const batch = Array.from({ length: next - start }, (_, offset) => putRequest(itemAt(start + offset), options.expiresAt));
      try {
        const reason = await writeBatch(batch, budget, onWritten);
        if (reason !== undefined) failure ??= { reason };
      } catch (error) {
        failure ??= { reason: `BatchWriteItem failed: ${describe(error)}`, cause: error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(count / BATCH_SIZE)) }, worker));
  if (failure !== undefined) {
    throw new SeedWriteIncomplete(written, count - written, failure.reason, failure.cause === undefined ? undefined : { cause: failure.cause });
  }
}

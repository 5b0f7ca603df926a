// Writes up to a million items with several BatchWriteItem calls in flight, each batch retrying
// what DynamoDB leaves unprocessed, and stops in time to upload the key list.
import type { SeededItem } from '../../workflow/description.ts';
import { SeedWriteIncomplete } from './errors.ts';
import { BATCH_SIZE } from './limits.ts';
import { describe, putRequest, writeBatch, type WriteOptions } from './write.ts';

export interface ConcurrentWriteOptions extends WriteOptions {
  /** BatchWriteItem calls in flight at once. */
  concurrency: number;
  /** Milliseconds to keep back for what follows the writes. */
  reserveMs: number;
}

/**
 * Writes items 0..count-1, built on demand by `itemAt`, or throws SeedWriteIncomplete with the
 * counts. The first batch that gives up stops the others from starting new batches.
 */
export async function writeItemsConcurrently(
  count: number,
  itemAt: (index: number) => SeededItem,
  options: ConcurrentWriteOptions,
): Promise<void> {
  const { concurrency, reserveMs, timeLeftMs } = options;
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

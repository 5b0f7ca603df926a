// The seed function's at-scale mode: writes up to a million items with concurrent
// BatchWriteItem calls, lists their keys as one JSONL object in S3 and returns where it is.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SeededItem } from '../../workflow/description.ts';
import { parseAtScaleEvent, type KeyListLocation } from './at-scale-input.ts';
import { AT_SCALE_WRITE_CONCURRENCY, UPLOAD_RESERVE_MS } from './at-scale-limits.ts';
import { idPrefix, messageId } from './ids.ts';
import type { SeedRequest } from './input.ts';
import { uploadKeyList } from './key-list.ts';
import { writeItems, type RetryPolicy } from './write.ts';

/** Where the key list is and how many keys it holds: the state machine's ItemReader reads it. */
export interface KeyListResult extends KeyListLocation {
  Count: number;
}

export interface AtScaleOptions {
  dynamodb: Pick<DynamoDBClient, 'send'>;
  s3: S3Client;
  tableName: string;
  expiresAt: number;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  timeLeftMs: () => number | undefined;
  concurrency?: number;
}

// A batch may retry for longer here: the writes share the function's whole time budget.
export const AT_SCALE_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 5000 };

function countOf(request: SeedRequest): number {
  return request.kind === 'messages' ? request.messages.length : request.count;
}

function bodyAt(request: SeedRequest, index: number): string {
  return request.kind === 'messages' ? request.messages[index]! : `Message ${index + 1} of ${request.count}`;
}

/** Validates the event, writes the items, then the key list; throws InvalidInput before writing anything. */
export async function seedAtScale(event: unknown, fallbackId: string, options: AtScaleOptions): Promise<KeyListResult> {
  const { request, executionId, keyList } = parseAtScaleEvent(event);
  // The ids derive from the execution id, as the loop's do: a retried invocation rewrites the same keys.
  const prefix = idPrefix(executionId ?? fallbackId);
  const count = countOf(request);
  const idAt = (index: number) => messageId(prefix, index);
  const itemAt = (index: number): SeededItem => ({ messageId: idAt(index), body: bodyAt(request, index) });
  await writeItems(count, itemAt, {
    ...options,
    concurrency: options.concurrency ?? AT_SCALE_WRITE_CONCURRENCY,
    reserveMs: UPLOAD_RESERVE_MS,
  });
  await uploadKeyList(options.s3, keyList, count, idAt);
  return { ...keyList, Count: count };
}

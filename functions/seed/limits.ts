// The seed function's bounds. Those of the loop it feeds are the workflow's loop contract
// (workflow/transfer-records.ts); the quotas are Step Functions' (workflow/quotas.ts).
import { QUOTAS } from '../../workflow/quotas.ts';
import { LOOP } from '../../workflow/transfer-records.ts';

/** Items seeded when the input names neither `count` nor `messages`, as in the AWS sample. */
export const DEFAULT_COUNT = LOOP.defaultCount;

export const EVENTS_PER_ITEM = LOOP.eventsPerItem;
export const FIXED_EVENTS = LOOP.fixedEvents;
export const EVENTS_PER_RETRY = LOOP.eventsPerRetry;
export const RETRY_BUDGET = LOOP.retryBudget;

/** The largest loop that stays under the history quota with the retry budget reserved. */
export const MAX_ITEMS = LOOP.maxItems;

/**
 * A body travels through Step Functions state payloads and SQS, both capped at 256 KiB;
 * DynamoDB's 400 KB item limit is looser.
 */
export const MAX_MESSAGE_BYTES = QUOTAS.payloadBytes;

/** BatchWriteItem accepts at most 25 put requests per call. */
export const BATCH_SIZE = 25;

/**
 * BatchWriteItem calls in flight at once for the loop's items: a call's round trip, not the table,
 * is what a few batches wait on. Four calls of 25 items stay near the 4,000 writes a second a new
 * on-demand table sustains; what it leaves unprocessed is retried.
 */
export const WRITE_CONCURRENCY = 4;

/** The value that ends the state machine's loop; it follows the MessageIds in the output. */
export const SENTINEL = LOOP.sentinel;

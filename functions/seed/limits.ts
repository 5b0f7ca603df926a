// The seed function's bounds, each derived from the AWS quota it protects.
import { QUOTAS } from '../../workflow/execution-record.ts';

/** Items seeded when the input names neither `count` nor `messages`, as in the AWS sample. */
export const DEFAULT_COUNT = 10;

/**
 * History events one loop iteration costs: the Choice (entered, exited = 2), the GetItem and
 * SendMessage tasks (entered, scheduled, started, succeeded, exited = 5 each) and the Pass (2).
 */
export const EVENTS_PER_ITEM = 14;

/**
 * History events an execution costs besides its items: ExecutionStarted, the seed task (5),
 * the last Choice (2), Succeed (entered, exited) and ExecutionSucceeded.
 */
export const FIXED_EVENTS = 11;

/**
 * History events one retried Task attempt adds: the failed attempt's TaskFailed, then the new
 * attempt's TaskScheduled and TaskStarted (its TaskSucceeded replaces the first one's).
 */
export const EVENTS_PER_RETRY = 3;

/** Retried service calls a run at the maximum count can absorb and still finish. */
export const RETRY_BUDGET = 100;

/**
 * The largest loop that stays under Step Functions' 25,000 history events per execution with the
 * retry budget reserved: 14 × 1763 + 11 + 3 × 100 = 24,993. Without the reserve, 1,784 items fit
 * exactly and five throttled calls would fail the execution after its last message.
 */
export const MAX_ITEMS = Math.floor(
  (QUOTAS.historyEvents - FIXED_EVENTS - EVENTS_PER_RETRY * RETRY_BUDGET) / EVENTS_PER_ITEM,
);

/**
 * A body travels through Step Functions state payloads and SQS, both capped at 256 KiB;
 * DynamoDB's 400 KB item limit is looser.
 */
export const MAX_MESSAGE_BYTES = QUOTAS.payloadBytes;

/** BatchWriteItem accepts at most 25 put requests per call. */
export const BATCH_SIZE = 25;

/** The value that ends the state machine's loop; it follows the MessageIds in the output. */
export const SENTINEL = 'DONE';

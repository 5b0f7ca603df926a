// The AWS bill for moving N records with each workflow, from the list prices and the counts the
// workflows make: state transitions, child requests and duration, Lambda, DynamoDB, SQS, S3.
import { KEY_LIST_PART_BYTES } from '../functions/seed/at-scale-limits.ts';
import { idPrefix, messageId } from '../functions/seed/ids.ts';
import { keyItem } from '../workflow/key-items.ts';
import { KEY_FIELD } from '../workflow/transfer-records-at-scale.ts';
import type { QueueType } from '../workflow/description.ts';
import { SEED_FUNCTION } from '../workflow/transfer-records.ts';
import { PRICES, TRANSITIONS_PER_CHILD_STARTED } from './prices.ts';

export interface CostLine {
  item: string;
  quantity: number;
  dollars: number;
}

export interface Assumptions {
  /** Seed function memory (GB) and its time per 1,000 items written (s). */
  seedMemoryGb: number;
  seedSecondsPerThousand: number;
  /** Billed duration of one EXPRESS child (s, a multiple of 0.1) and its billed memory (GB, a multiple of 64 MB). */
  childSeconds: number;
  childMemoryGb: number;
  /** Bytes the state machines log to CloudWatch Logs per record, at the level the stack sets. */
  logBytesPerRecord: number;
}

// A child reads 100 items in one call and sends 10 batches at once: well under a second on AWS;
// one second is billed to leave room for a retry. Its payloads (100 keys and bodies) fit in 64 MB.
// The seed writes at a new on-demand table's 4,000 writes/s, with the memory the stack gives it.
export const DEFAULT_ASSUMPTIONS: Assumptions = {
  seedMemoryGb: SEED_FUNCTION.memorySize / 1024,
  seedSecondsPerThousand: 0.25,
  childSeconds: 1,
  childMemoryGb: 64 / 1024,
  // The stack's default level, ERROR without execution data, logs failures only: nothing for a run without errors.
  logBytesPerRecord: 0,
};

/** CloudWatch Logs ingestion for the state machines' execution logs. */
export function logIngestionLine(records: number, assumptions: Assumptions): CostLine {
  const gb = (records * assumptions.logBytesPerRecord) / 1e9;
  return { item: 'CloudWatch Logs ingestion GB (level ERROR: failures only)', quantity: gb, dollars: gb * PRICES.cloudwatchLogsGb };
}

/** The size of the key list the seed writes for `records` keys: one JSON line per key, the last the longest. */
export function keyListBytes(records: number): number {
  const longestLine = JSON.stringify(keyItem(KEY_FIELD, messageId(idPrefix('bench'), records - 1))).length + 1;
  return records * longestLine;
}

const sum = (lines: CostLine[]) => lines.reduce((total, line) => total + line.dollars, 0);

/** One SQS request's price on a queue of this type, and the words the cost lines name it with. */
const sqsPrice = (queue: QueueType) => (queue === 'fifo' ? PRICES.sqsFifoRequest : PRICES.sqsRequest);
const onQueue = (queue: QueueType) => (queue === 'fifo' ? ' (FIFO queue)' : '');

/**
 * The loop: per record, 4 transitions (Choice, GetItem, SendMessage, Pass), one consistent read
 * and one SendMessage; per execution of at most `perExecution` records, one seed invocation and
 * 3 more transitions (seed, last Choice, Succeed).
 */
export function classicCost(records: number, perExecution: number, assumptions = DEFAULT_ASSUMPTIONS, queue: QueueType = 'standard'): { lines: CostLine[]; total: number } {
  const executions = Math.ceil(records / perExecution);
  const transitions = 4 * records + 3 * executions;
  const seedSeconds = (records / 1000) * assumptions.seedSecondsPerThousand;
  const lines: CostLine[] = [
    { item: `Step Functions STANDARD transitions (${executions} executions)`, quantity: transitions, dollars: transitions * PRICES.standardTransition },
    { item: 'Lambda seed requests', quantity: executions, dollars: executions * PRICES.lambdaRequest },
    { item: 'Lambda seed GB-seconds', quantity: seedSeconds * assumptions.seedMemoryGb, dollars: seedSeconds * assumptions.seedMemoryGb * PRICES.lambdaGbSecond },
    { item: 'DynamoDB write units', quantity: records, dollars: records * PRICES.dynamodbWriteUnit },
    { item: 'DynamoDB read units (GetItem, consistent)', quantity: records, dollars: records * PRICES.dynamodbReadUnit },
    { item: `SQS SendMessage requests${onQueue(queue)}`, quantity: records, dollars: records * sqsPrice(queue) },
    logIngestionLine(records, assumptions),
  ];
  return { lines, total: sum(lines) };
}

/**
 * The distributed Map: 2 parent states and one transition per child started (one per 100
 * records); each child an EXPRESS request and its duration, one BatchGetItem (a consistent read
 * unit per item) and 10 SendMessageBatch requests; S3 for the key list (multipart: create, parts,
 * complete), the ItemReader's GET and the ResultWriter's 3 objects.
 */
export function atScaleCost(records: number, assumptions = DEFAULT_ASSUMPTIONS, queue: QueueType = 'standard'): { lines: CostLine[]; total: number } {
  const children = Math.ceil(records / 100);
  const transitions = 2 + TRANSITIONS_PER_CHILD_STARTED * children;
  const seedSeconds = (records / 1000) * assumptions.seedSecondsPerThousand;
  const keyListParts = Math.max(1, Math.ceil(keyListBytes(records) / KEY_LIST_PART_BYTES));
  const puts = (keyListParts > 1 ? keyListParts + 2 : 1) + 3;
  const childGbSeconds = children * assumptions.childSeconds * assumptions.childMemoryGb;
  const lines: CostLine[] = [
    { item: 'Step Functions STANDARD transitions (parent)', quantity: transitions, dollars: transitions * PRICES.standardTransition },
    { item: 'Step Functions EXPRESS requests (children)', quantity: children, dollars: children * PRICES.expressRequest },
    { item: 'Step Functions EXPRESS GB-seconds', quantity: childGbSeconds, dollars: childGbSeconds * PRICES.expressGbSecond },
    { item: 'Lambda seed requests', quantity: 1, dollars: PRICES.lambdaRequest },
    { item: 'Lambda seed GB-seconds', quantity: seedSeconds * assumptions.seedMemoryGb, dollars: seedSeconds * assumptions.seedMemoryGb * PRICES.lambdaGbSecond },
    { item: 'DynamoDB write units', quantity: records, dollars: records * PRICES.dynamodbWriteUnit },
    { item: 'DynamoDB read units (BatchGetItem, consistent)', quantity: records, dollars: records * PRICES.dynamodbReadUnit },
    { item: `SQS SendMessageBatch requests${onQueue(queue)}`, quantity: children * 10, dollars: children * 10 * sqsPrice(queue) },
    { item: 'S3 PUT requests (key list, results)', quantity: puts, dollars: puts * PRICES.s3Put },
    { item: 'S3 GET requests (ItemReader)', quantity: 1, dollars: PRICES.s3Get },
    logIngestionLine(records, assumptions),
  ];
  return { lines, total: sum(lines) };
}

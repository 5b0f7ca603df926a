// The transfer-records-at-scale workflow's entries in the description: the bucket its key lists
// and Map Run results go to, and the state machine whose distributed Map sends every record.
// The seed function, the table and the queue are the classic workflow's (transfer-records.ts).
import type { Application, BucketResource, QueueType, WorkflowSpec } from './description.ts';
import { DELIVER_EXECUTION_LOGS, ref, STATE_MACHINE_TRACE_ACTIONS, writeTraces, type Grant } from './permissions.ts';
import { QUEUE, RECORD_PLACEHOLDERS, RECORDS, SEED_FUNCTION, TABLE } from './transfer-records.ts';

/** Where the seed function writes each execution's key list, which the Map's ItemReader reads. */
export const KEY_LIST_PREFIX = 'key-lists/';
/** The attribute of each key-list line (a key item, key-items.ts) that holds the key: `$states.input.Items.MessageId.S`. */
export const KEY_FIELD = 'MessageId';
/** The field of a child's output (its Batch Sent state) that counts the messages it sent. */
export const SENT_FIELD = 'Sent';
/** Where the Map's ResultWriter writes each Map Run's manifest and results. */
export const RESULTS_PREFIX = 'map-run-results/';

export const RUN_BUCKET: BucketResource & { prefixes: string[] } = {
  kind: 'bucket',
  id: 'run_bucket',
  suffix: 'runs',
  /** Run data is looked at soon after a run or never: a week, as the table's items. */
  expirationDays: 7,
  prefixes: [KEY_LIST_PREFIX, RESULTS_PREFIX],
};

/** Child executions one Map Run keeps in flight. */
export const MAX_CONCURRENCY = 100;

/**
 * The FIFO fields of each SendMessageBatch entry, spliced into the JSONata object that builds it:
 * nothing for a Standard queue; for a FIFO queue the record's MessageId as both its message group
 * and its deduplication id. The distributed Map gives the records no order to keep (batches run
 * 100 at a time, BatchGetItem answers in any order), so FIFO is asked for deduplication alone: a
 * copy sent again by a retried call or child carries the same group and id and is dropped, and a
 * group per record lets consumers take every message in parallel, spread over the queue's
 * partitions in high-throughput mode. One group for the run would hand consumers one message at
 * a time.
 */
export const FIFO_ENTRY_FIELDS: Record<QueueType, string> = {
  standard: '',
  fifo: ", 'MessageGroupId': MessageId.S, 'MessageDeduplicationId': MessageId.S",
};

const ID = 'at_scale_state_machine';

export const TRANSFER_RECORDS_AT_SCALE: WorkflowSpec = {
  name: 'transfer-records-at-scale',
  id: ID,
  suffix: 'at-scale-state-machine',
  roleSuffix: 'at-scale-sfn-role',
  definition: 'asl/transfer-records-at-scale.asl.json',
  // The parent is STANDARD: a Map Run may outlast EXPRESS's five minutes; its children are EXPRESS.
  type: 'STANDARD',
  // Failures only, without execution data: at ALL every message body would go to CloudWatch Logs.
  logLevel: 'ERROR',
  includeExecutionData: false,
  placeholders: {
    ...RECORD_PLACEHOLDERS,
    BucketName: { resource: RUN_BUCKET.id, attribute: 'name' },
    MaxConcurrency: { value: String(MAX_CONCURRENCY) },
    FifoEntryFields: { byQueueType: FIFO_ENTRY_FIELDS },
  },
  functions: [SEED_FUNCTION.name],
  grants: [
    { sid: 'InvokeSeedFunction', actions: ['lambda:InvokeFunction'], resources: [ref.function(SEED_FUNCTION.name)] },
    // The distributed Map starts its children on this very state machine, then watches and stops them.
    { sid: 'StartMapRunChildren', actions: ['states:StartExecution'], resources: [ref.stateMachine(ID)] },
    { sid: 'WatchMapRunChildren', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [ref.mapRunExecutions(ID)] },
    { sid: 'ReadKeyLists', actions: ['s3:GetObject'], resources: [ref.objects(RUN_BUCKET.id, KEY_LIST_PREFIX)] },
    // What ResultWriter needs: it writes the results as (multipart) objects and reads back its parts.
    {
      sid: 'WriteMapRunResults',
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [ref.objects(RUN_BUCKET.id, RESULTS_PREFIX)],
    },
    { sid: 'ReadTable', actions: ['dynamodb:BatchGetItem'], resources: [TABLE.id] },
    { sid: 'SendToQueue', actions: ['sqs:SendMessage'], resources: [QUEUE.id] },
    DELIVER_EXECUTION_LOGS,
    writeTraces(STATE_MACHINE_TRACE_ACTIONS),
  ],
  reconcile: { kind: 'map-run', keyField: KEY_FIELD, sentField: SENT_FIELD, ...RECORDS },
};

/** What the seed function's role needs to upload a key list, as one PutObject or a multipart upload. */
export const WRITE_KEY_LISTS: Grant = {
  sid: 'WriteKeyLists',
  actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
  resources: [ref.objects(RUN_BUCKET.id, KEY_LIST_PREFIX)],
};

/**
 * The application with this workflow added: its bucket, its state machine, and the seed
 * function's grant to write key lists (the seed is the classic workflow's entry).
 */
export function withAtScale(app: Application): Application {
  return {
    resources: [...app.resources, RUN_BUCKET],
    functions: app.functions.map((fn) => (fn.name === SEED_FUNCTION.name ? { ...fn, grants: [...fn.grants, WRITE_KEY_LISTS] } : fn)),
    workflows: [...app.workflows, TRANSFER_RECORDS_AT_SCALE],
  };
}

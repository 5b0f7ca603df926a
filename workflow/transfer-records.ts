// The transfer-records workflow's entries in the description: its table and queues, the seed
// function, the state machine, and the loop contract the seed function and the reports share.
import type { DataResource, FifoSettings, FunctionSpec, LoopContract, QueueResource, QueueType, Reconciled, TableResource, WorkflowSpec } from './description.ts';
import {
  DELIVER_EXECUTION_LOGS,
  LAMBDA_TRACE_ACTIONS,
  ref,
  STATE_MACHINE_TRACE_ACTIONS,
  writeOwnLogs,
  writeTraces,
} from './permissions.ts';
import { QUOTAS } from './quotas.ts';

export const TABLE: TableResource & { ttlAttribute: string; messageAttribute: string; itemTtlSeconds: number } = {
  kind: 'table',
  id: 'table',
  suffix: 'table',
  hashKey: 'MessageId',
  attributes: [{ name: 'MessageId', type: 'S' }],
  billingMode: 'PAY_PER_REQUEST',
  /** The item attribute DynamoDB's TTL reads: when, in epoch seconds, the item may be deleted. */
  ttlAttribute: 'ExpiresAt',
  /** The item attribute holding the message body. */
  messageAttribute: 'Message',
  /**
   * How long an item is kept: far longer than an execution may run (TimeoutSeconds, one hour),
   * long enough to look at a run's items afterwards, and the table does not grow forever.
   */
  itemTtlSeconds: 7 * 24 * 3600,
};

/**
 * High-throughput FIFO: deduplication and the throughput quota per message group. Each message's
 * deduplication id is its record's MessageId, and a retried send carries the same group as the
 * first (FIFO_SEND_PARAMETERS, FIFO_ENTRY_FIELDS), so a copy sent within five minutes is dropped.
 */
export const HIGH_THROUGHPUT_FIFO: FifoSettings = { deduplicationScope: 'messageGroup', throughputLimit: 'perMessageGroupId' };

export const DEAD_LETTER_QUEUE: QueueResource = {
  kind: 'queue',
  id: 'dead_letter_queue',
  suffix: 'dlq',
  messageRetentionSeconds: 14 * 24 * 3600,
  // The dead-letter queue of a FIFO queue must be FIFO; a redriven message keeps its group.
  fifo: HIGH_THROUGHPUT_FIFO,
};

export const QUEUE: QueueResource & { redrive: { deadLetterQueue: string; maxReceiveCount: number } } = {
  kind: 'queue',
  id: 'queue',
  suffix: 'queue',
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 4 * 24 * 3600,
  /** Receives before a message moves to the dead-letter queue. */
  redrive: { deadLetterQueue: DEAD_LETTER_QUEUE.id, maxReceiveCount: 5 },
  fifo: HIGH_THROUGHPUT_FIFO,
};

export const RESOURCES: DataResource[] = [TABLE, DEAD_LETTER_QUEUE, QUEUE];

export const SEED_FUNCTION: FunctionSpec & { tableNameVariable: string } = {
  name: 'seed',
  source: 'functions/seed',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  architecture: 'arm64',
  // Sized for the at-scale workflow's seed, up to 1,000,000 items: 16 BatchWriteItem calls in
  // flight need about half a vCPU (Lambda's CPU share grows with memory), and at a new on-demand
  // table's 4,000 writes/s the writes take about 250 s, within Lambda's longest timeout.
  memorySize: 1024,
  timeoutSeconds: 900,
  /** X-Ray traces each invocation, joined to the state machine's trace. */
  tracingMode: 'Active',
  /** The environment variable that tells the function which table to seed. */
  tableNameVariable: 'TABLE_NAME',
  environment: { TABLE_NAME: { resource: TABLE.id, attribute: 'name' } },
  /** Node reads the bundle's source map, so stack traces name the TypeScript source lines. */
  constants: { NODE_OPTIONS: '--enable-source-maps' },
  grants: [
    writeOwnLogs('seed'),
    { sid: 'SeedTable', actions: ['dynamodb:BatchWriteItem'], resources: [TABLE.id] },
    writeTraces(LAMBDA_TRACE_ACTIONS),
  ],
};

/** History events one loop iteration costs and the run's fixed cost, read off the ASL. */
const EVENTS_PER_ITEM = 14;
const FIXED_EVENTS = 11;
const EVENTS_PER_RETRY = 3;
const RETRY_BUDGET = 100;

/**
 * The loop: the seed function returns the MessageIds followed by the sentinel as `$.List`; the
 * Choice loops while `$.List[0]` is not the sentinel. Each item costs 14 history events: the
 * Choice (entered, exited = 2), the GetItem and SendMessage tasks (entered, scheduled, started,
 * succeeded, exited = 5 each) and the Pass (2). The run costs 11 more: ExecutionStarted, the seed
 * task (5), the last Choice (2), Succeed (2) and ExecutionSucceeded. A retried task attempt adds 3
 * (TaskFailed, then TaskScheduled and TaskStarted again). The largest loop that fits 25,000 events
 * with 100 retries reserved: 14 × 1763 + 11 + 3 × 100 = 24,993.
 */
export const LOOP: LoopContract = {
  listPath: '$.List',
  sentinel: 'DONE',
  defaultCount: 10,
  eventsPerItem: EVENTS_PER_ITEM,
  fixedEvents: FIXED_EVENTS,
  eventsPerRetry: EVENTS_PER_RETRY,
  retryBudget: RETRY_BUDGET,
  maxItems: Math.floor((QUOTAS.historyEvents - FIXED_EVENTS - EVENTS_PER_RETRY * RETRY_BUDGET) / EVENTS_PER_ITEM),
};

/** Where both workflows' items are written and delivered: the table's items, each message carrying its item's body. */
export const RECORDS: Reconciled = { items: TABLE.id, bodyAttribute: TABLE.messageAttribute, deliveries: QUEUE.id };

/** What both workflows' ASL is filled with: the seed function, the table and the queue. */
export const RECORD_PLACEHOLDERS: WorkflowSpec['placeholders'] = {
  // Service integrations are `arn:<partition>:states:::…`: an `aws` one starts nothing in aws-cn or aws-us-gov.
  Partition: { partition: true },
  SeedFunctionArn: { function: SEED_FUNCTION.name, attribute: 'arn' },
  TableName: { resource: TABLE.id, attribute: 'name' },
  QueueUrl: { resource: QUEUE.id, attribute: 'url' },
};

/**
 * The FIFO parameters of the classic loop's SendMessage, spliced in front of its MessageBody
 * (`"${FifoSendParameters}MessageBody.$": ...`): nothing for a Standard queue, which refuses
 * MessageDeduplicationId; for a FIFO queue one message group per execution, so the loop's
 * messages keep the seed's order (a retried send is in the same group), and the record's
 * MessageId as the deduplication id. The template stays valid JSON either way, Terraform's
 * templatefile() renders it as the offline run does, and the splice starts with no quote
 * (cdktf writes a string that starts with one into the HCL unescaped).
 */
export const FIFO_SEND_PARAMETERS: Record<QueueType, string> = {
  standard: '',
  fifo: 'MessageGroupId.$": "$$.Execution.Name", "MessageDeduplicationId.$": "$.List[0]", "',
};

export const TRANSFER_RECORDS: WorkflowSpec = {
  name: 'transfer-records',
  id: 'state_machine',
  suffix: 'state-machine',
  roleSuffix: 'sfn-role',
  definition: 'asl/transfer-records.asl.json',
  type: 'STANDARD',
  // Failures only, without execution data: at ALL every message body would go to CloudWatch Logs.
  logLevel: 'ERROR',
  includeExecutionData: false,
  placeholders: { ...RECORD_PLACEHOLDERS, FifoSendParameters: { byQueueType: FIFO_SEND_PARAMETERS } },
  functions: [SEED_FUNCTION.name],
  grants: [
    { sid: 'InvokeSeedFunction', actions: ['lambda:InvokeFunction'], resources: [ref.function(SEED_FUNCTION.name)] },
    { sid: 'ReadTable', actions: ['dynamodb:GetItem'], resources: [TABLE.id] },
    { sid: 'SendToQueue', actions: ['sqs:SendMessage'], resources: [QUEUE.id] },
    DELIVER_EXECUTION_LOGS,
    writeTraces(STATE_MACHINE_TRACE_ACTIONS),
  ],
  reconcile: { kind: 'loop', loop: LOOP, ...RECORDS },
};

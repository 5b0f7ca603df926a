// The shape of the application's description (workflow/app.ts): its data resources, its
// Lambda functions and its workflows, each one entry. The build, the stack, the offline
// runtime, local IAM and the diagram loop over these entries; nothing else names them.
import type { Grant } from './permissions.ts';

/** A DynamoDB table. */
export interface TableResource {
  kind: 'table';
  /** The Terraform identifier and the key grants and placeholders name it by. */
  id: string;
  /** Its name is `<prefix>-<suffix>`. */
  suffix: string;
  hashKey: string;
  attributes: { name: string; type: 'S' | 'N' | 'B' }[];
  billingMode: 'PAY_PER_REQUEST';
  /** The item attribute DynamoDB's TTL reads, when the table has one. */
  ttlAttribute?: string;
}

/** SQS's two queue types: Standard (at least once, no order) and FIFO (ordered per group, deduplicated). */
export const QUEUE_TYPES = ['standard', 'fifo'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

/** What a queue is when the application's queues are FIFO (its `.fifo` name comes from resourceName). */
export interface FifoSettings {
  /** Deduplication per message group (high-throughput mode) or across the queue. */
  deduplicationScope: 'messageGroup' | 'queue';
  /** The throughput quota per message group (high-throughput mode) or per queue. */
  throughputLimit: 'perMessageGroupId' | 'perQueue';
}

/** An SQS queue: Standard unless `type` says FIFO (withQueueType in workflow/app.ts sets it for every queue). */
export interface QueueResource {
  kind: 'queue';
  id: string;
  suffix: string;
  messageRetentionSeconds: number;
  visibilityTimeoutSeconds?: number;
  /** Where messages go after maxReceiveCount receives: another queue of the description. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
  type?: QueueType;
  /** Its settings as a FIFO queue; content-based deduplication is always off (each message names its deduplication id). */
  fifo: FifoSettings;
}

/** An S3 bucket. */
export interface BucketResource {
  kind: 'bucket';
  id: string;
  suffix: string;
  /** Objects expire after this many days, when set. */
  expirationDays?: number;
  /** The key prefixes grants may name (`ref.objects(id, prefix)`), each ending in `/`. */
  prefixes?: string[];
}

export type DataResource = TableResource | QueueResource | BucketResource;

/**
 * What a placeholder or an environment variable is set to: a value known once a resource exists,
 * or a fixed one (a Map's MaxConcurrency, say).
 */
export type Attribute =
  | { value: string }
  /** A value that depends on the application's queue type (the FIFO parameters of a send, say). */
  | { byQueueType: Record<QueueType, string> }
  /** The deployment's partition (aws, aws-cn, aws-us-gov): a service integration's ARN names it. */
  | { partition: true }
  | { resource: string; attribute: 'name' | 'arn' | 'url' }
  | { function: string; attribute: 'name' | 'arn' }
  | { workflow: string; attribute: 'name' | 'arn' };

/** A Lambda function whose code is `<source>/index.ts`, bundled by `make build`. */
export interface FunctionSpec {
  /** Its folder's name under functions/, its name's suffix and its Terraform identifier's stem. */
  name: string;
  /** The folder holding index.ts, relative to the repository root. */
  source: string;
  runtime: string;
  handler: string;
  architecture: 'arm64' | 'x86_64';
  memorySize: number;
  timeoutSeconds: number;
  tracingMode: 'Active' | 'PassThrough';
  /** Variables the function reads, set from the resources they name. */
  environment: Record<string, Attribute>;
  /** Variables of fixed value. */
  constants: Record<string, string>;
  /** Its role's permissions. */
  grants: Grant[];
}

/**
 * The loop a workflow runs over a list its first task returns: the list's path, the value that
 * ends it, what one item costs in history events, and so the most items a run may hold.
 */
export interface LoopContract {
  /** The JSONPath of the list in the state's data. */
  listPath: string;
  /** The value after the last item that ends the loop. */
  sentinel: string;
  /** Items when the input names no count. */
  defaultCount: number;
  /** History events each item costs. */
  eventsPerItem: number;
  /** History events the run costs besides its items. */
  fixedEvents: number;
  /** History events one retried task attempt adds. */
  eventsPerRetry: number;
  /** Retried calls a run at the maximum count can absorb. */
  retryBudget: number;
  /** The most items a run may hold within the history quota, the retry budget reserved. */
  maxItems: number;
}

/** One item a workflow's seed writes, as its reconciliation reads it: its key and the body it carries. */
export interface SeededItem {
  messageId: string;
  body: string;
}

/** The table a workflow's items are written to (keyed by its hash key) and the queue they are delivered to. */
export interface Reconciled {
  /** The table of the description the items are written to. */
  items: string;
  /** The item attribute holding the body each delivered message carries. */
  bodyAttribute: string;
  /** The queue of the description the items are delivered to. */
  deliveries: string;
}

/**
 * How a run's items are reconciled with its deliveries, by the kind of workflow it is. Each kind
 * has one strategy in each runner (`RECONCILERS` in aws/record.ts and local/run.ts): a kind
 * added here fails to compile until both have one.
 */
export type Reconcile = LoopReconcile | MapRunReconcile;

/**
 * A loop over the list its first task returns: on AWS, the ids are that list (its sentinel left
 * out) and the deliveries are the history's SendMessage tasks.
 */
export interface LoopReconcile extends Reconciled {
  kind: 'loop';
  loop: LoopContract;
}

/**
 * A distributed Map whose EXPRESS children send: on AWS, the keys are the key list the seed
 * returns the place of (`{Bucket, Key, Count}`, one key item per line, key-items.ts), and the deliveries are
 * what the Map Run's children say they sent of their batches (`{"Items": [...]}`).
 */
export interface MapRunReconcile extends Reconciled {
  kind: 'map-run';
  /** The string attribute of each key-list line and batch item (a key item, key-items.ts) that holds the key. */
  keyField: string;
  /** The field of a succeeded child's output that counts the messages it sent. */
  sentField: string;
}

export type ReconcileKind = Reconcile['kind'];

/** Step Functions' log levels, most to least verbose. */
export const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;

/** A state machine, from an ASL template whose `${Name}` placeholders are filled at deploy and offline. */
export interface WorkflowSpec {
  /** What `make local|run WORKFLOW=` selects it by. */
  name: string;
  /** The Terraform identifier's stem: its role, log group and outputs are named from it. */
  id: string;
  /** Its name is `<prefix>-<suffix>`; its role's `<prefix>-<roleSuffix>`. */
  suffix: string;
  roleSuffix: string;
  /** The ASL template, relative to the repository root. */
  definition: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The default of its Terraform variables `<id>_log_level` and `<id>_log_execution_data`. */
  logLevel: (typeof LOG_LEVELS)[number];
  includeExecutionData: boolean;
  /** What each placeholder of the template resolves to. */
  placeholders: Record<string, Attribute>;
  /** The functions its tasks invoke. */
  functions: string[];
  /** Its role's permissions. */
  grants: Grant[];
  /** How the report reconciles its items with its deliveries, when it writes and delivers items. */
  reconcile?: Reconcile;
}

export interface Application {
  resources: DataResource[];
  functions: FunctionSpec[];
  workflows: WorkflowSpec[];
}

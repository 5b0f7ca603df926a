// What one execution did, whichever runner produced it. The offline runtime and the
// AWS run client both fill this shape; the text report, --json and the HTML report read it.
import type { SeededItem } from '../workflow/description.ts';
import { formatCount } from './count.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateSample {
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface StateSummary {
  entered: number;
  ms: number;
  /** Attempts Retry added after each entry's first, over every entry; absent when none. */
  retries?: number;
  /** Input and output of the first few entries. */
  samples: StateSample[];
}

export interface DeliveredMessage {
  /** The MessageId attribute the workflow attaches to each message, when present. */
  messageId?: string;
  body: string;
}

export interface Reconciliation {
  items: number;
  delivered: number;
  missing: string[];
  duplicates: string[];
  /** How many copies of each duplicated key were delivered (2 or more), when known. */
  duplicateCopies?: Record<string, number>;
  /** The first few delivered bodies. */
  sample: string[];
}

/** What an execution's history says, however it was read: from AWS or from the local engine. */
export interface HistoryStats {
  historyEvents: number;
  maxPayloadBytes: number;
  /** The state whose input or output was the largest payload. */
  maxPayloadState?: string;
  /** States entered, plus retries: what Step Functions bills as state transitions. */
  stateTransitions: number;
  /** Per state name, in order of first entry. */
  states: Record<string, StateSummary>;
  /** The state where the execution failed, if it did. */
  failedState?: string;
}

/** One `--fault` of an offline run: how often it fired, in which states, and how often they retried. */
export interface FaultReport {
  /** The fault as given, `<service>:<action>:<ErrorName>:<times>`. */
  fault: string;
  /** The error it injects. */
  error: string;
  fired: number;
  /** Per Task state it hit: the failures injected there and how many of them its Retry took up. */
  states: Record<string, { fired: number; retried: number }>;
}

/** One child execution of a Map Run, as the report names it. */
export interface MapRunChildReport {
  /** Its place in the Map Run: the batch (or item) it ran, from 0. Not available on AWS. */
  index?: number;
  name: string;
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  durationMs: number;
  /** The items it was given: its batch's Items, or 1 without an ItemBatcher; absent where unknown. */
  items?: number;
  error?: string;
  cause?: string;
  /** The child's state where it failed, if it did. */
  failedState?: string;
}

/** A distributed Map's Map Run: its child executions, their items, and each child's own quotas. */
export interface MapRunReport {
  stateName: string;
  mapRunArn: string;
  executionType: 'STANDARD' | 'EXPRESS';
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** Child executions that ran (one per batch), by how they ended. */
  children: { total: number; succeeded: number; failed: number; timedOut: number; aborted: number };
  /** Items in the children that succeeded, and in those that did not. */
  itemsProcessed: number;
  itemsNotProcessed: number;
  slowest?: MapRunChildReport;
  /** The children that did not succeed, the first few. */
  unsuccessful: MapRunChildReport[];
  /**
   * The largest child history and payload: each child has the quotas of an execution of its own.
   * Not available on AWS, which keeps no history of an EXPRESS child.
   */
  largestChildEvents?: number;
  largestChildPayloadBytes?: number;
  largestChildPayloadState?: string;
  /** State transitions in all the children together (the parent's are the record's stateTransitions); not available on AWS. */
  childStateTransitions?: number;
}

export interface ExecutionRecord extends HistoryStats {
  source: 'local' | 'aws';
  /** The Step Functions endpoint the AWS client ran against, when not AWS's own (`make run TARGET=local`). */
  endpoint?: string;
  executionArn: string;
  stateMachineArn: string;
  /** The rendered ASL definition that ran. */
  definition: unknown;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  durationMs: number;
  seeded: SeededItem[];
  delivered: DeliveredMessage[];
  reconciliation: Reconciliation;
  /** Each distributed Map's Map Run: offline, its states are in `states` and its quotas here; on AWS, what its API says. */
  mapRuns?: MapRunReport[];
  /** The injected faults, offline runs only. */
  faults?: FaultReport[];
  /** The mock configuration's test case the run used, offline runs only. */
  mocks?: MockReport;
  /** The messages published to SNS topics and the events put on EventBridge buses, offline runs only. */
  notifications?: Notification[];
  warnings: string[];
}

/** A message a Task published to an SNS topic (sns:publish), or an event it put on an event bus (events:putEvents). */
export interface Notification {
  service: 'sns' | 'events';
  /** The topic's ARN, or the event bus's. */
  target: string;
  /** The MessageId SNS answered, or the EventId EventBridge did. */
  id: string;
  /** The message's text; an event's Detail text. */
  body: string;
  /** The SNS Subject; an event's DetailType. */
  subject?: string;
  /** An event's Source. */
  source?: string;
  /** The ARNs of the queues it reached: the topic's SQS subscriptions, the rules' SQS targets. */
  deliveredTo: string[];
}

/** One line per notification, for the text report. */
export function notificationLines(notifications: Notification[]): string[] {
  return notifications.map(({ service, target, id, subject, source, deliveredTo }) => {
    const what = service === 'sns' ? `SNS message ${id} to ${target}${subject === undefined ? '' : ` (Subject "${subject}")`}` : `event ${id} (${source ?? ''}, ${subject ?? ''}) on ${target}`;
    return `${what}: ${deliveredTo.length === 0 ? 'delivered to no queue' : `delivered to ${deliveredTo.join(', ')}`}`;
  });
}

/** A run under a mock configuration's test case: which states it answered, and how often. */
export interface MockReport {
  testCase: string;
  stateMachine: string;
  file: string;
  /** Each state the test case mocks, with its mocked response and the invocations it answered (0 if never reached). */
  states: { state: string; response: string; answered: number }[];
}

/** One line per mocked state, for the text and HTML reports. */
export function mockLines(mocks: MockReport): string[] {
  return mocks.states.map(({ state, response, answered }) => `"${state}": ${answered} invocation${answered === 1 ? '' : 's'} answered by "${response}"`);
}

const SAMPLE_SIZE = 5;

/**
 * Compares what was seeded with what reached the queue. Both sides' keys are sorted and read side
 * by side: a Map of a million delivered keys cost three times as much, and the seed's keys come
 * already in order. Missing items are listed in the seeded order, duplicates in key order.
 */
export function reconcile(seeded: SeededItem[], delivered: DeliveredMessage[]): Reconciliation {
  // Messages carry their item's MessageId; bodies are a fallback for messages sent without it.
  const byId = delivered.some((message) => message.messageId !== undefined);
  const keyOf = (item: SeededItem) => (byId ? item.messageId : item.body);
  const sent = delivered.map((message) => message.messageId ?? message.body).sort();
  const wanted = seeded.map(keyOf).sort();
  const absent = new Set<string>();
  let next = 0;
  for (const key of wanted) {
    while (next < sent.length && sent[next]! < key) next += 1;
    if (sent[next] !== key) absent.add(key);
  }
  const copies: [string, number][] = [];
  for (let start = 0, end = 1; start < sent.length; start = end, end = start + 1) {
    while (sent[end] === sent[start]) end += 1;
    if (end - start > 1) copies.push([sent[start]!, end - start]);
  }
  return {
    items: seeded.length,
    delivered: delivered.length,
    missing: absent.size === 0 ? [] : seeded.filter((item) => absent.has(keyOf(item))).map((item) => item.messageId),
    duplicates: copies.map(([key]) => key),
    ...(copies.length > 0 ? { duplicateCopies: Object.fromEntries(copies) } : {}),
    sample: delivered.slice(0, SAMPLE_SIZE).map((message) => message.body),
  };
}

/**
 * The sentence a person needs from a cause: a Lambda function error's cause is the JSON error
 * document ({"errorType","errorMessage","trace"}) and its errorMessage says what went wrong.
 */
export function causeMessage(cause: string): string | undefined {
  try {
    const message = (JSON.parse(cause) as { errorMessage?: unknown } | null)?.errorMessage;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

const times = (count: number) => `${formatCount(count)} time${count === 1 ? '' : 's'}`;

/** One line on a fault: `<fault>: fired 2 times, in "State" 2 times (retried 2)`, or that it never fired. */
export function faultSummary(report: FaultReport): string {
  if (report.fired === 0) return `${report.fault}: never fired`;
  const where = Object.entries(report.states)
    .map(([state, { fired, retried }]) => `"${state}" ${times(fired)} (retried ${retried})`)
    .join(', ');
  return `${report.fault}: fired ${times(report.fired)}, in ${where}`;
}

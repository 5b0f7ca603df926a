// Reconciles an at-scale execution on AWS without reading the queue: the seeded keys against
// what the Map Run's children say they sent. A child that succeeded sent every key of its batch
// (the item processor reaches its Succeed state only when nothing is left unsent); a child that
// did not succeed may have sent part of its batch, so its keys are not confirmed sent. What this
// cannot see: a message an EXPRESS child put on the queue twice (a retried call or child), since
// only the queue holds it; `--peek` reads the queue.
import type { DeliveredMessage, Reconciliation } from '../execution/execution-record.ts';
import { isObject } from '../workflow/json.ts';
import { keyOfItem } from '../workflow/key-items.ts';
import { formatCount } from '../execution/count.ts';

/** One child execution: how it ended, and what it was given or says it sent, where known. */
export interface ChildBatch {
  succeeded: boolean;
  /** The keys of its batch (its input's Items), when its input is known. */
  keys?: string[];
  /** How many messages it says it sent (its output's Sent), for a succeeded child whose input is unknown. */
  sent?: number;
}

export interface MapRunReconciliation {
  reconciliation: Reconciliation;
  /** One message per key a succeeded child confirms sent (the body where `bodies` knows it). */
  delivered: DeliveredMessage[];
  warnings: string[];
}

const SAMPLE_SIZE = 5;

/** The keys of a child's batch: `{"Items": [{<keyField>: {"S": ...}}, ...]}`. */
export function batchKeys(input: unknown, keyField: string): string[] | undefined {
  const items = isObject(input) ? input.Items : undefined;
  if (!Array.isArray(items)) return undefined;
  const keys = items.map((item) => keyOfItem(item, keyField));
  return keys.every((key) => key !== undefined) ? (keys as string[]) : undefined;
}

/** What a succeeded child says it sent: its output's `sentField` (the item processor's Batch Sent). */
export function sentCount(output: unknown, sentField: string): number | undefined {
  const sent = isObject(output) ? output[sentField] : undefined;
  return typeof sent === 'number' ? sent : undefined;
}

export function reconcileMapRun(seeded: string[], children: ChildBatch[], bodies: ReadonlyMap<string, string> = new Map()): MapRunReconciliation {
  const warnings: string[] = [];
  const sends = new Map<string, number>();
  let uncounted = 0;
  let unknownSent = 0;
  const notConfirmed = new Set<string>();
  for (const child of children) {
    if (child.succeeded && child.keys !== undefined) {
      for (const key of child.keys) sends.set(key, (sends.get(key) ?? 0) + 1);
    } else if (child.succeeded) {
      if (child.sent === undefined) unknownSent += 1;
      else uncounted += child.sent;
    } else {
      for (const key of child.keys ?? []) notConfirmed.add(key);
    }
  }
  const delivered: DeliveredMessage[] = [];
  for (const [key, times] of sends) {
    for (let time = 0; time < times; time += 1) delivered.push({ messageId: key, body: bodies.get(key) ?? '' });
  }
  const byKey = uncounted === 0 && unknownSent === 0;
  // Key by key when every succeeded child's batch is known; otherwise only the failed children's keys can be named.
  const missing = byKey
    ? seeded.filter((key) => !sends.has(key))
    : seeded.filter((key) => notConfirmed.has(key) && !sends.has(key));
  const copies = [...sends].filter(([, times]) => times > 1);
  const duplicates = copies.map(([key]) => key);

  if (!byKey) {
    warnings.push(
      `${formatCount(uncounted)} message(s) of succeeded child executions were counted from their outputs, not matched key by key: ` +
        'their results carry no Input (a ResultWriter with WriterConfig.Transformation COMPACT or FLATTEN writes only outputs), so a key sent twice among them or missing from them cannot be named',
    );
    if (unknownSent > 0) warnings.push(`${formatCount(unknownSent)} succeeded child execution(s) say neither their batch nor how many messages they sent`);
    const unplaced = seeded.length - missing.length - delivered.length - uncounted;
    if (unplaced !== 0) warnings.push(`${formatCount(Math.abs(unplaced))} seeded key(s) ${unplaced > 0 ? 'are in no child whose outcome is known' : 'fewer than the children say they sent'}`);
  }
  const failedKeys = missing.filter((key) => notConfirmed.has(key)).length;
  if (failedKeys > 0) {
    warnings.push(`${formatCount(failedKeys)} of the missing key(s) were in child executions that did not succeed: not confirmed sent (such a child may have sent part of its batch before it failed)`);
  }
  const seededSet = new Set(seeded);
  const unexpected = [...sends.keys()].filter((key) => !seededSet.has(key)).length;
  if (unexpected > 0) warnings.push(`${formatCount(unexpected)} key(s) sent by the Map Run's children are not in the seeded key list`);

  return {
    reconciliation: {
      items: seeded.length,
      delivered: delivered.length + uncounted,
      missing,
      duplicates,
      ...(copies.length > 0 ? { duplicateCopies: Object.fromEntries(copies) } : {}),
      sample: delivered.map((message) => message.body).filter((body) => body !== '').slice(0, SAMPLE_SIZE),
    },
    delivered,
    warnings,
  };
}

// The at-scale workflow's part of an ExecutionRecord on AWS: its Map Runs, and the reconciliation
// of the keys the seed listed in S3 with what the Map Run's children sent. What each child was
// given and how it ended comes from the ResultWriter's results (AWS writes each child's Input
// there); where they are missing (the Map Run failed before writing them) or carry no inputs (a
// writer that stores only outputs), from the children themselves (ListExecutions, then
// DescribeExecution, one call per child). The queue is not read: see aws/map-run-reconcile.ts.
import type { DescribeExecutionOutput, ExecutionListItem, HistoryEvent } from '@aws-sdk/client-sfn';
import { parsePayload } from '../execution/history.ts';
import type { Clients } from '../execution/clients.ts';
import type { DeliveredMessage, MapRunReport, Reconciliation } from '../execution/execution-record.ts';
import type { MapRunReconcile, SeededItem } from '../workflow/description.ts';
import { keyListLocation, readKeyList } from './key-list.ts';
import { batchKeys, reconcileMapRun, sentCount, type ChildBatch } from './map-run-reconcile.ts';
import { manifestFromDefinition, manifestFromOutput, readMapRunResults, type ChildResult } from './map-run-results.ts';
import { collectMapRuns, describeChildren, type MapRunView } from './map-runs.ts';
import { readSeededItems } from './seeded.ts';
import { formatCount } from '../execution/count.ts';

/** Keys whose bodies are read back from the table, for the report's first rows and sample (one BatchGetItem). */
export const BODIES_READ = 100;

export interface MapRunRecordParts {
  mapRuns: MapRunReport[];
  seeded: SeededItem[];
  delivered: DeliveredMessage[];
  reconciliation: Reconciliation;
  warnings: string[];
}

export interface MapRunRecordInput {
  executionArn: string;
  events: HistoryEvent[];
  definition: unknown;
  /** The execution's output: a Map state's last result names its ResultWriter's manifest. */
  output: unknown;
  /** Where each key-list line and batch item holds its key, and a child's output its count sent (the workflow's reconcile). */
  fields: Pick<MapRunReconcile, 'keyField' | 'sentField'>;
  /** Where the items' bodies are, when the stack says. */
  table?: { name: string; keyAttribute: string; bodyAttribute: string };
  sleep: (ms: number) => Promise<void>;
}

const succeededOnly = (children: ExecutionListItem[], succeeded: boolean) => children.filter((child) => (child.status === 'SUCCEEDED') === succeeded);

type Fields = MapRunRecordInput['fields'];

function fromDescription(succeeded: boolean, described: DescribeExecutionOutput, fields: Fields): ChildBatch {
  const keys = batchKeys(parsePayload(described.input), fields.keyField);
  const sent = succeeded ? sentCount(parsePayload(described.output), fields.sentField) : undefined;
  return { succeeded, ...(keys === undefined ? {} : { keys }), ...(sent === undefined ? {} : { sent }) };
}

function fromResult(result: ChildResult, fields: Fields): ChildBatch {
  const succeeded = result.group === 'SUCCEEDED';
  const keys = batchKeys(result.input, fields.keyField);
  const sent = succeeded ? sentCount(result.output, fields.sentField) : undefined;
  return { succeeded, ...(keys === undefined ? {} : { keys }), ...(sent === undefined ? {} : { sent }) };
}

/** What each child of one Map Run was given and how it ended. */
async function childBatches(clients: Clients, view: MapRunView, input: MapRunRecordInput, warnings: string[]): Promise<ChildBatch[]> {
  const { mapRunArn } = view.report;
  const output = input.output as { MapRunArn?: unknown } | undefined;
  const manifest = (output?.MapRunArn === mapRunArn ? manifestFromOutput(output) : undefined) ?? manifestFromDefinition(view.state?.ResultWriter, mapRunArn);
  const results = manifest === undefined ? undefined : await readMapRunResults(clients.s3, manifest);
  const { fields } = input;
  if (results !== undefined && results.every((result) => result.input !== undefined)) return results.map((result) => fromResult(result, fields));

  // The unsuccessful children's batches, from the children themselves: few, and each one named.
  const unsuccessful = succeededOnly(view.children, false);
  const batches = (await describeChildren(clients.sfn, unsuccessful)).map((described) => fromDescription(false, described, fields));
  if (results !== undefined) {
    return [...batches, ...results.filter((result) => result.group === 'SUCCEEDED').map((result) => fromResult(result, fields))];
  }
  const succeeded = succeededOnly(view.children, true);
  warnings.push(
    `the Map Run ${mapRunArn} left no results${manifest === undefined ? '' : ` at s3://${manifest.Bucket}/${manifest.Key}`}: ` +
      `its ${formatCount(succeeded.length)} succeeded child execution(s) were described one by one instead`,
  );
  return [...batches, ...(await describeChildren(clients.sfn, succeeded)).map((described) => fromDescription(true, described, fields))];
}

export async function collectMapRunParts(clients: Clients, input: MapRunRecordInput): Promise<MapRunRecordParts> {
  const views = await collectMapRuns(clients.sfn, input.executionArn, input.events, input.definition);
  const warnings: string[] = [];
  const location = keyListLocation(input.events);
  // No key list: the seed never succeeded (an invalid input, say), so nothing was seeded.
  const keys = location === undefined ? [] : await readKeyList(clients.s3, location, input.fields.keyField);
  if (location !== undefined && keys.length !== location.Count) {
    warnings.push(`the key list s3://${location.Bucket}/${location.Key} holds ${keys.length} key(s); the seed said ${location.Count}`);
  }
  const batches: ChildBatch[] = [];
  for (const view of views) batches.push(...(await childBatches(clients, view, input, warnings)));

  const bodies = new Map<string, string>();
  if (input.table !== undefined && keys.length > 0) {
    const read = await readSeededItems(clients.dynamodb, input.table.name, input.table, keys.slice(0, BODIES_READ), input.sleep);
    for (const item of read.items) if (!read.unread.includes(item.messageId)) bodies.set(item.messageId, item.body);
  }
  const reconciled = reconcileMapRun(keys, batches, bodies);
  return {
    mapRuns: views.map((view) => view.report),
    seeded: keys.map((messageId) => ({ messageId, body: bodies.get(messageId) ?? '' })),
    delivered: reconciled.delivered,
    reconciliation: reconciled.reconciliation,
    warnings: [...warnings, ...reconciled.warnings],
  };
}

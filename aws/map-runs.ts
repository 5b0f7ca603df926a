// The Map Run view of an execution on AWS, from the Step Functions API alone: ListMapRuns names the
// execution's Map Runs, DescribeMapRun counts their items and children, ListExecutions lists the
// children (dates and outcome: the slowest child, the ones that did not succeed) and
// DescribeExecution says why a child failed. AWS keeps no history of an EXPRESS child, so what
// only a history gives (a child's events, payloads and transitions) is left out, not guessed.
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  paginateListExecutions,
  paginateListMapRuns,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { parsePayload } from '../execution/history.ts';
import { UNSUCCESSFUL_LISTED } from '../execution/map-runs.ts';
import type { MapRunChildReport, MapRunReport } from '../execution/execution-record.ts';
import { isObject } from '../workflow/json.ts';

export interface MapRunView {
  report: MapRunReport;
  /** Every child execution of the Map Run, as ListExecutions gives them. */
  children: ExecutionListItem[];
  /** The Map state's definition, where the execution's definition holds it. */
  state?: Record<string, unknown>;
}

/** DescribeExecution calls in flight at once: AWS's bucket for it holds 250 and refills 15 a second. */
const DESCRIBE_CONCURRENCY = 10;

/**
 * The state that started a Map Run: from its MapRunStarted event back along previousEventId to
 * the state entered. Each step looks back from where it is, so that a history interleaving other
 * executions' events (ids that repeat) still leads to the right state.
 */
export function mapStateName(events: HistoryEvent[], mapRunArn: string): string | undefined {
  let index = events.findIndex((event) => event.type === 'MapRunStarted' && event.mapRunStartedEventDetails?.mapRunArn === mapRunArn);
  while (index >= 0) {
    const event = events[index]!;
    const name = event.stateEnteredEventDetails?.name;
    if (name !== undefined) return name;
    const previous = event.previousEventId;
    index = previous === undefined ? -1 : events.findLastIndex((candidate, at) => at < index && candidate.id === previous);
  }
  return undefined;
}

/** A state by name anywhere in a definition: its States, a Map's ItemProcessor (or Iterator), a Parallel's Branches. */
export function findState(definition: unknown, name: string): Record<string, unknown> | undefined {
  if (!isObject(definition) || !isObject(definition.States)) return undefined;
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (!isObject(state)) continue;
    if (stateName === name) return state;
    const nested = [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])];
    for (const machine of nested) {
      const found = findState(machine, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Items in a child's input: its batch's Items, or one item without an ItemBatcher. */
function itemsIn(input: string | undefined, batched: boolean): number | undefined {
  if (input === undefined) return undefined;
  if (!batched) return 1;
  const items = (parsePayload(input) as { Items?: unknown } | null | undefined)?.Items;
  return Array.isArray(items) ? items.length : undefined;
}

/** DescribeExecution of each child, a few at a time, in the children's order. */
export async function describeChildren(sfn: SFNClient, children: ExecutionListItem[]): Promise<DescribeExecutionOutput[]> {
  const described: DescribeExecutionOutput[] = new Array(children.length);
  let next = 0;
  const worker = async () => {
    while (next < children.length) {
      const index = next++;
      described[index] = await sfn.send(new DescribeExecutionCommand({ executionArn: children[index]!.executionArn }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, children.length) }, worker));
  return described;
}

const durationOf = (child: ExecutionListItem) => (child.stopDate && child.startDate ? child.stopDate.getTime() - child.startDate.getTime() : undefined);

function childReport(child: ExecutionListItem, described: DescribeExecutionOutput | undefined, batched: boolean): MapRunChildReport {
  const report: MapRunChildReport = {
    name: child.name ?? child.executionArn ?? '(unnamed)',
    status: child.status as MapRunChildReport['status'],
    durationMs: durationOf(child) ?? 0,
  };
  const items = child.itemCount ?? itemsIn(described?.input, batched);
  if (items !== undefined) report.items = items;
  if (described?.error !== undefined) report.error = described.error;
  if (described?.cause !== undefined) report.cause = described.cause;
  return report;
}

async function listChildren(sfn: SFNClient, mapRunArn: string): Promise<ExecutionListItem[]> {
  const children: ExecutionListItem[] = [];
  for await (const page of paginateListExecutions({ client: sfn, pageSize: 1000 }, { mapRunArn })) children.push(...(page.executions ?? []));
  return children;
}

async function mapRunView(sfn: SFNClient, mapRunArn: string, events: HistoryEvent[], definition: unknown): Promise<MapRunView> {
  const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  const children = await listChildren(sfn, mapRunArn);
  const stateName = mapStateName(events, mapRunArn) ?? mapRunArn.slice(mapRunArn.lastIndexOf('/') + 1, mapRunArn.lastIndexOf(':'));
  const state = findState(definition, stateName);
  const processor = isObject(state?.ItemProcessor) ? state.ItemProcessor : {};
  const executionType = isObject(processor.ProcessorConfig) && processor.ProcessorConfig.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const batched = state?.ItemBatcher !== undefined;
  const items = described.itemCounts;
  const runs = described.executionCounts;

  // An ABORTED child was stopped when the Map Run failed: its duration says when, not how slow it was.
  const finished = children.filter((child) => durationOf(child) !== undefined && child.status !== 'ABORTED');
  const slowest = finished.reduce<ExecutionListItem | undefined>((found, child) => (found === undefined || durationOf(child)! > durationOf(found)! ? child : found), undefined);
  const unsuccessful = children.filter((child) => child.status !== 'SUCCEEDED' && child.status !== 'RUNNING').slice(0, UNSUCCESSFUL_LISTED);
  // Only a described child says its error and cause, and, without itemCount, its items.
  const toDescribe = [...unsuccessful, ...(slowest !== undefined && slowest.itemCount === undefined && !unsuccessful.includes(slowest) ? [slowest] : [])];
  const descriptions = new Map((await describeChildren(sfn, toDescribe)).map((output, index) => [toDescribe[index]!, output]));

  const report: MapRunReport = {
    stateName,
    mapRunArn,
    executionType,
    status: described.status as MapRunReport['status'],
    children: {
      total: runs?.total ?? children.length,
      succeeded: runs?.succeeded ?? 0,
      failed: runs?.failed ?? 0,
      timedOut: runs?.timedOut ?? 0,
      aborted: runs?.aborted ?? 0,
    },
    itemsProcessed: items?.succeeded ?? 0,
    itemsNotProcessed: (items?.failed ?? 0) + (items?.timedOut ?? 0) + (items?.aborted ?? 0),
    unsuccessful: unsuccessful.map((child) => childReport(child, descriptions.get(child), batched)),
  };
  if (slowest !== undefined) report.slowest = childReport(slowest, descriptions.get(slowest), batched);
  return { report, children, ...(state === undefined ? {} : { state }) };
}

/** Every Map Run of the execution, in the order ListMapRuns gives them. */
export async function collectMapRuns(sfn: SFNClient, executionArn: string, events: HistoryEvent[], definition: unknown): Promise<MapRunView[]> {
  const views: MapRunView[] = [];
  for await (const page of paginateListMapRuns({ client: sfn, pageSize: 1000 }, { executionArn })) {
    for (const run of page.mapRuns ?? []) {
      if (run.mapRunArn !== undefined) views.push(await mapRunView(sfn, run.mapRunArn, events, definition));
    }
  }
  return views;
}

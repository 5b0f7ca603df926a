// What a local run prints: a text report for people, or one JSON object for scripts and tests.
import { QUOTAS } from '../workflow/quotas.ts';
import { causeMessage, faultSummary, mockLines, notificationLines, type ExecutionRecord, type FaultReport, type MapRunChildReport, type MapRunReport, type MockReport, type Notification } from './execution-record.ts';
import { formatCount } from './count.ts';

export interface JsonSummary {
  status: ExecutionRecord['status'];
  executionArn: string;
  /** The execution's output, when it succeeded. */
  output?: unknown;
  error?: string;
  cause?: string;
  failedState?: string;
  items: number;
  delivered: number;
  missing: number;
  duplicates: number;
  missingIds: string[];
  duplicateIds: string[];
  /** Copies delivered of each duplicated MessageId, when known. */
  duplicateCopies?: Record<string, number>;
  historyEvents: number;
  maxPayloadBytes: number;
  maxPayloadState?: string;
  /** The execution's own transitions; its Map Runs' children have theirs in mapRuns. */
  stateTransitions: number;
  durationMs: number;
  states: Record<string, { entered: number; ms: number }>;
  /** Each distributed Map's Map Run: its children, their items and their own quotas. */
  mapRuns?: MapRunReport[];
  /** The --fault options given: each one's firings, by state, and the retries they caused. */
  faults?: FaultReport[];
  /** The mock configuration's test case (--mock-config, --test-case): the states it answered. */
  mocks?: MockReport;
  /** The SNS messages and EventBridge events the run's Tasks sent, and the queues each reached. */
  notifications?: Notification[];
  warnings: string[];
}

/** 0 only when the execution succeeded and every seeded item reached the queue. */
export function exitCodeFor(record: ExecutionRecord): number {
  return record.status === 'SUCCEEDED' && record.reconciliation.missing.length === 0 ? 0 : 1;
}

export function toJsonSummary(record: ExecutionRecord): JsonSummary {
  const { reconciliation } = record;
  return {
    status: record.status,
    executionArn: record.executionArn,
    ...(record.status === 'SUCCEEDED' ? { output: record.output } : {}),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    ...(record.failedState === undefined ? {} : { failedState: record.failedState }),
    items: reconciliation.items,
    delivered: reconciliation.delivered,
    missing: reconciliation.missing.length,
    duplicates: reconciliation.duplicates.length,
    missingIds: reconciliation.missing,
    duplicateIds: reconciliation.duplicates,
    ...(reconciliation.duplicateCopies === undefined ? {} : { duplicateCopies: reconciliation.duplicateCopies }),
    historyEvents: record.historyEvents,
    maxPayloadBytes: record.maxPayloadBytes,
    ...(record.maxPayloadState === undefined ? {} : { maxPayloadState: record.maxPayloadState }),
    stateTransitions: record.stateTransitions,
    durationMs: record.durationMs,
    states: Object.fromEntries(
      Object.entries(record.states).map(([name, summary]) => [name, { entered: summary.entered, ms: summary.ms }]),
    ),
    ...(record.mapRuns === undefined ? {} : { mapRuns: record.mapRuns }),
    ...(record.faults === undefined ? {} : { faults: record.faults }),
    ...(record.mocks === undefined ? {} : { mocks: record.mocks }),
    ...(record.notifications === undefined ? {} : { notifications: record.notifications }),
    warnings: record.warnings,
  };
}

const LIST_LIMIT = 5;

const ofQuota = (value: number, limit: number, unit = '') => `${formatCount(value)} of ${formatCount(limit)}${unit} (${percent(value, limit)})`;
const inState = (state: string | undefined) => (state === undefined ? '' : `, in "${state}"`);

/** What AWS does not give: an EXPRESS child keeps no history there. */
export const NOT_ON_AWS = 'not available on AWS';

function childLabel(child: MapRunChildReport): string {
  return child.index === undefined ? `(${child.name})` : `#${child.index} (${child.name})`;
}

const itemsOf = (child: MapRunChildReport) => (child.items === undefined ? 'items unknown' : `${formatCount(child.items)} item${child.items === 1 ? '' : 's'}`);

/** A Map Run: its children by outcome, its items, its slowest and largest child. */
export function mapRunLines(run: MapRunReport): string[] {
  const { children } = run;
  const outcomes = [
    `succeeded ${formatCount(children.succeeded)}`,
    `failed ${formatCount(children.failed)}`,
    ...(children.timedOut > 0 ? [`timed out ${formatCount(children.timedOut)}`] : []),
    ...(children.aborted > 0 ? [`aborted ${formatCount(children.aborted)}`] : []),
  ];
  const lines = [
    `Map Run of "${run.stateName}" ${run.status}  (${run.mapRunArn})`,
    `  Batches          ${formatCount(children.total)} ${run.executionType} child execution${children.total === 1 ? '' : 's'}: ${outcomes.join(', ')}`,
    `  Items processed  ${formatCount(run.itemsProcessed)}` + (run.itemsNotProcessed > 0 ? `, not processed ${formatCount(run.itemsNotProcessed)} (in children that did not succeed)` : ''),
  ];
  if (run.slowest !== undefined) {
    const { slowest } = run;
    lines.push(`  Slowest child    ${childLabel(slowest)}: ${seconds(slowest.durationMs)}, ${itemsOf(slowest)}, ${slowest.status}`);
  }
  lines.push(
    `  Largest child    history ${run.largestChildEvents === undefined ? NOT_ON_AWS : ofQuota(run.largestChildEvents, QUOTAS.historyEvents, ' events')}; ` +
      `payload ${run.largestChildPayloadBytes === undefined ? NOT_ON_AWS : `${ofQuota(run.largestChildPayloadBytes, QUOTAS.payloadBytes, ' bytes')}${inState(run.largestChildPayloadState)}`}`,
  );
  lines.push(`  State transitions in children ${run.childStateTransitions === undefined ? NOT_ON_AWS : formatCount(run.childStateTransitions)}`);
  for (const child of run.unsuccessful) {
    const where = child.failedState === undefined ? '' : ` in "${child.failedState}"`;
    const why = [child.error, child.cause === undefined ? undefined : (causeMessage(child.cause) ?? child.cause)].filter((part) => part !== undefined).join(': ');
    lines.push(`  Child ${childLabel(child)} ${child.status}${where}${why === '' ? '' : `: ${why}`}`);
  }
  const unlisted = children.total - children.succeeded - run.unsuccessful.length;
  if (unlisted > 0) lines.push(`  … and ${formatCount(unlisted)} more that did not succeed`);
  return lines;
}
const BODY_CHARS = 80;

const percent = (value: number, limit: number) => `${((value * 100) / limit).toFixed(1)}%`;

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function clip(text: string): string {
  const oneLine = JSON.stringify(text);
  return oneLine.length > BODY_CHARS ? `${oneLine.slice(0, BODY_CHARS - 1)}…` : oneLine;
}

function listed(ids: string[]): string {
  const shown = ids.slice(0, LIST_LIMIT).join(', ');
  return ids.length > LIST_LIMIT ? `${shown}, … (${ids.length - LIST_LIMIT} more)` : shown;
}

export function formatText(record: ExecutionRecord): string {
  const lines: string[] = [];
  const { reconciliation } = record;
  lines.push(`Execution ${record.status} in ${seconds(record.durationMs)}  (${record.executionArn})`);
  if (record.error !== undefined) lines.push(`  Error: ${record.error}`);
  if (record.cause !== undefined) {
    const message = causeMessage(record.cause);
    // The full cause, a Lambda error's stack trace included, is in --json and the HTML report.
    lines.push(message === undefined ? `  Cause: ${record.cause}` : `  Cause: ${message}`);
  }
  if (record.failedState !== undefined) lines.push(`  Failed state: ${record.failedState}`);

  const mapRuns = record.mapRuns ?? [];
  // Child executions run side by side: their states' times add up to more than the run took.
  lines.push('', mapRuns.length > 0 ? 'States entered (times summed over every entry, child executions running at once)' : 'States entered');
  const names = Object.keys(record.states);
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) {
    const summary = record.states[name]!;
    lines.push(`  ${name.padEnd(width)}  ${formatCount(summary.entered).padStart(6)} ×  ${seconds(summary.ms).padStart(9)}`);
  }
  if (names.length === 0) lines.push('  (none)');

  lines.push('', mapRuns.length > 0 ? 'AWS quotas (this execution; each child execution has its own, under Map Run)' : 'AWS quotas');
  lines.push(`  History events   ${ofQuota(record.historyEvents, QUOTAS.historyEvents)}`);
  lines.push(`  Largest payload  ${ofQuota(record.maxPayloadBytes, QUOTAS.payloadBytes, ' bytes')}${inState(record.maxPayloadState)}`);
  const childTransitions = mapRuns.some((run) => run.childStateTransitions === undefined)
    ? NOT_ON_AWS
    : formatCount(mapRuns.reduce((sum, run) => sum + (run.childStateTransitions ?? 0), 0));
  const childCount = mapRuns.reduce((sum, run) => sum + run.children.total, 0);
  lines.push(
    `  State transitions ${formatCount(record.stateTransitions)}` +
      (mapRuns.length > 0 ? ` (this execution), ${childTransitions} in ${formatCount(childCount)} child execution${childCount === 1 ? '' : 's'}` : ''),
  );

  for (const run of mapRuns) lines.push('', ...mapRunLines(run));

  lines.push('', 'Reconciliation');
  lines.push(
    `  Seeded ${formatCount(reconciliation.items)}, delivered ${formatCount(reconciliation.delivered)}, ` +
      `missing ${formatCount(reconciliation.missing.length)}, duplicated ${formatCount(reconciliation.duplicates.length)}`,
  );
  if (reconciliation.missing.length > 0) lines.push(`  Missing: ${listed(reconciliation.missing)}`);
  if (reconciliation.duplicates.length > 0) {
    const copies = reconciliation.duplicateCopies;
    // Each duplicated MessageId with the copies delivered, when the reconciliation counted them.
    const named = copies === undefined ? reconciliation.duplicates : reconciliation.duplicates.map((id) => `${id} (×${copies[id] ?? '?'})`);
    lines.push(`  Duplicated: ${listed(named)}`);
  }
  if (reconciliation.sample.length > 0) {
    lines.push('  First bodies:');
    for (const body of reconciliation.sample) lines.push(`    ${clip(body)}`);
  }

  if (record.faults !== undefined && record.faults.length > 0) {
    lines.push('', 'Injected faults');
    for (const fault of record.faults) lines.push(`  ${faultSummary(fault)}`);
  }

  if (record.mocks !== undefined) {
    lines.push('', `Mocked (test case "${record.mocks.testCase}" of "${record.mocks.stateMachine}" in ${record.mocks.file}; these states called nothing)`);
    for (const line of mockLines(record.mocks)) lines.push(`  ${line}`);
  }

  if (record.notifications !== undefined && record.notifications.length > 0) {
    lines.push('', 'Published (SNS messages and EventBridge events)');
    for (const line of notificationLines(record.notifications)) lines.push(`  ${line}`);
  }

  if (record.warnings.length > 0) {
    lines.push('', 'Warnings');
    for (const warning of record.warnings) lines.push(`  - ${warning}`);
  }
  return lines.join('\n');
}

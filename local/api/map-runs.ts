// A distributed Map's Map Runs as the endpoint shows them: found by ARN in the executions' records,
// described with AWS's item and execution counts, and their child executions described (STANDARD
// and EXPRESS children, as AWS describes both) and their history given (STANDARD children only:
// AWS keeps none for EXPRESS ones).
import type { HistoryEvent, MapRunExecution, MapRunRecord } from '../../engine/index.ts';
import { forEachState } from '../definition.ts';
import { ApiError } from './errors.ts';
import type { Execution, ExecutionStore } from './executions.ts';
import type { StateMachine } from './state-machines.ts';

export function findMapRun(executions: ExecutionStore, mapRunArn: string): { execution: Execution; mapRun: MapRunRecord } {
  for (const execution of executions.all()) {
    const mapRun = execution.mapRuns.find((run) => run.mapRunArn === mapRunArn);
    if (mapRun) return { execution, mapRun };
  }
  throw new ApiError('ResourceNotFound', `Resource Not Found: '${mapRunArn}'`);
}

/** A Map Run's child execution by its ARN, or undefined when no Map Run started one of that ARN. */
export function findChild(executions: ExecutionStore, arn: string): { mapRun: MapRunRecord; child: MapRunExecution } | undefined {
  for (const execution of executions.all()) {
    for (const mapRun of execution.mapRuns) {
      const child = mapRun.executions.find((candidate) => candidate?.executionArn === arn);
      if (child) return { mapRun, child };
    }
  }
  return undefined;
}

/** A Map Run's child state machine: `…:stateMachine:<machine>/<label>`, the run's id dropped. */
export function mapRunMachineArn(mapRunArn: string): string {
  return mapRunArn.replace(':mapRun:', ':stateMachine:').replace(/:[^:/]+$/, '');
}

function mapRunEvent(execution: Execution, mapRunArn: string): { start?: HistoryEvent; end?: HistoryEvent } {
  const index = execution.events.findIndex(
    (event) => event.type === 'MapRunStarted' && (event.mapRunStartedEventDetails as { mapRunArn?: string } | undefined)?.mapRunArn === mapRunArn,
  );
  if (index < 0) return {};
  const end = execution.events.slice(index + 1).find((event) => event.type === 'MapRunSucceeded' || event.type === 'MapRunFailed');
  return { start: execution.events[index], ...(end ? { end } : {}) };
}

/** When the Map Run started and stopped, from its parent's MapRunStarted and MapRunSucceeded/Failed. */
export function mapRunDates(execution: Execution, mapRunArn: string): { startDate: Date; stopDate?: Date } {
  const { start, end } = mapRunEvent(execution, mapRunArn);
  const stopDate = end?.timestamp ?? execution.stopDate;
  return { startDate: start?.timestamp ?? execution.startDate, ...(stopDate ? { stopDate } : {}) };
}

interface MapState {
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  batched: boolean;
}

/** The Map state's settings DescribeMapRun reports, and whether it batches items. */
function mapState(machine: StateMachine, stateName: string): MapState {
  let settings: MapState = { maxConcurrency: 0, toleratedFailurePercentage: 0, toleratedFailureCount: 0, batched: false };
  forEachState(machine.parsed, (name, state) => {
    if (name !== stateName || state.Type !== 'Map') return;
    const number = (value: unknown) => (typeof value === 'number' ? value : 0);
    settings = {
      maxConcurrency: number(state.MaxConcurrency),
      toleratedFailurePercentage: number(state.ToleratedFailurePercentage),
      toleratedFailureCount: number(state.ToleratedFailureCount),
      batched: state.ItemBatcher !== undefined,
    };
  });
  return settings;
}

/**
 * The items one child processed: one, or the Items of its batch. A batch's size is read from the
 * child's ExecutionStarted input; an EXPRESS child that succeeded keeps no history, and is counted
 * as one item until the Map Run keeps each child's item count.
 */
function itemsOf(child: MapRunExecution, batched: boolean): number {
  if (!batched) return 1;
  const started = child.history?.find((event) => event.type === 'ExecutionStarted');
  const input = (started?.executionStartedEventDetails as { input?: string } | undefined)?.input;
  if (input === undefined) return 1;
  const items = (JSON.parse(input) as { Items?: unknown }).Items;
  return Array.isArray(items) ? items.length : 1;
}

const UNSUCCESSFUL = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * MapRunItemCounts or MapRunExecutionCounts, as AWS defines them: each child (or each of its
 * items) by status. The record is complete once the parent has ended, so none is pending or
 * running; no child can be redriven here (the endpoint has no RedriveExecution), so every
 * unsuccessful one is failuresNotRedrivable and none pendingRedrive. resultsWritten counts the
 * succeeded ones, as AWS answers for a Map Run with or without a ResultWriter.
 */
export function mapRunCounts(children: readonly MapRunExecution[], weight: (child: MapRunExecution) => number) {
  const sum = (keep: (child: MapRunExecution) => boolean) => children.reduce((total, child) => total + (keep(child) ? weight(child) : 0), 0);
  const of = (status: string) => sum((child) => child.status === status);
  return {
    pending: 0,
    running: 0,
    succeeded: of('SUCCEEDED'),
    failed: of('FAILED'),
    timedOut: of('TIMED_OUT'),
    aborted: of('ABORTED'),
    total: sum(() => true),
    resultsWritten: of('SUCCEEDED'),
    failuresNotRedrivable: sum((child) => UNSUCCESSFUL.includes(child.status)),
    pendingRedrive: 0,
  };
}

/** DescribeMapRun's answer. */
export function describeMapRun(execution: Execution, mapRun: MapRunRecord) {
  const { batched, ...settings } = mapState(execution.machine, mapRun.stateName);
  // A child that never started (the run failed first) leaves a hole in the record.
  const children = mapRun.executions.filter((child): child is MapRunExecution => child !== undefined);
  return {
    mapRunArn: mapRun.mapRunArn,
    executionArn: execution.arn,
    status: mapRun.status,
    ...mapRunDates(execution, mapRun.mapRunArn),
    ...settings,
    itemCounts: mapRunCounts(children, (child) => itemsOf(child, batched)),
    executionCounts: mapRunCounts(children, () => 1),
    redriveCount: 0,
  };
}

/** DescribeExecution of a Map Run's child: its input only where its history kept it. */
export function describeChild(mapRun: MapRunRecord, child: MapRunExecution) {
  const started = child.history?.find((event) => event.type === 'ExecutionStarted');
  const input = (started?.executionStartedEventDetails as { input?: string } | undefined)?.input;
  return {
    executionArn: child.executionArn,
    stateMachineArn: mapRunMachineArn(mapRun.mapRunArn),
    name: child.name,
    status: child.status,
    startDate: child.startDate,
    stopDate: child.stopDate,
    ...(input === undefined ? { inputDetails: { included: false } } : { input, inputDetails: { included: true } }),
    ...(child.status === 'SUCCEEDED' ? { output: JSON.stringify(child.output ?? null), outputDetails: { included: true } } : {}),
    ...(child.error !== undefined ? { error: child.error } : {}),
    ...(child.cause !== undefined ? { cause: child.cause } : {}),
    mapRunArn: mapRun.mapRunArn,
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** A child's history: a STANDARD child's own; AWS keeps none for an EXPRESS child and refuses its ARN. */
export function childHistory(mapRun: MapRunRecord, child: MapRunExecution): HistoryEvent[] {
  if (mapRun.executionType === 'EXPRESS' || !child.history) {
    throw new ApiError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
  }
  return child.history;
}

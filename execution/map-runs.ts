// Offline, the engine hands every event to one callback: the execution's own and those of its Map
// Runs' child executions. On AWS a child is an execution of its own, with its own history and
// quotas, so the events are split here: the parent's make the record's quota figures and state
// transitions; each child's are folded on their own (their ids restart at 1, and children run at
// once) and, when it ends, kept as a few numbers and merged into the per-state table. Only the
// first child samples its states' inputs and outputs: ten thousand children would otherwise
// serialize thousands of payloads nobody reads.
import type { HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import type { HistoryEvent, MapRunExecution, MapRunRecord } from '../engine/index.ts';
import type { MapRunChildReport, MapRunReport, StateSummary } from './execution-record.ts';
import { createHistoryFolder, SAMPLES_PER_STATE, type FoldOptions, type HistoryFold, type HistoryFolder } from './history.ts';

/** Children that did not succeed, listed by name in the report. */
export const UNSUCCESSFUL_LISTED = 5;

const ENDS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** What is kept of one child's history once it has ended. */
interface ChildFigures {
  events: number;
  stateTransitions: number;
  maxPayloadBytes: number;
  maxPayloadState?: string;
  failedState?: string;
}

export interface ExecutionFolds {
  /** One event of the execution (executionArn is the parent's) or of a child execution. */
  add(event: HistoryEvent, executionArn: string): void;
  /** The parent's figures, its per-state table holding the children's states after its own. */
  result(): HistoryFold;
  /** Each Map Run of the engine's result, with its children's figures. */
  mapRuns(records: MapRunRecord[]): MapRunReport[];
}

function mergeStates(into: Record<string, StateSummary>, from: Record<string, StateSummary>): void {
  for (const [name, summary] of Object.entries(from)) {
    const merged = (into[name] ??= { entered: 0, ms: 0, samples: [] });
    merged.entered += summary.entered;
    merged.ms += summary.ms;
    if (summary.retries !== undefined) merged.retries = (merged.retries ?? 0) + summary.retries;
    merged.samples.push(...summary.samples.slice(0, SAMPLES_PER_STATE - merged.samples.length));
  }
}

export function createExecutionFolds(parentArn: string, options: Pick<FoldOptions, 'onRetry'> = {}): ExecutionFolds {
  const parent = createHistoryFolder(options);
  const running = new Map<string, HistoryFolder>();
  const ended = new Map<string, ChildFigures>();
  const childStates: Record<string, StateSummary> = {};
  const warnings = new Set<string>();
  let sampled = false;

  const addChild = (event: HistoryEvent, executionArn: string) => {
    let folder = running.get(executionArn);
    if (folder === undefined) {
      folder = createHistoryFolder({ ...options, samples: sampled ? 0 : SAMPLES_PER_STATE });
      sampled = true;
      running.set(executionArn, folder);
    }
    // The engine's events are GetExecutionHistory's; only its type names are typed as plain strings.
    folder.add(event as unknown as SdkHistoryEvent);
    if (!ENDS.has(event.type)) return;
    running.delete(executionArn);
    const fold = folder.result();
    mergeStates(childStates, fold.states);
    for (const warning of fold.warnings) warnings.add(warning);
    ended.set(executionArn, {
      events: fold.historyEvents,
      stateTransitions: fold.stateTransitions,
      maxPayloadBytes: fold.maxPayloadBytes,
      ...(fold.maxPayloadState === undefined ? {} : { maxPayloadState: fold.maxPayloadState }),
      ...(fold.failedState === undefined ? {} : { failedState: fold.failedState }),
    });
  };

  return {
    add(event, executionArn) {
      if (executionArn === parentArn) parent.add(event as unknown as SdkHistoryEvent);
      else addChild(event, executionArn);
    },
    result() {
      const fold = parent.result();
      const states = { ...fold.states };
      mergeStates(states, childStates);
      return { ...fold, states, warnings: [...fold.warnings, ...[...warnings].filter((warning) => !fold.warnings.includes(warning))] };
    },
    mapRuns: (records) => records.map((record) => mapRunReport(record, ended)),
  };
}

function childReport(execution: MapRunExecution, figures: ChildFigures | undefined): MapRunChildReport {
  return {
    index: execution.index,
    name: execution.name,
    status: execution.status,
    durationMs: execution.stopDate.getTime() - execution.startDate.getTime(),
    items: execution.items,
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    ...(figures?.failedState === undefined ? {} : { failedState: figures.failedState }),
  };
}

/** A Map Run not ended when the report is made had its parent end under it: it was aborted. */
const endedStatus = (status: MapRunRecord['status']): MapRunReport['status'] => (status === 'RUNNING' ? 'ABORTED' : status);

function mapRunReport(record: MapRunRecord, ended: Map<string, ChildFigures>): MapRunReport {
  // Offline, every child's figures are known (on AWS they are not: the type leaves them optional).
  const report: MapRunReport & Required<Pick<MapRunReport, 'largestChildEvents' | 'largestChildPayloadBytes' | 'childStateTransitions'>> = {
    stateName: record.stateName,
    mapRunArn: record.mapRunArn,
    executionType: record.executionType,
    status: endedStatus(record.status),
    children: { total: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 },
    itemsProcessed: 0,
    itemsNotProcessed: 0,
    unsuccessful: [],
    largestChildEvents: 0,
    largestChildPayloadBytes: 0,
    childStateTransitions: 0,
  };
  const counts = { SUCCEEDED: 'succeeded', FAILED: 'failed', TIMED_OUT: 'timedOut', ABORTED: 'aborted' } as const;
  let slowest: MapRunExecution | undefined;
  // The engine fills a child's slot when it ends: children never started leave holes.
  for (const execution of record.executions.filter((entry) => entry !== undefined)) {
    const figures = ended.get(execution.executionArn);
    const { items } = execution;
    report.children.total += 1;
    report.children[counts[execution.status]] += 1;
    if (execution.status === 'SUCCEEDED') report.itemsProcessed += items;
    else {
      report.itemsNotProcessed += items;
      if (report.unsuccessful.length < UNSUCCESSFUL_LISTED) report.unsuccessful.push(childReport(execution, figures));
    }
    const duration = execution.stopDate.getTime() - execution.startDate.getTime();
    // An ABORTED child was stopped when the Map Run failed: its duration says when, not how slow it was.
    if (execution.status !== 'ABORTED' && (slowest === undefined || duration > slowest.stopDate.getTime() - slowest.startDate.getTime())) slowest = execution;
    report.childStateTransitions += figures?.stateTransitions ?? execution.stateTransitions;
    report.largestChildEvents = Math.max(report.largestChildEvents, figures?.events ?? execution.eventCount);
    if (figures !== undefined && figures.maxPayloadBytes > report.largestChildPayloadBytes) {
      report.largestChildPayloadBytes = figures.maxPayloadBytes;
      if (figures.maxPayloadState === undefined) delete report.largestChildPayloadState;
      else report.largestChildPayloadState = figures.maxPayloadState;
    }
  }
  if (slowest !== undefined) report.slowest = childReport(slowest, ended.get(slowest.executionArn));
  return report;
}

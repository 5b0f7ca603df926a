// Turns the engine's event stream into what Step Functions would have recorded: the number of
// history events, the largest state payload, per-state statistics, and the first crossing of
// either quota. It keeps counters and a few samples, never the events themselves.
import type { StateMachine } from 'aws-local-stepfunctions';
import { QUOTAS, type HistoryStats, type StateSample, type StateSummary } from '../workflow/execution-record.ts';

export type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type StateType = Extract<EngineEvent, { type: 'StateEntered' }>['state']['type'];

export type Quota = keyof typeof QUOTAS;

export interface QuotaBreach {
  quota: Quota;
  /** The error Step Functions reports. */
  error: string;
  cause: string;
  /** The state the execution was in. */
  state: string;
  /** Which entry of that state, and the loop's current item when the input shows one. */
  item: string;
}

export interface HistorySummary extends HistoryStats {
  breaches: QuotaBreach[];
}

export interface HistoryOptions {
  limits?: typeof QUOTAS;
  /** Stop counting at the first breach, as AWS stops the execution there. */
  stopAtBreach: boolean;
  samplesPerState?: number;
}

export interface HistoryTracker {
  /** Accounts for one engine event; returns a breach the first time a quota is crossed. */
  observe(event: EngineEvent): QuotaBreach | undefined;
  summary(): HistorySummary;
}

const DEFAULT_SAMPLES = 3;

/**
 * The history events Step Functions records for one engine event. Tasks are counted as service
 * integrations (TaskScheduled, TaskStarted, then TaskSucceeded or TaskFailed per attempt); a
 * Lambda called by its function ARN records LambdaFunction* events instead, as many of them.
 * Parallel branches record nothing of their own; Map iterations do.
 */
export function historyEventsOf(event: EngineEvent, caught = false): string[] {
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return [event.type];
    case 'ExecutionTimeout':
      return ['ExecutionTimedOut'];
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
    case 'ParallelBranchFailed':
    case 'StateCaught':
      return [];
    case 'StateEntered':
      return entered(event.state.type);
    case 'StateExited':
      return exited(event.state.type, caught);
    case 'StateFailed':
      return failed(event.state.type);
    case 'StateRetried':
      return retried(event.state.type);
  }
}

function entered(type: StateType): string[] {
  if (type === 'Task') return ['TaskStateEntered', 'TaskScheduled', 'TaskStarted'];
  if (type === 'Map' || type === 'Parallel') return [`${type}StateEntered`, `${type}StateStarted`];
  return [`${type}StateEntered`];
}

function exited(type: StateType, caught: boolean): string[] {
  if (type === 'Task' || type === 'Map' || type === 'Parallel') {
    const exit = `${type}StateExited`;
    if (caught) return [exit];
    return [type === 'Task' ? 'TaskSucceeded' : `${type}StateSucceeded`, exit];
  }
  return [`${type}StateExited`];
}

// A Fail state, or a Choice that matches nothing, goes straight to ExecutionFailed.
function failed(type: StateType): string[] {
  if (type === 'Task') return ['TaskFailed'];
  if (type === 'Map' || type === 'Parallel') return [`${type}StateFailed`];
  return [];
}

function retried(type: StateType): string[] {
  if (type === 'Task') return ['TaskScheduled', 'TaskStarted'];
  if (type === 'Map' || type === 'Parallel') return [`${type}StateStarted`];
  return [];
}

const HISTORY_LIMIT_CAUSE = (limit: number) =>
  `The execution reached the maximum number of history events (${limit}).`;

interface OpenEntry {
  name: string;
  started: number;
  sample?: StateSample;
}

interface Position {
  state: string;
  entry: number;
  index?: number;
  input: unknown;
}

export function createHistoryTracker(options: HistoryOptions): HistoryTracker {
  const limits = options.limits ?? QUOTAS;
  const samplesPerState = options.samplesPerState ?? DEFAULT_SAMPLES;
  const states: Record<string, StateSummary> = {};
  const open = new Map<string, OpenEntry>();
  const caught = new Set<string>();
  const breaches: QuotaBreach[] = [];
  let historyEvents = 0;
  let stateTransitions = 0;
  let maxPayloadBytes = 0;
  let maxPayloadState: string | undefined;
  let failedState: string | undefined;
  let position: Position | undefined;
  let stopped = false;
  // A state's output is the next state's input, the very same object: measure it once.
  let lastMeasured: { value: unknown; bytes: number } | undefined;

  const keyOf = (name: string, index: number | undefined) => (index === undefined ? name : `${name}#${index}`);

  function measure(value: unknown): number {
    if (lastMeasured !== undefined && lastMeasured.value === value) return lastMeasured.bytes;
    const bytes = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
    lastMeasured = { value, bytes };
    return bytes;
  }

  function where(at: Position | undefined): string {
    if (!at) return 'before the first state';
    const parts = [`entry ${at.entry} of "${at.state}"`];
    if (at.index !== undefined) parts.push(`Map iteration ${at.index}`);
    const cursor = loopCursor(at.input);
    if (cursor !== undefined) parts.push(`$.List[0] = ${JSON.stringify(cursor)}`);
    return parts.join(', ');
  }

  function breach(quota: Quota, error: string, cause: string): QuotaBreach {
    const found: QuotaBreach = { quota, error, cause, state: position?.state ?? '(execution)', item: where(position) };
    breaches.push(found);
    if (options.stopAtBreach) {
      // The execution ends here: its last history event is ExecutionFailed.
      stopped = true;
      failedState = found.state;
      closeOpenEntries(Date.now());
    }
    return found;
  }

  /** Counts events one by one: event 25,000 may only be ExecutionSucceeded (AWS's rule). */
  function count(types: string[]): QuotaBreach | undefined {
    let found: QuotaBreach | undefined;
    for (const type of types) {
      if (historyEvents === limits.historyEvents - 1 && type !== 'ExecutionSucceeded' && !reported('historyEvents')) {
        found = breach(
          'historyEvents',
          'States.Runtime',
          `${HISTORY_LIMIT_CAUSE(limits.historyEvents)} Event ${limits.historyEvents} would have been ${type}, at ${where(position)}.`,
        );
        historyEvents += 1;
        if (stopped) return found;
        continue;
      }
      historyEvents += 1;
    }
    return found;
  }

  function reported(quota: Quota): boolean {
    return breaches.some((found) => found.quota === quota);
  }

  function checkPayload(value: unknown, state: string, what: string): QuotaBreach | undefined {
    const bytes = measure(value);
    if (bytes > maxPayloadBytes) {
      maxPayloadBytes = bytes;
      maxPayloadState = state;
    }
    if (bytes <= limits.payloadBytes || reported('payloadBytes')) return undefined;
    const found = breach(
      'payloadBytes',
      'States.DataLimitExceeded',
      `The ${what} of state "${state}" is ${bytes} bytes, over the ${limits.payloadBytes}-byte payload quota, at ${where(position)}.`,
    );
    // The execution fails with a last event, ExecutionFailed.
    if (stopped) historyEvents += 1;
    return found;
  }

  function closeOpenEntries(at: number): void {
    for (const entry of open.values()) states[entry.name]!.ms += at - entry.started;
    open.clear();
  }

  function onEntered(name: string, input: unknown, index: number | undefined, timestamp: number): void {
    const summary = (states[name] ??= { entered: 0, ms: 0, samples: [] });
    summary.entered += 1;
    stateTransitions += 1;
    const entry: OpenEntry = { name, started: timestamp };
    if (summary.samples.length < samplesPerState) {
      entry.sample = { input };
      summary.samples.push(entry.sample);
    }
    open.set(keyOf(name, index), entry);
    position = { state: name, entry: summary.entered, input, ...(index === undefined ? {} : { index }) };
  }

  function onExited(name: string, output: unknown, key: string, timestamp: number, wasCaught: boolean): void {
    const entry = open.get(key);
    if (!entry) return;
    open.delete(key);
    states[name]!.ms += timestamp - entry.started;
    if (entry.sample) {
      entry.sample.output = output;
      if (!wasCaught) {
        delete entry.sample.error;
        delete entry.sample.cause;
      }
    }
  }

  function observe(event: EngineEvent): QuotaBreach | undefined {
    if (stopped) return undefined;
    let found: QuotaBreach | undefined;
    switch (event.type) {
      case 'ExecutionStarted':
        found = count(historyEventsOf(event)) ?? checkPayload(event.input, '(execution input)', 'input');
        return found;
      case 'StateEntered': {
        const { name, input } = event.state;
        onEntered(name, input, event.index, event.timestamp);
        return count(historyEventsOf(event)) ?? checkPayload(input, name, 'input');
      }
      case 'StateExited': {
        const { name, output } = event.state;
        const key = keyOf(name, event.index);
        const wasCaught = caught.delete(key);
        found = count(historyEventsOf(event, wasCaught));
        if (!stopped) found ??= checkPayload(output, name, 'output');
        onExited(name, output, key, event.timestamp, wasCaught);
        return found;
      }
      case 'StateFailed': {
        failedState = event.state.name;
        const sample = open.get(keyOf(event.state.name, event.index))?.sample;
        if (sample) {
          sample.error = event.Error;
          sample.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        }
        return count(historyEventsOf(event));
      }
      case 'StateRetried':
        failedState = undefined;
        stateTransitions += 1;
        return count(historyEventsOf(event));
      case 'StateCaught':
        failedState = undefined;
        caught.add(keyOf(event.state.name, event.index));
        return undefined;
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        closeOpenEntries(event.timestamp);
        if (event.type === 'ExecutionSucceeded') failedState = undefined;
        return count(historyEventsOf(event));
      default:
        return count(historyEventsOf(event));
    }
  }

  function summary(): HistorySummary {
    return {
      historyEvents,
      maxPayloadBytes,
      ...(maxPayloadState === undefined ? {} : { maxPayloadState }),
      stateTransitions,
      states,
      ...(failedState === undefined ? {} : { failedState }),
      breaches: [...breaches],
    };
  }

  return { observe, summary };
}

/** The transfer-records loop keeps the ids still to send in `$.List`; its head is the current item. */
function loopCursor(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('List' in input)) return undefined;
  const list = (input as { List: unknown }).List;
  return Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined;
}

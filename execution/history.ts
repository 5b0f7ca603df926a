// Folds an execution's history, as GetExecutionHistory returns it (from AWS or from the local
// engine), into the record's per-state figures: entries, time, samples, transitions, payload
// sizes and the state where the execution failed. Parallel branches and Map iterations leave
// several states open at once: each event is attributed to the state entry its
// previousEventId chain leads back to, so concurrent entries of one state never mix.
import type { HistoryEvent, HistoryEventExecutionDataDetails } from '@aws-sdk/client-sfn';
import { payloadByteLength } from '../engine/index.ts';
import type { HistoryStats, StateSample, StateSummary } from './execution-record.ts';

/** Entries per state whose input and output the record keeps. */
export const SAMPLES_PER_STATE = 3;

export interface HistoryFold extends HistoryStats {
  warnings: string[];
}

export interface FoldOptions {
  /** Called when a state schedules a further attempt: Retry went back to it. */
  onRetry?: (state: string) => void;
  /** Entries per state to sample (SAMPLES_PER_STATE by default): 0 when others already hold the samples. */
  samples?: number;
}

/** A fold fed one event at a time, as an execution appends them or as pages arrive. */
export interface HistoryFolder {
  add(event: HistoryEvent): void;
  result(): HistoryFold;
}

interface OpenEntry {
  name: string;
  enteredAt: number;
  /** Attempts scheduled since the state was entered: each one after the first is a retry. */
  attempts: number;
  /** The entry that was open when this one began: a Map or Parallel state, or none. */
  parent: OpenEntry | undefined;
  sample?: StateSample;
}

const EXECUTION_ENDS = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
const ATTEMPT_STARTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

export function foldHistory(events: Iterable<HistoryEvent>, options: FoldOptions = {}): HistoryFold {
  const folder = createHistoryFolder(options);
  for (const event of events) folder.add(event);
  return folder.result();
}

export function createHistoryFolder(options: FoldOptions = {}): HistoryFolder {
  const samplesPerState = options.samples ?? SAMPLES_PER_STATE;
  const states: Record<string, StateSummary> = {};
  const fold: HistoryFold = { historyEvents: 0, maxPayloadBytes: 0, stateTransitions: 0, states, warnings: [] };
  // The state entry each event belongs to, by event id (null: none). Ids count up from 1, so an
  // array indexed by them costs less than a Map entry per event.
  const entryOf: (OpenEntry | null)[] = [];
  // A sample's input and output are the report's: their texts are read and parsed when the result
  // is asked for, not as the events arrive. Offline, an event's text is written only when read,
  // and a loop's first entries carry its whole list: parsed there, a 1,763-item list was written
  // and parsed two dozen times during the run, and its copies kept through it.
  const unread: (() => void)[] = [];
  let truncated = false;
  let previous: OpenEntry | undefined;

  // The local engine's events know their payloads' sizes: reading the text of each would
  // serialize the loop's list at every state, quadratic in its length.
  const measure = (state: string, event: { input?: string; output?: string }, field: 'input' | 'output', details?: HistoryEventExecutionDataDetails) => {
    if (details?.truncated) truncated = true;
    let bytes = payloadByteLength(event);
    if (bytes === undefined) {
      const payload = event[field];
      if (payload === undefined) return;
      bytes = Buffer.byteLength(payload, 'utf8');
    }
    if (bytes > fold.maxPayloadBytes) {
      fold.maxPayloadBytes = bytes;
      fold.maxPayloadState = state;
    }
  };

  const add = (event: HistoryEvent) => {
    fold.historyEvents += 1;
    const at = event.timestamp?.getTime() ?? 0;
    // Without ids (a hand-made history), events follow each other in one chain.
    const recorded = event.previousEventId === undefined ? undefined : entryOf[event.previousEventId];
    const open = recorded === undefined ? previous : (recorded ?? undefined);
    let current = open;
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    // Only a sampled entry keeps its error: the other events need not be searched for one.
    const failure = open?.sample && failureDetails(event);
    if (entered?.name !== undefined) {
      const state = (states[entered.name] ??= { entered: 0, ms: 0, samples: [] });
      state.entered += 1;
      fold.stateTransitions += 1;
      measure(entered.name, entered, 'input', entered.inputDetails);
      current = { name: entered.name, enteredAt: at, attempts: 0, parent: open };
      if (state.samples.length < samplesPerState) {
        const sample: StateSample = { input: undefined };
        unread.push(() => (sample.input = parsePayload(entered.input)));
        current.sample = sample;
        state.samples.push(sample);
      }
    } else if (exited?.name !== undefined) {
      measure(exited.name, exited, 'output', exited.outputDetails);
      const entry = enclosing(open, exited.name);
      if (entry) {
        states[entry.name]!.ms += at - entry.enteredAt;
        const sample = entry.sample;
        if (sample) unread.push(() => (sample.output = parsePayload(exited.output)));
        current = entry.parent;
      }
    } else if (event.type !== undefined && ATTEMPT_STARTS.has(event.type) && open) {
      // Step Functions bills a retry as a state transition.
      open.attempts += 1;
      if (open.attempts > 1) {
        fold.stateTransitions += 1;
        const state = states[open.name]!;
        state.retries = (state.retries ?? 0) + 1;
        options.onRetry?.(open.name);
      }
    } else if (failure && open?.sample) {
      // A retried task fails more than once; its last error is the one that counted.
      open.sample.error = failure.error;
      open.sample.cause = failure.cause;
    } else if (event.type !== undefined && EXECUTION_ENDS.has(event.type) && open) {
      // The innermost state running when the execution ended is where it failed.
      fold.failedState = open.name;
      for (let entry: OpenEntry | undefined = open; entry; entry = entry.parent) {
        states[entry.name]!.ms += at - entry.enteredAt;
      }
      current = undefined;
    }
    if (event.id !== undefined) entryOf[event.id] = current ?? null;
    previous = current;
  };
  return {
    add,
    result() {
      for (const read of unread.splice(0)) read();
      if (truncated) return { ...fold, warnings: [...fold.warnings, 'some state inputs or outputs are truncated in the execution history'] };
      return fold;
    },
  };
}

/** The open entry an exit closes: the innermost one of that name. */
function enclosing(open: OpenEntry | undefined, name: string): OpenEntry | undefined {
  for (let entry = open; entry; entry = entry.parent) if (entry.name === name) return entry;
  return undefined;
}

function failureDetails(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  return (
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.evaluationFailedEventDetails
  );
}

/** A JSON payload from the history, or its raw text when it is not JSON. */
export function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

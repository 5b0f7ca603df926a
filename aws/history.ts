// Reads an execution's whole event history and folds it into the ExecutionRecord's
// per-state figures: entries, time, samples, transitions, payload sizes, the failed state.
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type HistoryEventExecutionDataDetails,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { HistoryStats, StateSample, StateSummary } from '../workflow/execution-record.ts';
import { SENTINEL } from '../functions/seed/limits.ts';

/** Entries per state whose input and output the record keeps. */
export const SAMPLES_PER_STATE = 3;

/** GetExecutionHistory's largest page. */
const PAGE_SIZE = 1000;

export async function fetchHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: PAGE_SIZE, includeExecutionData: true, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export interface HistorySummary extends HistoryStats {
  /** The MessageIds the seed function returned, without the loop's sentinel. */
  seededIds: string[];
  warnings: string[];
}

interface OpenState {
  name: string;
  enteredAt: number;
  /** Attempts scheduled since the state was entered: each one after the first is a retry. */
  attempts: number;
  sample?: StateSample;
}

const EXECUTION_ENDS = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
const ATTEMPT_STARTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

// This workflow has no Parallel or Map state, so at most one state is open at a time.
export function summarizeHistory(events: HistoryEvent[]): HistorySummary {
  const states: Record<string, StateSummary> = {};
  const summary: HistorySummary = {
    historyEvents: events.length,
    maxPayloadBytes: 0,
    stateTransitions: 0,
    states,
    seededIds: [],
    warnings: [],
  };
  let open: OpenState | undefined;
  let truncated = false;

  const measure = (state: string, payload: string | undefined, details?: HistoryEventExecutionDataDetails) => {
    if (details?.truncated) truncated = true;
    if (payload === undefined) return;
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > summary.maxPayloadBytes) {
      summary.maxPayloadBytes = bytes;
      summary.maxPayloadState = state;
    }
  };

  for (const event of events) {
    const at = event.timestamp?.getTime() ?? 0;
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    const failure = failureDetails(event);
    if (entered?.name !== undefined) {
      const state = (states[entered.name] ??= { entered: 0, ms: 0, samples: [] });
      state.entered += 1;
      summary.stateTransitions += 1;
      measure(entered.name, entered.input, entered.inputDetails);
      open = { name: entered.name, enteredAt: at, attempts: 0 };
      if (state.samples.length < SAMPLES_PER_STATE) {
        open.sample = { input: parsePayload(entered.input) };
        state.samples.push(open.sample);
      }
    } else if (exited?.name !== undefined) {
      measure(exited.name, exited.output, exited.outputDetails);
      if (open?.name === exited.name) {
        states[exited.name]!.ms += at - open.enteredAt;
        if (open.sample) open.sample.output = parsePayload(exited.output);
        open = undefined;
      }
    } else if (event.type !== undefined && ATTEMPT_STARTS.has(event.type) && open) {
      // Step Functions bills a retry as a state transition, as the local runner counts it.
      open.attempts += 1;
      if (open.attempts > 1) summary.stateTransitions += 1;
    } else if (failure && open?.sample) {
      // A retried task fails more than once; its last error is the one that counted.
      open.sample.error = failure.error;
      open.sample.cause = failure.cause;
    } else if (event.type !== undefined && EXECUTION_ENDS.has(event.type) && open) {
      // The state that was running when the execution ended is where it failed.
      summary.failedState = open.name;
      states[open.name]!.ms += at - open.enteredAt;
      open = undefined;
    }
    const seeded = seededIdsOf(event);
    if (seeded) summary.seededIds = seeded;
  }
  if (truncated) summary.warnings.push('some state inputs or outputs are truncated in the execution history');
  return summary;
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

/**
 * The seed function's list (MessageIds, then the sentinel): in Payload of a lambda:invoke result,
 * or as the result itself when the Task's Resource is the function's ARN (the sample's form).
 */
function seededIdsOf(event: HistoryEvent): string[] | undefined {
  const details = event.taskSucceededEventDetails;
  const list =
    details?.resourceType === 'lambda' && details.resource?.startsWith('invoke')
      ? (parsePayload(details.output) as { Payload?: unknown } | undefined)?.Payload
      : parsePayload(event.lambdaFunctionSucceededEventDetails?.output);
  if (!Array.isArray(list)) return undefined;
  return list.filter((id): id is string => typeof id === 'string' && id !== SENTINEL);
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

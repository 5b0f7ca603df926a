// Retry and Catch: which error names a retrier or catcher matches, and how long a retry waits.
// AWS: States.ALL matches every error but States.DataLimitExceeded and States.Runtime;
// States.TaskFailed matches every error States.ALL does except the timeouts; States.Timeout
// matches States.HeartbeatTimeout too; States.Runtime is terminal (no Retry or Catch takes it,
// even by name).

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: Record<string, unknown>;
  QueryLanguage?: string;
}

const UNCATCHABLE = 'States.Runtime';
// States.Timeout covers a missed heartbeat too, as it did before AWS named it States.HeartbeatTimeout.
const HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';
const TIMEOUTS = new Set(['States.Timeout', HEARTBEAT_TIMEOUT]);
const NOT_BY_WILDCARD = new Set(['States.DataLimitExceeded', UNCATCHABLE]);

export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  if (error === UNCATCHABLE) return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && !NOT_BY_WILDCARD.has(error)) return true;
    if (name === 'States.TaskFailed' && !NOT_BY_WILDCARD.has(error) && !TIMEOUTS.has(error)) return true;
    if (name === 'States.Timeout' && error === HEARTBEAT_TIMEOUT) return true;
  }
  return false;
}

/** The index of the first retrier that takes `error`, or -1. */
export function retrierIndex(retriers: readonly Retrier[] | undefined, error: string): number {
  return (retriers ?? []).findIndex((retrier) => errorMatches(retrier.ErrorEquals, error));
}

export function findCatcher(catchers: readonly Catcher[] | undefined, error: string): Catcher | undefined {
  return catchers?.find((catcher) => errorMatches(catcher.ErrorEquals, error));
}

/**
 * The retry bookkeeping of one state entry: attempts per retrier, and the total ($$.State.RetryCount).
 * `made`: retries each retrier has already made (TestState's retrierRetryCount).
 */
export class RetryCounter {
  private readonly attempts: number[];
  total = 0;

  constructor(
    private readonly retriers: readonly Retrier[] | undefined,
    made = 0,
  ) {
    this.attempts = (retriers ?? []).map(() => made);
  }

  /** The delay before the next attempt in ms, or undefined when no retrier takes this error. */
  next(error: string, random: () => number = Math.random): number | undefined {
    const index = retrierIndex(this.retriers, error);
    if (index < 0) return undefined;
    const retrier = this.retriers![index]!;
    const attempt = this.attempts[index]!;
    if (attempt >= (retrier.MaxAttempts ?? 3)) return undefined;
    this.attempts[index] = attempt + 1;
    this.total += 1;
    return retryDelayMs(retrier, attempt, random);
  }
}

/** IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, FULL jitter drawing in [0, delay). */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number = Math.random): number {
  let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds *= random();
  return Math.round(seconds * 1000);
}

// The longest an at-scale child execution can run, read off its ASL: every task attempt taking
// its whole TimeoutSeconds, every retry waiting its longest (FULL jitter waits at most the
// computed delay), every round of the read and send loops used. It must stay below EXPRESS's
// 5 minutes, after which AWS ends the child and, with 0% tolerance, the Map Run.

/** EXPRESS's longest execution (Step Functions quotas). */
export const EXPRESS_MAX_SECONDS = 5 * 60;

/**
 * The child's loops, as its Choice and Wait states write them (`$readAttempts >= 5`,
 * `$min([$power(2, $readAttempts - 1), 8])`, the same for sends); test/asl checks the ASL says so.
 */
export const CHILD_LOOP = { rounds: 5, firstWaitSeconds: 1, maxWaitSeconds: 8 };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

export interface TimedTask {
  TimeoutSeconds?: number;
  Retry?: Retrier[];
}

/** A task without TimeoutSeconds waits up to 99,999,999 s by AWS's default: no bound. */
export class UnboundedTask extends Error {
  override name = 'UnboundedTask';
}

/** The longest total wait of one retrier, with AWS's defaults (1 s, 3 attempts, rate 2). */
export function retryWaitSeconds(retrier: Retrier): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt += 1) {
    total += Math.min(interval * rate ** attempt, retrier.MaxDelaySeconds ?? Infinity);
  }
  return total;
}

/** The longest one task state takes: each attempt its TimeoutSeconds, plus every retry's wait. */
export function taskWorstSeconds(name: string, task: TimedTask): number {
  if (task.TimeoutSeconds === undefined) throw new UnboundedTask(`task "${name}" sets no TimeoutSeconds`);
  const retriers = task.Retry ?? [];
  const attempts = 1 + retriers.reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0);
  return attempts * task.TimeoutSeconds + retriers.reduce((sum, retrier) => sum + retryWaitSeconds(retrier), 0);
}

/** The waits between the rounds of one of the child's loops. */
export function loopWaitSeconds(loop = CHILD_LOOP): number {
  let total = 0;
  for (let round = 1; round < loop.rounds; round += 1) total += Math.min(loop.firstWaitSeconds * 2 ** (round - 1), loop.maxWaitSeconds);
  return total;
}

export interface ChildWorstCase {
  readSeconds: number;
  sendSeconds: number;
  totalSeconds: number;
}

/**
 * The child's worst case: its read loop, then its send loop, whose batches go out at once (the
 * inline Map's MaxConcurrency covers them), so a round lasts as long as its slowest send.
 */
export function childWorstCase(read: TimedTask, send: TimedTask, loop = CHILD_LOOP): ChildWorstCase {
  const readSeconds = loop.rounds * taskWorstSeconds('read', read) + loopWaitSeconds(loop);
  const sendSeconds = loop.rounds * taskWorstSeconds('send', send) + loopWaitSeconds(loop);
  return { readSeconds, sendSeconds, totalSeconds: readSeconds + sendSeconds };
}

type States = Record<string, TimedTask & { ItemProcessor?: { States: States } }>;

/** The worst case of the at-scale workflow's child, from the rendered ASL (bench/at-scale-run.ts). */
export function atScaleChildWorstCase(definition: unknown): ChildWorstCase {
  const child = (definition as { States: States }).States['Send Every Record']!.ItemProcessor!.States;
  return childWorstCase(child['Read Batch from DynamoDB']!, child['Send Messages to SQS']!.ItemProcessor!.States['Send Message Batch']!);
}

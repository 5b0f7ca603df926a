// How long an at-scale child execution can run under sustained throttling, read off its ASL:
// every retry waiting its longest (FULL jitter waits at most the computed delay) and every round
// of the read and send loops used. Its calls carry no TimeoutSeconds (a short one ends children
// on the slower emulators offline), so what bounds the child is the waits, which must leave
// every call a few seconds within EXPRESS's 5 minutes, after which AWS ends the child and, with
// 0% tolerance, the Map Run.
import type { Retrier } from '../engine/index.ts';

/** EXPRESS's longest execution (Step Functions quotas). */
export const EXPRESS_MAX_SECONDS = 5 * 60;

/**
 * The child's loops, as its Choice and Wait states write them (`$readAttempts >= 5`,
 * `$min([$power(2, $readAttempts - 1), 8])`, the same for sends); test/asl checks the ASL says so.
 */
export const CHILD_LOOP = { rounds: 5, firstWaitSeconds: 1, maxWaitSeconds: 8 };

export interface RetriedTask {
  Retry?: Retrier[];
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

/** The most calls one task state makes and the longest it waits between them. */
export function taskWorstCase(task: RetriedTask): { calls: number; waitSeconds: number } {
  const retriers = task.Retry ?? [];
  return {
    calls: 1 + retriers.reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0),
    waitSeconds: retriers.reduce((sum, retrier) => sum + retryWaitSeconds(retrier), 0),
  };
}

/** The waits between the rounds of one of the child's loops. */
export function loopWaitSeconds(loop = CHILD_LOOP): number {
  let total = 0;
  for (let round = 1; round < loop.rounds; round += 1) total += Math.min(loop.firstWaitSeconds * 2 ** (round - 1), loop.maxWaitSeconds);
  return total;
}

export interface ChildWorstCase {
  /** Calls made one after another: a round of sends goes out at once, so it counts as one. */
  calls: number;
  /** Every wait: the retries' and the loops' backoffs. */
  waitSeconds: number;
  /** What EXPRESS's 5 minutes leave each call once the waits are spent. */
  secondsPerCall: number;
}

/** The child's worst case: its read loop, then its send loop, every round and retry used. */
export function childWorstCase(read: RetriedTask, send: RetriedTask, loop = CHILD_LOOP): ChildWorstCase {
  const [reads, sends] = [taskWorstCase(read), taskWorstCase(send)];
  const calls = loop.rounds * (reads.calls + sends.calls);
  const waitSeconds = loop.rounds * (reads.waitSeconds + sends.waitSeconds) + 2 * loopWaitSeconds(loop);
  return { calls, waitSeconds, secondsPerCall: (EXPRESS_MAX_SECONDS - waitSeconds) / calls };
}

type States = Record<string, RetriedTask & { ItemProcessor?: { States: States } }>;

/** The worst case of the at-scale workflow's child, from the rendered ASL (bench/at-scale-run.ts). */
export function atScaleChildWorstCase(definition: unknown): ChildWorstCase {
  const child = (definition as { States: States }).States['Send Every Record']!.ItemProcessor!.States;
  return childWorstCase(child['Read Batch from DynamoDB']!, child['Send Messages to SQS']!.ItemProcessor!.States['Send Message Batch']!);
}

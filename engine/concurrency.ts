// Runs the branches of a Parallel or the iterations of a Map, at most `limit` at a time (0: no
// limit). The first failure cancels the others (their waits and calls in flight are aborted) and
// is the result.
import { BranchCancelled, type Cancellation } from './step.ts';

export async function runAll<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number, token: Cancellation): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let nextJob = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (nextJob < jobs.length && !token.cancelled) {
      const index = nextJob++;
      try {
        results[index] = await jobs[index]!();
      } catch (error) {
        if (error instanceof BranchCancelled) continue;
        if (!failure) failure = { error };
        token.cancel();
      }
    }
  };
  const workers = Math.max(1, limit > 0 ? Math.min(limit, jobs.length) : jobs.length);
  await Promise.all(Array.from({ length: workers }, worker));
  token.dispose();
  if (failure) throw failure.error;
  // Cancelled from outside (an enclosing branch failed): this state stops too.
  if (token.cancelled) throw new BranchCancelled();
  return results;
}

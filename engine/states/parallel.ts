// Parallel: runs every branch on the same input, each in a child variable scope; its result is
// the array of the branches' outputs. A failing branch fails the state with the branch's error.
import { applyInputPath, applyParameters, jsonataField, jsonataResult, jsonPathResult } from '../dataflow.ts';
import { runAll } from '../concurrency.ts';
import { Cancellation, nextOf, Thread, type Machine, type StateOutcome, type StateStep } from '../step.ts';

export async function runParallel(step: StateStep): Promise<StateOutcome> {
  const { state, thread } = step;
  const next = nextOf(state);
  let branchInput: unknown;
  if (step.jsonata) {
    branchInput = state.Arguments === undefined ? step.input : await jsonataField(step, 'Arguments', state.Arguments);
  } else {
    branchInput = applyParameters(step, applyInputPath(step));
  }
  const started = thread.emit('ParallelStateStarted');
  const mock = step.inspection?.mockBranches;
  const result = mock ? await mock(step, { effective: branchInput }) : await runBranches(step, branchInput, started);
  if (step.jsonata) {
    const { output, assign } = await jsonataResult(step, result, { result });
    return { output, next, assign };
  }
  const { output, assign } = jsonPathResult(step, result);
  return { output, next, assign };
}

async function runBranches(step: StateStep, branchInput: unknown, started: number): Promise<unknown[]> {
  const { state, thread } = step;
  const token = new Cancellation(thread.cancel);
  const branches = state.Branches as Machine[];
  // The state's next event follows the last branch to end (or the failing branch's last event).
  let lastTail = started;
  let failedTail: number | undefined;
  return runAll(
    branches.map((branch) => async () => {
      const branchThread = new Thread(thread.run, started, thread.variables.child(), token);
      try {
        const output = await thread.run.nested.runMachine(branchThread, branch, branchInput, thread.run.jsonata);
        lastTail = branchThread.prev;
        return output;
      } catch (error) {
        failedTail ??= branchThread.prev;
        throw error;
      }
    }),
    0,
    token,
  ).finally(() => {
    thread.prev = failedTail ?? lastTail;
  });
}

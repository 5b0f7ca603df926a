// Succeed: ends its machine (the execution, a branch or an iteration) successfully.
import { applyInputPath, applyOutputPath, jsonataResult } from '../dataflow.ts';
import type { StateOutcome, StateStep } from '../step.ts';

export async function runSucceed(step: StateStep): Promise<StateOutcome> {
  if (step.jsonata) {
    const { output } = await jsonataResult(step, step.input, {});
    return { output, next: undefined };
  }
  return { output: applyOutputPath(step, applyInputPath(step)), next: undefined };
}

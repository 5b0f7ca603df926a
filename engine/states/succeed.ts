// Succeed: ends its machine (the execution, a branch or an iteration) successfully.
import { applyInputPath, applyOutputPath, jsonataResult } from '../dataflow.ts';
import type { StateOutcome, StateStep } from '../step.ts';

export function runSucceed(step: StateStep): StateOutcome | Promise<StateOutcome> {
  if (step.jsonata) return jsonataResult(step, step.input, {}).then(({ output }) => ({ output, next: undefined }));
  return { output: applyOutputPath(step, applyInputPath(step)), next: undefined };
}

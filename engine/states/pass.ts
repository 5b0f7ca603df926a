// Pass: passes its input on, or a fixed Result / Parameters (JSONPath) or Output (JSONata).
import { applyInputPath, applyOutputPath, applyParameters, applyResultPath, inspected, jsonataResult, jsonPathAssign } from '../dataflow.ts';
import { checkPayload } from '../quotas.ts';
import { nextOf, type StateOutcome, type StateStep } from '../step.ts';

export function runPass(step: StateStep): StateOutcome | Promise<StateOutcome> {
  const { state } = step;
  const next = nextOf(state);
  if (step.jsonata) return jsonataResult(step, step.input, {}).then(({ output, assign }) => ({ output, next, assign }));
  // A fixed Result is the state's result: InputPath and Parameters play no part (TestState shows
  // neither then, recorded); without one, Parameters make the result (AWS shows no result then).
  const result = state.Result !== undefined ? inspected(step, 'result', state.Result) : applyParameters(step, applyInputPath(step));
  checkPayload(result, step.thread.run.quotas, step.name);
  const assign = jsonPathAssign(step, state.Assign, result);
  const output = applyOutputPath(step, inspected(step, 'afterResultPath', applyResultPath(step, inspected(step, 'afterResultSelector', result))));
  return { output, next, assign };
}

// Fail: ends its machine with an error and a cause, each optional (AWS names no error when the
// state gives none).
import { inspected, jsonataField, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { resolveValue } from '../jsonpath/template.ts';
import type { StateOutcome, StateStep } from '../step.ts';

/** The error a Fail state raises; `error`/`cause` undefined when the state names none. */
export class FailStateError extends StatesError {
  constructor(
    readonly failError: string | undefined,
    readonly failCause: string | undefined,
  ) {
    super(failError ?? '', failCause ?? '');
  }
}

export async function runFail(step: StateStep): Promise<StateOutcome> {
  const { state } = step;
  let error: unknown = state.Error;
  let cause: unknown = state.Cause;
  if (step.jsonata) {
    if (error !== undefined) error = await jsonataField(step, 'Error', error);
    if (cause !== undefined) cause = await jsonataField(step, 'Cause', cause);
  } else {
    // A Fail state has no InputPath; TestState shows its input as after InputPath all the same (recorded).
    inspected(step, 'afterInputPath', step.input);
    const scope = pathScope(step, step.input);
    if (typeof state.ErrorPath === 'string') error = resolveValue(state.ErrorPath, scope, 'ErrorPath');
    if (typeof state.CausePath === 'string') cause = resolveValue(state.CausePath, scope, 'CausePath');
  }
  throw new FailStateError(asText(error), asText(cause));
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

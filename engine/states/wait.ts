// Wait: a real wait (ended early when the execution is interrupted) for Seconds, until a
// Timestamp, or for/until what SecondsPath/TimestampPath read from the input.
import { applyInputPath, applyOutputPath, jsonataField, jsonataResult, jsonPathAssign, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { resolveValue } from '../jsonpath/template.ts';
import { MAX_WAIT_MS } from '../quotas.ts';
import { nextOf, type StateOutcome, type StateStep } from '../step.ts';

// ISO-8601 extended offset date-time, as AWS requires: a 'T' and a zone (Z or ±hh:mm).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/i;

export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string' || !TIMESTAMP.test(text)) return undefined;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

export async function runWait(step: StateStep): Promise<StateOutcome> {
  const { state } = step;
  const next = nextOf(state);
  if (step.jsonata) {
    const delay = checkDelay(await jsonataDelay(step));
    const { output, assign } = await jsonataResult(step, step.input, {});
    await step.thread.sleep(delay);
    return { output, next, assign };
  }
  const effective = applyInputPath(step);
  const delay = checkDelay(jsonPathDelay(step, effective));
  const assign = jsonPathAssign(step, state.Assign, effective);
  const output = applyOutputPath(step, effective);
  await step.thread.sleep(delay);
  return { output, next, assign };
}

function runtime(message: string): StatesError {
  return new StatesError('States.Runtime', message);
}

/** The delay in ms, unless it is longer than an execution may last. */
function checkDelay(ms: number): number {
  if (ms > MAX_WAIT_MS) throw runtime('Wait state delay is too long.');
  return ms;
}

function jsonPathDelay(step: StateStep, effective: unknown): number {
  const { state } = step;
  if (typeof state.Seconds === 'number') return state.Seconds * 1000;
  // A literal Timestamp was read when the definition was checked (definition-fields.ts).
  if (typeof state.Timestamp === 'string') return parseTimestamp(state.Timestamp)! - Date.now();
  if (typeof state.SecondsPath === 'string') {
    const seconds = resolveValue(state.SecondsPath, pathScope(step, effective), 'SecondsPath');
    if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
      throw runtime(`The SecondsPath parameter cannot be parsed as a long value: ${state.SecondsPath} == ${JSON.stringify(seconds)}`);
    }
    if (seconds < 0) throw runtime(`The SecondsPath parameter references a negative value: ${state.SecondsPath} == ${seconds}`);
    return seconds * 1000;
  }
  if (typeof state.TimestampPath === 'string') {
    const value = resolveValue(state.TimestampPath, pathScope(step, effective), 'TimestampPath');
    const at = parseTimestamp(value);
    if (at === undefined) {
      throw runtime(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${state.TimestampPath} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      );
    }
    return at - Date.now();
  }
  return 0;
}

async function jsonataDelay(step: StateStep): Promise<number> {
  const { state } = step;
  if (state.Seconds !== undefined) {
    const seconds = await jsonataField(step, 'Seconds', state.Seconds);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesError(
        'States.QueryEvaluationError',
        `The Seconds field must be a non-negative integer, but was: ${JSON.stringify(seconds)}`,
      );
    }
    return seconds * 1000;
  }
  if (state.Timestamp !== undefined) {
    const value = await jsonataField(step, 'Timestamp', state.Timestamp);
    const at = parseTimestamp(value);
    if (at === undefined) {
      throw new StatesError(
        'States.QueryEvaluationError',
        `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      );
    }
    return at - Date.now();
  }
  return 0;
}

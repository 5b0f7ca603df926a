// The JSON type and range of each field a state reads, checked before anything reads it, as AWS's
// schema checks them when the state machine is created (SCHEMA_VALIDATION_FAILED): a JSONPath
// state's paths are strings (InputPath, OutputPath and ResultPath may be null), so are a Comment,
// an Error, a Cause and a Label (a retrier's or catcher's error names: definition.ts), End is a
// boolean, Retry, Catch, Choices and Branches are arrays of objects, every Assign and a distributed
// Map's ItemReader, ItemBatcher and ResultWriter (and their configurations) are objects, a literal
// number of seconds, attempts or items is an integer in its range (a retrier's as the States
// Language specification and LocalStack's parser give them; LocalStack's snapshot tests are
// recorded on AWS), and a literal Timestamp is one a Wait can read. In a JSONata state a number or
// Timestamp may be an expression instead, checked when it is evaluated.
import { DefinitionError } from './errors.ts';
import { isJsonataExpression } from './jsonata/evaluate.ts';
import { isObject } from './json.ts';
import { parseTimestamp } from './states/wait.ts';

type Json = Record<string, unknown>;

const NULLABLE_PATHS = new Set(['InputPath', 'OutputPath', 'ResultPath']);
const PATHS = [...NULLABLE_PATHS, 'ItemsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const STRINGS = ['Comment', 'Error', 'Cause', 'Label'];
// A distributed Map's configuration: objects within objects.
const OBJECTS = [['ItemReader'], ['ItemReader', 'ReaderConfig'], ['ItemBatcher'], ['ResultWriter'], ['ResultWriter', 'WriterConfig'], ['ItemProcessor', 'ProcessorConfig'], ['Iterator', 'ProcessorConfig']];
const OBJECT_LISTS: Record<string, string> = { Retry: 'retriers', Catch: 'catchers', Choices: 'rules', Branches: 'state machines' };
const MAX_RETRY_SECONDS = 99_999_999;

/** A state's integer fields and the least each may be. */
const STATE_INTEGERS: Record<string, number> = { Seconds: 0, TimeoutSeconds: 1, HeartbeatSeconds: 1, MaxConcurrency: 0, ToleratedFailureCount: 0 };

/** A retrier's integer fields and their ranges. */
const RETRIER_INTEGERS: Record<string, [number, number]> = {
  IntervalSeconds: [1, MAX_RETRY_SECONDS],
  MaxAttempts: [0, MAX_RETRY_SECONDS],
  MaxDelaySeconds: [1, 31_622_401],
};

function refusal(state: string, field: string, what: string): DefinitionError {
  return new DefinitionError(`state '${state}', field '${field}': must be ${what}.`);
}

function isPath(field: string, value: unknown): boolean {
  return value === undefined || typeof value === 'string' || (value === null && NULLABLE_PATHS.has(field));
}

/** Throws DefinitionError naming the first field of the state (its language's fields only, checked before) whose type or range AWS refuses. */
export function checkFieldTypes(name: string, state: Json, jsonata: boolean): void {
  const refuse = (field: string, what: string) => refusal(name, field, what);
  if (state.End !== undefined && typeof state.End !== 'boolean') throw refuse('End', 'true or false');
  for (const field of PATHS) {
    if (!isPath(field, state[field])) throw refuse(field, NULLABLE_PATHS.has(field) ? 'a path (a string) or null' : 'a path (a string)');
  }
  for (const field of STRINGS) if (state[field] !== undefined && typeof state[field] !== 'string') throw refuse(field, 'a string');
  for (const path of OBJECTS) {
    const value = path.reduce<unknown>((holder, key) => (isObject(holder) ? holder[key] : undefined), state);
    if (value !== undefined && !isObject(value)) throw refuse(path.join('.'), 'an object');
  }
  for (const [field, what] of Object.entries(OBJECT_LISTS)) {
    const list = state[field];
    if (list !== undefined && !(Array.isArray(list) && list.every(isObject))) throw refuse(field, `an array of ${what} (objects)`);
  }
  for (const [field, least] of Object.entries(STATE_INTEGERS)) {
    const value = state[field];
    if (value === undefined || (jsonata && isJsonataExpression(value))) continue;
    if (!Number.isInteger(value) || (value as number) < least) {
      throw refuse(field, `${least === 0 ? 'a non-negative' : 'a positive'} integer${jsonata ? ' or a JSONata expression' : ''}`);
    }
  }
  const timestamp = state.Timestamp;
  if (timestamp !== undefined && !(jsonata && isJsonataExpression(timestamp)) && parseTimestamp(timestamp) === undefined) {
    throw refuse('Timestamp', `an ISO-8601 extended offset date-time, such as 2026-01-31T12:00:00Z${jsonata ? ', or a JSONata expression' : ''}`);
  }
  const percentage = state.ToleratedFailurePercentage;
  if (percentage !== undefined && typeof percentage !== 'number' && !(jsonata && isJsonataExpression(percentage))) {
    throw refuse('ToleratedFailurePercentage', `a number${jsonata ? ' or a JSONata expression' : ''}`);
  }
  const assigns: [string, unknown][] = [['Assign', state.Assign]];
  for (const [index, catcher] of ((state.Catch ?? []) as Json[]).entries()) {
    if (!isPath('ResultPath', catcher.ResultPath)) throw refuse(`Catch[${index}].ResultPath`, 'a path (a string) or null');
    assigns.push([`Catch[${index}].Assign`, catcher.Assign]);
  }
  for (const [index, rule] of ((state.Choices ?? []) as Json[]).entries()) assigns.push([`Choices[${index}].Assign`, rule.Assign]);
  for (const [field, assign] of assigns) if (assign !== undefined && !isObject(assign)) throw refuse(field, 'an object');
  for (const [index, retrier] of ((state.Retry ?? []) as Json[]).entries()) checkRetrier(name, `Retry[${index}]`, retrier);
}

/** The top level's own fields: TimeoutSeconds is a positive integer, Comment and Version are strings. */
export function checkMachineFieldTypes(machine: Json): void {
  const refuse = (field: string, what: string) => new DefinitionError(`Top-level field '${field}': must be ${what}.`);
  const timeout = machine.TimeoutSeconds;
  if (timeout !== undefined && !(Number.isInteger(timeout) && (timeout as number) >= 1)) throw refuse('TimeoutSeconds', 'a positive integer');
  for (const field of ['Comment', 'Version']) if (machine[field] !== undefined && typeof machine[field] !== 'string') throw refuse(field, 'a string');
}

function checkRetrier(name: string, at: string, retrier: Json): void {
  for (const [field, [least, most]] of Object.entries(RETRIER_INTEGERS)) {
    const value = retrier[field];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= least && (value as number) <= most)) {
      throw refusal(name, `${at}.${field}`, `an integer from ${least} to ${most}`);
    }
  }
  const rate = retrier.BackoffRate;
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 1)) throw refusal(name, `${at}.BackoffRate`, 'a number of at least 1.0');
  const jitter = retrier.JitterStrategy;
  if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') throw refusal(name, `${at}.JitterStrategy`, 'FULL or NONE');
}

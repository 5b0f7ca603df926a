// EventBridge's event patterns ("Creating event patterns" in its user guide): every field the
// pattern names must match, a field's array of values matching when any one does: a value by
// equality, or a filter — prefix, suffix, equals-ignore-case, wildcard, anything-but, exists,
// numeric. An array in the event matches when any of its elements does.
import { matchesPattern as matchesGlob } from '../../engine/index.ts';
import { isObject } from '../../workflow/json.ts';
import { EmulatedServiceError } from './service-error.ts';

type Pattern = Record<string, unknown>;

const FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'exists', 'numeric']);
const NUMERIC = new Set(['=', '<', '<=', '>', '>=']);

const invalidPattern = (reason: string) => new EmulatedServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);

/** Parses and checks an EventPattern as PutRule does; throws InvalidEventPatternException. */
export function parseEventPattern(text: string): Pattern {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (error) {
    throw invalidPattern(`Filter is not an object: ${(error as Error).message}`);
  }
  if (!isObject(pattern) || Object.keys(pattern).length === 0) throw invalidPattern('Filter is not an object');
  checkPattern(pattern);
  return pattern;
}

function checkPattern(pattern: Pattern): void {
  for (const [field, rule] of Object.entries(pattern)) {
    if (isObject(rule)) {
      checkPattern(rule);
      continue;
    }
    if (!Array.isArray(rule) || rule.length === 0) throw invalidPattern(`Match value for "${field}" must be a non-empty array or an object`);
    for (const value of rule) {
      if (!isObject(value)) continue;
      const [name, argument] = Object.entries(value)[0] ?? [];
      if (Object.keys(value).length !== 1 || name === undefined || !FILTERS.has(name)) throw invalidPattern(`Unrecognized match type ${name ?? '{}'}`);
      if (name === 'numeric') checkNumeric(argument);
      if (name === 'exists' && typeof argument !== 'boolean') throw invalidPattern('exists match pattern must be either true or false.');
    }
  }
}

function checkNumeric(argument: unknown): void {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) throw invalidPattern('Value of numeric must be an array of operator and number pairs.');
  for (let i = 0; i < argument.length; i += 2) {
    if (!NUMERIC.has(argument[i] as string) || typeof argument[i + 1] !== 'number') throw invalidPattern('Value of numeric must be an array of operator and number pairs.');
  }
}


function numeric(conditions: unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    const holds = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[conditions[i] as string];
    if (!holds) return false;
  }
  return true;
}

/** Whether one scalar of the event matches one value of the pattern's array. */
function matchesValue(expected: unknown, value: unknown): boolean {
  if (!isObject(expected)) return expected === value;
  const [name, argument] = Object.entries(expected)[0]!;
  const isText = typeof value === 'string';
  switch (name) {
    case 'prefix':
      return isText && value.startsWith(String(argument));
    case 'suffix':
      return isText && value.endsWith(String(argument));
    case 'equals-ignore-case':
      return isText && value.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      // Step Functions' StringMatches glob (`*`, `\\*`): found piece by piece, it never backtracks as a RegExp of `.*`s would on a user's pattern.
      return isText && matchesGlob(value, String(argument));
    case 'numeric':
      return numeric(argument as unknown[], value);
    case 'anything-but': {
      if (value === undefined) return false;
      if (isObject(argument)) return !matchesValue(argument, value);
      return !(Array.isArray(argument) ? argument : [argument]).some((excluded) => matchesValue(excluded, value));
    }
    default:
      return false;
  }
}

/** Whether a field's values match the pattern's array: `exists` looks at presence, the rest at any value. */
function matchesField(rule: unknown[], value: unknown): boolean {
  return rule.some((expected) => {
    if (isObject(expected) && 'exists' in expected) return expected.exists === (value !== undefined);
    const values = Array.isArray(value) ? value : [value];
    return values.some((one) => matchesValue(expected, one));
  });
}

/** Whether the event (as EventBridge delivers it: source, detail-type, detail, …) matches the pattern. */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  const object = isObject(event) ? event : {};
  return Object.entries(pattern).every(([field, rule]) => (isObject(rule) ? matchesPattern(rule, object[field]) : matchesField(rule as unknown[], object[field])));
}

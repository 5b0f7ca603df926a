// Payload templates of JSONPath mode (Parameters, ResultSelector, ItemSelector, Assign): keys
// ending in `.$` take the value of a path or an intrinsic call, every other value is copied.
import { StatesError } from '../errors.ts';
import { InvalidIntrinsic, isIntrinsic } from './intrinsic-parser.ts';
import { checkIntrinsic, evaluateIntrinsic } from './intrinsics.ts';
import { PathNotFound } from './path.ts';
import { InvalidPath } from './path-text.ts';
import { checkReference, pathFailure, readReference } from './reference.ts';
import type { PathScope } from './scope.ts';
import { rememberedByText } from '../memo.ts';

const DYNAMIC_SUFFIX = '.$';

/**
 * Resolves one expression: a path (`$…`, `$$…`, `$name…`) or an intrinsic call. `field` names
 * the field that holds it (`InputPath`, `x.$` …) in the error's cause.
 */
export function resolveValue(expression: string, scope: PathScope, field: string): unknown {
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, scope, field);
  try {
    return readReference(expression, scope);
  } catch (error) {
    if (error instanceof PathNotFound) throw pathFailure(error, scope, field);
    if (error instanceof InvalidPath) {
      throw new StatesError('States.Runtime', `The value for the field '${field}' must be a valid JSONPath: ${error.message}`);
    }
    throw error;
  }
}

/** A payload template or expression that AWS would refuse when the state machine is created. */
export class InvalidPayloadTemplate extends Error {
  override name = 'InvalidPayloadTemplate';
}

/**
 * Checks an expression (a path or an intrinsic call) before anything runs; `field` names it in
 * the error.
 */
export function checkExpression(expression: unknown, field: string): void {
  if (typeof expression !== 'string') throw new InvalidPayloadTemplate(`The value of '${field}' must be a JSONPath or an intrinsic function`);
  try {
    if (isIntrinsic(expression)) checkIntrinsic(expression);
    else checkReference(expression);
  } catch (error) {
    if (error instanceof InvalidPath || error instanceof InvalidIntrinsic) {
      throw new InvalidPayloadTemplate(`The value of '${field}' is not valid: ${error.message}`);
    }
    throw error;
  }
}

/** Checks every `.$` field of a payload template before anything runs. */
export function checkPayloadTemplate(template: unknown): void {
  if (Array.isArray(template)) {
    template.forEach(checkPayloadTemplate);
  } else if (typeof template === 'object' && template !== null) {
    for (const [key, value] of Object.entries(template)) {
      if (key.endsWith(DYNAMIC_SUFFIX)) checkExpression(value, key);
      else checkPayloadTemplate(value);
    }
  }
}

// A `.$` key's output name (`List.$` → `List`), made once per key: a name cut anew at each
// evaluation would be a new string for every object the template builds.
const MAX_OUTPUT_NAMES = 10_000;
const outputName = rememberedByText((key) => key.slice(0, -DYNAMIC_SUFFIX.length), MAX_OUTPUT_NAMES);

/** Evaluates a payload template against the scope; `field` names the template (e.g. `Parameters`). */
export function evaluatePayloadTemplate(template: unknown, scope: PathScope, field: string): unknown {
  if (Array.isArray(template)) return template.map((item) => evaluatePayloadTemplate(item, scope, field));
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  const fields = template as Record<string, unknown>;
  // By index: a Task's Parameters are evaluated at every call, mostly before V8 has optimized
  // this, and there a for...of allocates an iterator and a result object per key.
  const keys = Object.keys(fields);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const value = fields[key];
    let name = key;
    let resolved: unknown;
    if (key.endsWith(DYNAMIC_SUFFIX)) {
      if (typeof value !== 'string') {
        throw new StatesError('States.Runtime', `The value for the field '${key}' must be a STRING that contains a JSONPath or an intrinsic function`);
      }
      name = outputName(key);
      resolved = resolveValue(value, scope, key);
    } else {
      resolved = evaluatePayloadTemplate(value, scope, key);
    }
    if (name === '__proto__') {
      Object.defineProperty(out, name, { value: resolved, writable: true, enumerable: true, configurable: true });
    } else {
      out[name] = resolved;
    }
  }
  return out;
}

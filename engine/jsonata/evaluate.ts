// JSONata expressions as Step Functions evaluates them: a field value that is exactly `{% … %}`,
// evaluated with no context item, `$states` and the workflow variables bound, the functions AWS
// adds, and every failure reported as States.QueryEvaluationError naming the expression and field.
// Regular expressions are matched by RE2 (linear time), and each evaluation runs under a budget
// (budget.ts) that also ends it when the execution is interrupted.

import type jsonata from 'jsonata';
import { StatesError } from '../errors.ts';
import { LinearRegExp } from '../patterns.ts';
import { DEFAULT_LIMITS, EvaluationBudget, type EvaluationLimits } from './budget.ts';
import { stepFunctionsBindings, registerStepFunctionsFunctions } from './functions.ts';
import { isObject } from '../json.ts';
import { jsonata as jsonataLibrary } from './library.ts';

export interface JsonataScope {
  states: { input: unknown; context: unknown; result?: unknown; errorOutput?: unknown };
  variables: Readonly<Record<string, unknown>>;
  /** Abort the evaluation with their reason: the execution's interruption, a branch's cancellation. */
  signals?: readonly AbortSignal[];
  limits?: EvaluationLimits;
}

export const QUERY_EVALUATION_ERROR = 'States.QueryEvaluationError';

const OPEN = '{%';
const CLOSE = '%}';

/** A string that is exactly one `{% … %}` expression; anything else is a literal value. */
export function isJsonataExpression(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= OPEN.length + CLOSE.length &&
    value.startsWith(OPEN) &&
    value.endsWith(CLOSE)
  );
}

/** The expression text without its `{% %}`, trimmed, as AWS quotes it in a cause. */
export function expressionText(value: string): string {
  const inner = isJsonataExpression(value) ? value.slice(OPEN.length, value.length - CLOSE.length) : value;
  return inner.trim();
}

const compiled = new Map<string, jsonata.Expression>();

// JSONata calls the function bound under this symbol before evaluating each node.
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');

// The budget of each evaluation in progress, by the `$states` object bound for it alone: the
// hook is bound once per compiled expression, which concurrent evaluations share.
const budgets = new WeakMap<object, EvaluationBudget>();

interface JsonataEnvironment {
  base: { depth: number; lookup(name: string): unknown };
}

// The evaluation whose node was entered last, and its budget: an evaluation's nodes come one after
// another, mostly without another's in between, and finding its budget costs more than its check.
let lastBase: JsonataEnvironment['base'] | undefined;
let lastBudget: EvaluationBudget | undefined;

function enterNode(_node: unknown, _input: unknown, environment: JsonataEnvironment): Promise<void> | undefined {
  const { base } = environment;
  if (base !== lastBase) {
    lastBase = base;
    lastBudget = budgets.get(base.lookup('states') as object);
  }
  return lastBudget?.enter(base.depth);
}

/** Parses (once per text) an expression; a syntax error is thrown as JSONata's own error. */
function compile(text: string): jsonata.Expression {
  let expression = compiled.get(text);
  if (expression === undefined) {
    expression = jsonataLibrary()(text, { RegexEngine: LinearRegExp as unknown as RegExpConstructor });
    registerStepFunctionsFunctions(expression);
    expression.assign(ENTRY_HOOK as unknown as string, enterNode);
    compiled.set(text, expression);
  }
  return expression;
}

/**
 * Evaluates one `{% … %}` string (or bare expression text) for `field` (AWS's location, e.g.
 * `Output/a/b[0]`, `Assign/x`, `Items`). A result of nothing is an error, as on AWS.
 */
export async function evaluateJsonata(expression: string, scope: JsonataScope, field: string): Promise<unknown> {
  const text = expressionText(expression);
  const bindings = bindingsOf(scope);
  const budget = new EvaluationBudget(scope.limits ?? DEFAULT_LIMITS, scope.signals ?? []);
  budgets.set(bindings.states as object, budget);
  let result: unknown;
  try {
    result = await compile(text).evaluate(undefined, bindings);
  } catch (error) {
    if (budget.isInterruption(error)) throw error;
    throw evaluationFailure(text, field, error);
  } finally {
    // The last evaluation's frame holds its bindings ($states.input, the variables): not past its end.
    if (lastBudget === budget) lastBase = lastBudget = undefined;
  }
  if (result === undefined) {
    throw new StatesError(
      QUERY_EVALUATION_ERROR,
      `The JSONata expression '${text}' specified for the field '${field}' returned nothing (undefined).`,
    );
  }
  return toJson(result, text, field);
}

/**
 * Walks objects and arrays, evaluating every `{% … %}` string; other values are kept as they are.
 * Fields are named as AWS names them: `/key` for an object key, `[i]` for an array index.
 */
export async function resolveJsonataTemplate(value: unknown, scope: JsonataScope, field: string): Promise<unknown> {
  if (isJsonataExpression(value)) return evaluateJsonata(value, scope, field);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [index, item] of value.entries()) {
      items.push(await resolveJsonataTemplate(item, scope, `${field}[${index}]`));
    }
    return items;
  }
  if (isObject(value)) {
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      resolved[key] = await resolveJsonataTemplate(item, scope, `${field}/${key}`);
    }
    return resolved;
  }
  return value;
}

/** The cause AWS gives when an expression's result has the wrong type for its field. */
export function unexpectedResultType(expression: string, field: string, expected: string, value: unknown): StatesError {
  const text = expressionText(expression);
  return new StatesError(
    QUERY_EVALUATION_ERROR,
    `The JSONata expression '${text}' specified for the field '${field}' returned an unexpected result type. ` +
      `Expected '${expected}', but was '${jsonType(value)}' for value: ${JSON.stringify(value)}`,
  );
}

/** JSONata's type names, as AWS uses them in its causes. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function bindingsOf(scope: JsonataScope): Record<string, unknown> {
  const states: Record<string, unknown> = { input: scope.states.input, context: scope.states.context };
  if (scope.states.result !== undefined) states.result = scope.states.result;
  if (scope.states.errorOutput !== undefined) states.errorOutput = scope.states.errorOutput;
  return { ...stepFunctionsBindings, ...scope.variables, states };
}

function evaluationFailure(text: string, field: string, error: unknown): StatesError {
  const message = describe(error);
  // A coded JSONata error is a sentence of its own; a bare message continues AWS's sentence.
  const separator = /^[A-Z]\d{4}: /.test(message) ? '. ' : ': ';
  return new StatesError(
    QUERY_EVALUATION_ERROR,
    `The JSONata expression '${text}' specified for the field '${field}' threw an error during evaluation${separator}${message}`,
  );
}

function describe(error: unknown): string {
  if (isObject(error)) {
    const message = typeof error.message === 'string' ? error.message : String(error);
    return typeof error.code === 'string' ? `${error.code}: ${message}` : message;
  }
  return String(error);
}

/**
 * JSONata's result as plain JSON: sequences become plain arrays, undefined members are dropped (as
 * JSON drops them), and non-finite numbers are the strings AWS writes. A part that needs no change
 * is returned as it is, so a value passed through (`$states.input`) is not copied.
 */
function toJson(value: unknown, text: string, field: string): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (isFunction(value)) {
    throw new StatesError(
      QUERY_EVALUATION_ERROR,
      `The JSONata expression '${text}' specified for the field '${field}' returned an unsupported result type.`,
    );
  }
  if (Array.isArray(value)) {
    // JSONata marks its sequences with own properties (`sequence`, `keepSingleton`): copy those.
    let items: unknown[] | undefined = Object.getOwnPropertyNames(value).length === value.length + 1 ? undefined : [];
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const json = item === undefined ? undefined : toJson(item, text, field);
      if (items === undefined && json !== item) items = value.slice(0, index);
      if (items !== undefined && json !== undefined) items.push(json);
    }
    return items ?? value;
  }
  if (isObject(value)) {
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(value);
    // By index: an entries() iterator would allocate a pair per key where V8 has not optimized this yet.
    for (let position = 0; position < keys.length; position++) {
      const key = keys[position]!;
      const item = value[key];
      const json = item === undefined || isFunction(item) ? undefined : toJson(item, text, field);
      if (copy === undefined && json !== item) {
        copy = {};
        for (let kept = 0; kept < position; kept++) copy[keys[kept]!] = value[keys[kept]!];
      }
      if (copy !== undefined && json !== undefined) copy[key] = json;
    }
    return copy ?? value;
  }
  return value;
}

/** A JavaScript function, or a JSONata lambda or function object, which JSON cannot hold. */
function isFunction(value: unknown): boolean {
  return typeof value === 'function' || (isObject(value) && (value._jsonata_lambda === true || value._jsonata_function === true));
}


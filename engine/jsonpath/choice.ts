// Choice rules of JSONPath mode: every comparison operator and its `…Path` form, the Is* tests,
// And/Or/Not. A value of the wrong type makes a comparison false, as on AWS; a Variable that
// matches nothing is a States.Runtime error for every operator but IsPresent (which is then false).
import { StatesError } from '../errors.ts';
import { PathNotFound } from './path.ts';
import { InvalidPath } from './path-text.ts';
import { checkReference, readReference } from './reference.ts';
import type { PathScope } from './scope.ts';

/** A Choice rule that is not well formed (no operator, a bad operand, a path that does not parse). */
export class InvalidChoiceRule extends Error {
  override name = 'InvalidChoiceRule';
}

type Kind = 'String' | 'Numeric' | 'Timestamp' | 'Boolean';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const KINDS: readonly Kind[] = ['String', 'Numeric', 'Timestamp', 'Boolean'];
const RELATIONS: readonly Relation[] = ['GreaterThanEquals', 'LessThanEquals', 'GreaterThan', 'LessThan', 'Equals'];
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;
type TypeTest = (typeof TYPE_TESTS)[number];

/** The comparison operators, with their `…Path` forms, e.g. `NumericLessThanEqualsPath`. */
interface Comparison {
  kind: Kind;
  relation: Relation;
  path: boolean;
}

function comparisonOperators(): ReadonlyMap<string, Comparison> {
  const operators = new Map<string, Comparison>();
  for (const kind of KINDS) {
    for (const relation of RELATIONS) {
      if (kind === 'Boolean' && relation !== 'Equals') continue;
      operators.set(`${kind}${relation}`, { kind, relation, path: false });
      operators.set(`${kind}${relation}Path`, { kind, relation, path: true });
    }
  }
  return operators;
}

const COMPARISONS = comparisonOperators();

/** RFC 3339 date-time as Step Functions accepts it: upper-case `T`, a `Z` or an offset. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Nanoseconds since the epoch of a timestamp string, or undefined when it is not one. Kept
 * exact (a bigint), so that fractions finer than a millisecond still compare.
 */
export function parseTimestamp(value: unknown): bigint | undefined {
  const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (match === null) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (match[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

const OPERAND_CHECKS: Readonly<Record<Kind, (value: unknown) => boolean>> = {
  String: (value) => typeof value === 'string',
  Numeric: (value) => typeof value === 'number',
  Boolean: (value) => typeof value === 'boolean',
  Timestamp: (value) => parseTimestamp(value) !== undefined,
};

function checkPath(path: unknown, field: string): void {
  if (typeof path !== 'string') throw new InvalidChoiceRule(`${field} must be a JSONPath string`);
  try {
    checkReference(path);
  } catch (error) {
    if (error instanceof InvalidPath) throw new InvalidChoiceRule(`${field} '${path}' is not a valid JSONPath: ${error.message}`);
    throw error;
  }
}

/**
 * Checks a rule before anything runs, as AWS does when the state machine is created: And/Or
 * lists, Not, or a Variable with exactly one operator whose operand has the operator's type.
 */
export function checkChoiceRule(rule: unknown): void {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new InvalidChoiceRule('A Choice rule must be an object');
  const fields = rule as Record<string, unknown>;
  for (const key of ['And', 'Or'] as const) {
    if (!(key in fields)) continue;
    const rules = fields[key];
    if (!Array.isArray(rules) || rules.length === 0) throw new InvalidChoiceRule(`${key} must be a non-empty list of rules`);
    rules.forEach(checkChoiceRule);
    return;
  }
  if ('Not' in fields) {
    checkChoiceRule(fields.Not);
    return;
  }
  checkPath(fields.Variable, 'Variable');
  const operators = Object.keys(fields).filter(
    (key) => COMPARISONS.has(key) || key === 'StringMatches' || (TYPE_TESTS as readonly string[]).includes(key),
  );
  if (operators.length !== 1) {
    throw new InvalidChoiceRule(`The Choice rule on '${String(fields.Variable)}' must name exactly one operator, not ${operators.length}`);
  }
  const operator = operators[0]!;
  const operand = fields[operator];
  const comparison = COMPARISONS.get(operator);
  if (comparison?.path) {
    checkPath(operand, operator);
    return;
  }
  const valid =
    comparison !== undefined
      ? OPERAND_CHECKS[comparison.kind](operand)
      : operator === 'StringMatches'
        ? typeof operand === 'string'
        : typeof operand === 'boolean';
  if (!valid) throw new InvalidChoiceRule(`The value of ${operator} is not of the type the operator compares: ${JSON.stringify(operand)}`);
}

/**
 * Whether the rule holds for the scope. A rule that is not well formed (which checkChoiceRule
 * refuses before running) fails as States.Runtime.
 */
export function evaluateChoiceRule(rule: Record<string, unknown>, scope: PathScope): boolean {
  try {
    return holds(rule, scope);
  } catch (error) {
    if (error instanceof InvalidChoiceRule || error instanceof InvalidPath) throw new StatesError('States.Runtime', error.message);
    throw error;
  }
}

function holds(rule: Record<string, unknown>, scope: PathScope): boolean {
  if (Array.isArray(rule.And)) return rule.And.every((r: Record<string, unknown>) => holds(r, scope));
  if (Array.isArray(rule.Or)) return rule.Or.some((r: Record<string, unknown>) => holds(r, scope));
  if (typeof rule.Not === 'object' && rule.Not !== null) return !holds(rule.Not as Record<string, unknown>, scope);
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw new InvalidChoiceRule('A Choice rule needs And, Or, Not or a Variable');

  const test = TYPE_TESTS.find((t) => t in rule);
  if (test !== undefined) return typeTest(test, rule[test], variable, scope);

  if ('StringMatches' in rule) {
    const value = readVariable(variable, scope);
    const pattern = rule.StringMatches;
    return typeof value === 'string' && typeof pattern === 'string' && matchesPattern(value, pattern);
  }
  const operator = Object.keys(rule).find((key) => COMPARISONS.has(key));
  if (operator === undefined) throw new InvalidChoiceRule(`The Choice rule on '${variable}' names no comparison operator`);
  const { kind, relation, path } = COMPARISONS.get(operator)!;
  const left = readVariable(variable, scope);
  const right = path ? readOperandPath(rule[operator], operator, scope) : rule[operator];
  return compare(kind, relation, left, right);
}

/** Reads a path of the rule (its Variable, or the operand of a …Path operator). */
function readVariable(path: string, scope: PathScope): unknown {
  try {
    return readReference(path, scope);
  } catch (error) {
    if (error instanceof PathNotFound) {
      throw new StatesError('States.Runtime', `Invalid path '${path}': The choice state's condition path references an invalid value.`);
    }
    throw error;
  }
}

function readOperandPath(path: unknown, operator: string, scope: PathScope): unknown {
  if (typeof path !== 'string') throw new InvalidChoiceRule(`The value of ${operator} must be a path`);
  return readVariable(path, scope);
}

const TYPE_CHECKS: Readonly<Record<Exclude<TypeTest, 'IsPresent'>, (value: unknown) => boolean>> = {
  IsNull: (value) => value === null,
  IsNumeric: (value) => typeof value === 'number',
  IsString: (value) => typeof value === 'string',
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: (value) => parseTimestamp(value) !== undefined,
};

function typeTest(test: TypeTest, expected: unknown, variable: string, scope: PathScope): boolean {
  if (test === 'IsPresent') return isPresent(variable, scope) === (expected === true);
  return TYPE_CHECKS[test](readVariable(variable, scope)) === (expected === true);
}

function isPresent(variable: string, scope: PathScope): boolean {
  try {
    readReference(variable, scope);
    return true;
  } catch (error) {
    if (error instanceof PathNotFound) return false;
    throw error;
  }
}

function relate(relation: Relation, order: number): boolean {
  switch (relation) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

function compare(kind: Kind, relation: Relation, left: unknown, right: unknown): boolean {
  switch (kind) {
    case 'String':
      if (typeof left !== 'string' || typeof right !== 'string') return false;
      return relate(relation, left < right ? -1 : left > right ? 1 : 0);
    case 'Numeric':
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      return relate(relation, left - right);
    case 'Boolean':
      return typeof left === 'boolean' && typeof right === 'boolean' && left === right;
    case 'Timestamp': {
      const l = parseTimestamp(left);
      const r = parseTimestamp(right);
      if (l === undefined || r === undefined) return false;
      return relate(relation, l < r ? -1 : l > r ? 1 : 0);
    }
  }
}

/**
 * Whether `value` matches a StringMatches pattern: `*` is any run of characters, `\*` and `\\` are
 * a literal `*` and `\`. The literal pieces between the stars are found left to right, each at
 * its first place (the earliest leaves the most room for the rest), so the match never
 * backtracks: at most one pass over `value` per piece.
 */
export function matchesPattern(value: string, pattern: string): boolean {
  const pieces = globPieces(pattern);
  const first = pieces[0]!;
  if (pieces.length === 1) return value === first;
  const last = pieces.at(-1)!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let from = first.length;
  const end = value.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const at = value.indexOf(piece, from);
    if (at === -1 || at + piece.length > end) return false;
    from = at + piece.length;
  }
  return true;
}

/** The literal pieces of a pattern around its unescaped stars: one more piece than stars. */
function globPieces(pattern: string): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    const next = pattern[i + 1];
    if (c === '\\' && (next === '*' || next === '\\')) {
      piece += next;
      i += 1;
    } else if (c === '*') {
      pieces.push(piece);
      piece = '';
    } else {
      piece += c;
    }
  }
  pieces.push(piece);
  return pieces;
}

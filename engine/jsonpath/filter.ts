// JSONPath filter expressions, `[?(@.a == 1 && @.b)]`, as Jayway JsonPath evaluates them:
// comparisons (==, !=, <, <=, >, >=, =~, in, nin), existence tests, !, && and ||, parentheses.
import { compilePattern, isPattern, matchesWhole, type Pattern } from '../patterns.ts';
import { InvalidPath, readQuoted } from './path-text.ts';

type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; relative: boolean; path: string }
  | { kind: 'regex'; pattern: Pattern };

type Comparator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | 'in' | 'nin';

export type FilterExpression =
  | { kind: 'or' | 'and'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'exists'; operand: Operand }
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand };

const COMPARATORS: readonly Comparator[] = ['==', '!=', '<=', '>=', '=~', '<', '>', 'nin', 'in'];

/** Parses the text of a filter, `(…)` without the leading `?`; `path` names the whole path in errors. */
export function parseFilter(text: string, path: string): FilterExpression {
  const parser = new FilterParser(text, path);
  const expression = parser.parseOr();
  parser.expectEnd();
  return expression;
}

class FilterParser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  private fail(reason: string): never {
    throw new InvalidPath(this.path, `${reason} in filter ${this.text}`);
  }

  private skip(): void {
    while (this.text[this.i] === ' ') this.i += 1;
  }

  private take(token: string): boolean {
    this.skip();
    if (this.text.startsWith(token, this.i)) {
      this.i += token.length;
      return true;
    }
    return false;
  }

  expectEnd(): void {
    this.skip();
    if (this.i !== this.text.length) this.fail(`unexpected '${this.text.slice(this.i)}'`);
  }

  parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.take('||')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.take('&&')) left = { kind: 'and', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): FilterExpression {
    if (this.take('!')) return { kind: 'not', operand: this.parseUnary() };
    if (this.take('(')) {
      const inner = this.parseOr();
      if (!this.take(')')) this.fail("missing ')'");
      return inner;
    }
    const left = this.parseOperand();
    this.skip();
    const op = COMPARATORS.find((c) => this.text.startsWith(c, this.i));
    if (op === undefined) return { kind: 'exists', operand: left };
    this.i += op.length;
    return { kind: 'compare', op, left, right: this.parseOperand() };
  }

  private parseOperand(): Operand {
    this.skip();
    const c = this.text[this.i];
    if (c === '@' || c === '$') {
      const start = this.i;
      this.i += 1;
      let depth = 0;
      while (this.i < this.text.length) {
        const d = this.text[this.i]!;
        if (d === "'" || d === '"') {
          this.i = readQuoted(this.text, this.i)[1];
          continue;
        }
        if (d === '[') depth += 1;
        else if (d === ']') depth -= 1;
        else if (depth === 0 && ' =!<>&|)'.includes(d)) break;
        this.i += 1;
      }
      const raw = this.text.slice(start, this.i);
      return { kind: 'path', relative: c === '@', path: `$${raw.slice(1)}` };
    }
    if (c === "'" || c === '"') {
      const [value, next] = readQuoted(this.text, this.i);
      this.i = next;
      return { kind: 'literal', value };
    }
    if (c === '/') {
      const end = this.text.indexOf('/', this.i + 1);
      if (end === -1) this.fail('unterminated regular expression');
      const flags = /^[a-z]*/.exec(this.text.slice(end + 1))![0];
      const source = this.text.slice(this.i + 1, end);
      try {
        // JavaScript's parser tells a malformed pattern (a path error); RE2 matches it, in linear time.
        new RegExp(source, flags.replace(/[^ims]/g, ''));
      } catch (error) {
        return this.fail(`invalid regular expression (${(error as Error).message})`);
      }
      const pattern = compilePattern(source, { ignoreCase: flags.includes('i'), multiline: flags.includes('m'), dotAll: flags.includes('s') });
      this.i = end + 1 + flags.length;
      return { kind: 'regex', pattern };
    }
    if (c === '[' || c === '{') {
      const value = this.readJson(c === '[' ? ']' : '}');
      return { kind: 'literal', value };
    }
    const word = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.i));
    if (word === null) this.fail(`unexpected '${this.text.slice(this.i)}'`);
    this.i += word[0].length;
    return { kind: 'literal', value: JSON.parse(word[0]) };
  }

  /** A JSON array or object literal; single-quoted strings are accepted, as Jayway does. */
  private readJson(close: string): unknown {
    const open = this.text[this.i];
    let depth = 0;
    const start = this.i;
    for (; this.i < this.text.length; this.i += 1) {
      const d = this.text[this.i];
      if (d === "'" || d === '"') this.i = readQuoted(this.text, this.i)[1] - 1;
      else if (d === open) depth += 1;
      else if (d === close && (depth -= 1) === 0) break;
    }
    this.i += 1;
    const raw = this.text.slice(start, this.i).replace(/'((?:[^'\\]|\\.)*)'/g, (_m, s: string) => JSON.stringify(s.replace(/\\(.)/g, '$1')));
    try {
      return JSON.parse(raw);
    } catch {
      return this.fail(`invalid literal ${raw}`);
    }
  }
}

const ABSENT = Symbol('absent');

/** How a filter reads the paths it compares (path.ts hands in its reader: a path may hold a filter). */
export interface PathReader {
  read(path: string, data: unknown): unknown;
  /** Whether a path names one value rather than a list of matches. */
  definite(path: string): boolean;
}

function resolve(operand: Operand, item: unknown, root: unknown, paths: PathReader): unknown {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'regex') return operand.pattern;
  try {
    return paths.read(operand.path, operand.relative ? item : root);
  } catch (error) {
    if (error instanceof Error && error.name === 'PathNotFound') return ABSENT;
    throw error;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Jayway's ==: a number and a string are equal when the string is that number's text. */
function equal(left: unknown, right: unknown): boolean {
  if (typeof left === 'number' && typeof right === 'string') return right.trim() !== '' && Number(right) === left;
  if (typeof left === 'string' && typeof right === 'number') return left.trim() !== '' && Number(left) === right;
  return deepEqual(left, right);
}

function compare(op: Comparator, left: unknown, right: unknown): boolean {
  if (left === ABSENT || right === ABSENT) return op === '!=' && left !== right;
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '=~':
      // Jayway matches the whole string (Java's Matcher.matches), not a substring.
      return typeof left === 'string' && isPattern(right) && matchesWhole(right, left);
    case 'in':
      return Array.isArray(right) && right.some((r) => equal(left, r));
    case 'nin':
      return Array.isArray(right) && !right.some((r) => equal(left, r));
    default: {
      const comparable =
        (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
      if (!comparable) return false;
      const l = left as number | string;
      const r = right as number | string;
      if (op === '<') return l < r;
      if (op === '<=') return l <= r;
      if (op === '>') return l > r;
      return l >= r;
    }
  }
}

/** Whether `item` (the `@` of the filter) passes; `root` is the document `$` refers to. */
export function testFilter(expression: FilterExpression, item: unknown, root: unknown, paths: PathReader): boolean {
  switch (expression.kind) {
    case 'or':
      return testFilter(expression.left, item, root, paths) || testFilter(expression.right, item, root, paths);
    case 'and':
      return testFilter(expression.left, item, root, paths) && testFilter(expression.right, item, root, paths);
    case 'not':
      return !testFilter(expression.operand, item, root, paths);
    case 'exists': {
      const value = resolve(expression.operand, item, root, paths);
      if (value === ABSENT) return false;
      if (expression.operand.kind === 'literal') return value !== false && value !== null;
      if (expression.operand.kind !== 'path') return true;
      // An indefinite path exists when it matched something.
      return paths.definite(expression.operand.path) || (value as unknown[]).length > 0;
    }
    case 'compare':
      return compare(expression.op, resolve(expression.left, item, root, paths), resolve(expression.right, item, root, paths));
  }
}

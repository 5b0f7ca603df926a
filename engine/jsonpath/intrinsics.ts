// The intrinsic functions of JSONPath mode (`States.Format(…)`, `States.ArrayRange(…)` …): a parser
// for calls (nested calls, quoted strings with escapes, numbers, booleans, null, paths) and each
// function with Step Functions' semantics. Parsed calls are cached by their text.
import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from '../errors.ts';
import { PathNotFound } from './path.ts';
import { pathFailure, readReference } from './reference.ts';
import type { PathScope } from './scope.ts';

type Argument =
  | { kind: 'literal'; value: unknown }
  /** A quoted string; `raw` keeps `\{` and `\}` so that States.Format can tell them from `{}`. */
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: Call };

interface Call {
  name: string;
  args: Argument[];
}

/** An intrinsic call that does not parse. */
export class InvalidIntrinsic extends Error {
  override name = 'InvalidIntrinsic';

  constructor(text: string, reason: string) {
    super(`Invalid intrinsic function '${text}': ${reason}`);
  }
}

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(text: string): boolean {
  return text.startsWith('States.');
}

const cache = new Map<string, Call>();

/** Parses an intrinsic call, cached by its text. */
export function parseIntrinsic(text: string): Call {
  let call = cache.get(text);
  if (call === undefined) {
    const parser = new CallParser(text);
    call = parser.parseCall();
    parser.expectEnd();
    cache.set(text, call);
  }
  return call;
}

class CallParser {
  private i = 0;

  constructor(private readonly text: string) {}

  private fail(reason: string): never {
    throw new InvalidIntrinsic(this.text, reason);
  }

  private skip(): void {
    while (/\s/.test(this.text[this.i] ?? '')) this.i += 1;
  }

  expectEnd(): void {
    this.skip();
    if (this.i !== this.text.length) this.fail(`unexpected '${this.text.slice(this.i)}' after the call`);
  }

  parseCall(): Call {
    this.skip();
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.i));
    if (name === null) this.fail(`expected a States.* function at position ${this.i}`);
    this.i += name[0].length;
    this.skip();
    if (this.text[this.i] !== '(') this.fail(`expected '(' after ${name[0]}`);
    this.i += 1;
    const args: Argument[] = [];
    this.skip();
    if (this.text[this.i] === ')') {
      this.i += 1;
      return { name: name[0], args };
    }
    for (;;) {
      args.push(this.parseArgument());
      this.skip();
      const c = this.text[this.i];
      this.i += 1;
      if (c === ')') return { name: name[0], args };
      if (c !== ',') this.fail(`expected ',' or ')' at position ${this.i - 1}`);
    }
  }

  private parseArgument(): Argument {
    this.skip();
    const rest = this.text.slice(this.i);
    if (rest.startsWith("'")) return this.parseString();
    if (rest.startsWith('States.')) return { kind: 'call', call: this.parseCall() };
    if (rest.startsWith('$')) return { kind: 'path', path: this.readPath() };
    const word = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_.])/.exec(rest);
    if (word === null) this.fail(`unexpected argument at position ${this.i}`);
    this.i += word[0].length;
    return { kind: 'literal', value: JSON.parse(word[0]) };
  }

  /** A single-quoted string: `\'`, `\\`, `\{` and `\}` are escapes. */
  private parseString(): Argument {
    let value = '';
    let raw = '';
    this.i += 1;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail('unterminated string');
      if (c === "'") break;
      if (c === '\\') {
        const next = this.text[this.i + 1];
        if (next === undefined) this.fail('unterminated string');
        value += next;
        raw += next === '{' || next === '}' || next === '\\' ? `\\${next}` : next;
        this.i += 2;
        continue;
      }
      value += c;
      raw += c;
      this.i += 1;
    }
    this.i += 1;
    return { kind: 'string', value, raw };
  }

  /** A path argument runs to the next `,` or `)` outside brackets and quotes. */
  private readPath(): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === "'" || c === '"') {
        const close = this.text.indexOf(c, this.i + 1);
        if (close === -1) this.fail('unterminated quoted name in a path');
        this.i = close + 1;
        continue;
      }
      if (c === '[' || c === '(') depth += 1;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === ',' && depth === 0) break;
      this.i += 1;
    }
    return this.text.slice(start, this.i).trim();
  }
}

/** Evaluates an intrinsic call; `field` names the `.$` field that holds it, for error causes. */
export function evaluateIntrinsic(text: string, scope: PathScope, field: string): unknown {
  let call: Call;
  try {
    call = parseIntrinsic(text);
  } catch (error) {
    if (error instanceof InvalidIntrinsic) throw new StatesError('States.IntrinsicFailure', error.message);
    throw error;
  }
  return evaluateCall(call, scope, field);
}

function evaluateCall(call: Call, scope: PathScope, field: string): unknown {
  const fn = FUNCTIONS[call.name];
  if (fn === undefined) throw failure(call, `The function ${call.name} is not supported`);
  const values = call.args.map((arg) => evaluateArgument(arg, scope, field));
  return fn(values, call);
}

function evaluateArgument(arg: Argument, scope: PathScope, field: string): unknown {
  switch (arg.kind) {
    case 'literal':
    case 'string':
      return arg.value;
    case 'call':
      return evaluateCall(arg.call, scope, field);
    case 'path':
      try {
        return readReference(arg.path, scope);
      } catch (error) {
        if (error instanceof PathNotFound) throw pathFailure(error, scope, field);
        throw error;
      }
  }
}

function failure(call: Call, reason: string): StatesError {
  return new StatesError('States.IntrinsicFailure', `Invalid arguments in ${call.name}: ${reason}`);
}

type Implementation = (args: unknown[], call: Call) => unknown;

function expectCount(args: unknown[], call: Call, min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw failure(call, `expected ${expected} argument${max === 1 ? '' : 's'}, but got ${args.length}`);
  }
}

function expectString(value: unknown, call: Call, what: string): string {
  if (typeof value !== 'string') throw failure(call, `${what} must be a string, but got ${describe(value)}`);
  return value;
}

function expectArray(value: unknown, call: Call, what: string): unknown[] {
  if (!Array.isArray(value)) throw failure(call, `${what} must be an array, but got ${describe(value)}`);
  return value;
}

function expectNumber(value: unknown, call: Call, what: string): number {
  if (typeof value !== 'number') throw failure(call, `${what} must be a number, but got ${describe(value)}`);
  return value;
}

function expectInteger(value: unknown, call: Call, what: string): number {
  const n = expectNumber(value, call, what);
  if (!Number.isInteger(n)) throw failure(call, `${what} must be an integer, but got ${n}`);
  return n;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? 'nothing';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The largest input string the encoding and hashing functions take, per AWS's documentation. */
const MAX_STRING_INPUT = 10_000;
/** The largest array States.ArrayRange builds. */
const MAX_RANGE_ITEMS = 1000;
const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Format's rendering of a value, as the Java service prints it: `{a=1, b=[x, y]}` for objects. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function format(args: unknown[], call: Call): string {
  if (args.length === 0) throw failure(call, 'expected at least 1 argument, but got 0');
  const first = call.args[0]!;
  const template = first.kind === 'string' ? first.raw : expectString(args[0], call, 'the template');
  const values = args.slice(1);
  let out = '';
  let used = 0;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      out += template[i + 1];
      i += 1;
    } else if (c === '{' && template[i + 1] === '}') {
      if (used >= values.length) throw failure(call, 'the template has more {} placeholders than arguments');
      out += formatValue(values[used]);
      used += 1;
      i += 1;
    } else {
      out += c;
    }
  }
  if (used !== values.length) throw failure(call, 'the template has fewer {} placeholders than arguments');
  return out;
}

function stringToJson(args: unknown[], call: Call): unknown {
  expectCount(args, call, 1);
  const text = expectString(args[0], call, 'the argument');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw failure(call, `the string ${describe(text)} is not valid JSON`);
  }
}

function arrayRange(args: unknown[], call: Call): number[] {
  expectCount(args, call, 3);
  const [start, end, step] = args.map((a, i) => expectInteger(a, call, ['the start', 'the end', 'the step'][i]!));
  if (step === 0) throw failure(call, 'the step must not be 0');
  const count = Math.floor((end! - start!) / step!) + 1;
  if (count > MAX_RANGE_ITEMS) throw failure(call, `the range has ${count} items, more than ${MAX_RANGE_ITEMS}`);
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push(start! + i * step!);
  return out;
}

function mathRandom(args: unknown[], call: Call): number {
  expectCount(args, call, 2, 3);
  // Non-integer bounds are rounded to the nearest integer, as AWS documents.
  const start = Math.round(expectNumber(args[0], call, 'the start'));
  const end = Math.round(expectNumber(args[1], call, 'the end'));
  const random = args.length === 3 ? seededRandom(expectInteger(args[2], call, 'the seed')) : Math.random();
  return start + Math.floor(random * (end - start));
}

/** A deterministic number in [0, 1) for a seed (mulberry32): one seed, one result. */
function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const FUNCTIONS: Readonly<Record<string, Implementation>> = {
  'States.Format': format,
  'States.StringToJson': stringToJson,
  'States.JsonToString': (args, call) => {
    expectCount(args, call, 1);
    return JSON.stringify(args[0]) ?? 'null';
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args, call) => {
    expectCount(args, call, 2);
    const array = expectArray(args[0], call, 'the first argument');
    const size = expectInteger(args[1], call, 'the chunk size');
    if (size <= 0) throw failure(call, `the chunk size must be a positive integer, but got ${size}`);
    const out: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
    return out;
  },
  'States.ArrayContains': (args, call) => {
    expectCount(args, call, 2);
    return expectArray(args[0], call, 'the first argument').some((item) => deepEqual(item, args[1]));
  },
  'States.ArrayRange': arrayRange,
  'States.ArrayGetItem': (args, call) => {
    expectCount(args, call, 2);
    const array = expectArray(args[0], call, 'the first argument');
    const index = expectInteger(args[1], call, 'the index');
    if (index < 0 || index >= array.length) {
      throw failure(call, `the index ${index} is out of bounds for an array of ${array.length} items`);
    }
    return array[index];
  },
  'States.ArrayLength': (args, call) => {
    expectCount(args, call, 1);
    return expectArray(args[0], call, 'the argument').length;
  },
  'States.ArrayUnique': (args, call) => {
    expectCount(args, call, 1);
    const out: unknown[] = [];
    for (const item of expectArray(args[0], call, 'the argument')) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
    return out;
  },
  'States.Base64Encode': (args, call) => {
    expectCount(args, call, 1);
    const text = expectString(args[0], call, 'the argument');
    if (text.length > MAX_STRING_INPUT) throw failure(call, `the input is longer than ${MAX_STRING_INPUT} characters`);
    return Buffer.from(text, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args, call) => {
    expectCount(args, call, 1);
    const text = expectString(args[0], call, 'the argument');
    if (text.length > MAX_STRING_INPUT) throw failure(call, `the input is longer than ${MAX_STRING_INPUT} characters`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw failure(call, 'the input is not valid base64');
    return Buffer.from(text, 'base64').toString('utf8');
  },
  'States.Hash': (args, call) => {
    expectCount(args, call, 2);
    const data = expectString(args[0], call, 'the data');
    if (data.length > MAX_STRING_INPUT) throw failure(call, `the input is longer than ${MAX_STRING_INPUT} characters`);
    const algorithm = HASH_ALGORITHMS[expectString(args[1], call, 'the algorithm')];
    if (algorithm === undefined) {
      throw failure(call, `the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}, but got ${describe(args[1])}`);
    }
    return createHash(algorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, call) => {
    expectCount(args, call, 3);
    const [left, right, deep] = args;
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(left) || !isObject(right)) throw failure(call, 'the first two arguments must be JSON objects');
    if (deep !== false) throw failure(call, 'deep merging is not supported: the third argument must be false');
    return { ...left, ...right };
  },
  'States.MathRandom': mathRandom,
  'States.MathAdd': (args, call) => {
    expectCount(args, call, 2);
    // Non-integers are rounded to the nearest integer, halves upward, as Java's Math.round does.
    return Math.round(expectNumber(args[0], call, 'the first argument')) + Math.round(expectNumber(args[1], call, 'the second argument'));
  },
  'States.StringSplit': (args, call) => {
    expectCount(args, call, 2);
    const text = expectString(args[0], call, 'the first argument');
    const delimiters = new Set(expectString(args[1], call, 'the delimiter'));
    // Each character of the second argument is a delimiter; empty pieces are dropped.
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.has(c)) {
        if (current !== '') parts.push(current);
        current = '';
      } else {
        current += c;
      }
    }
    if (current !== '') parts.push(current);
    return parts;
  },
  'States.UUID': (args, call) => {
    expectCount(args, call, 0);
    return randomUUID();
  },
};

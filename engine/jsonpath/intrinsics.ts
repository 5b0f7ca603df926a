// The intrinsic functions of JSONPath mode (`States.Format(…)`, `States.ArrayRange(…)` …), each
// with the semantics AWS shows, evaluated over a parsed call.
import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from '../errors.ts';
import { nestingMessage, tooDeep } from '../payload.ts';
import { type Argument, type Call, InvalidIntrinsic, parseIntrinsic } from './intrinsic-parser.ts';
import { PathNotFound } from './path.ts';
import { InvalidPath } from './path-text.ts';
import { checkReference, pathFailure, readReference } from './reference.ts';
import type { PathScope } from './scope.ts';
import { isObject } from '../json.ts';

/**
 * AWS fails a call with bad arguments as States.Runtime (not States.IntrinsicFailure, which its
 * executions do not show), with the cause "Invalid arguments in States.X".
 */
const INTRINSIC_ERROR = 'States.Runtime';

/** Evaluates an intrinsic call; `field` names the `.$` field that holds it, for error causes. */
export function evaluateIntrinsic(text: string, scope: PathScope, field: string): unknown {
  let call: Call;
  try {
    call = parseIntrinsic(text);
  } catch (error) {
    if (error instanceof InvalidIntrinsic) throw new StatesError(INTRINSIC_ERROR, error.message);
    throw error;
  }
  return evaluateCall(call, scope, field);
}

/**
 * Checks an intrinsic call before anything runs: it parses, names functions that exist, and
 * its path arguments parse. Throws InvalidIntrinsic or InvalidPath.
 */
export function checkIntrinsic(text: string): void {
  const check = (call: Call): void => {
    if (FUNCTIONS[call.name] === undefined) throw new InvalidIntrinsic(text, `${call.name} is not an intrinsic function`);
    for (const arg of call.args) {
      if (arg.kind === 'call') check(arg.call);
      else if (arg.kind === 'path') checkReference(arg.path);
    }
  };
  check(parseIntrinsic(text));
}

function evaluateCall(call: Call, scope: PathScope, field: string): unknown {
  const fn = FUNCTIONS[call.name];
  if (fn === undefined) throw new StatesError(INTRINSIC_ERROR, `The intrinsic function ${call.name} is not supported`);
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
        if (error instanceof InvalidPath) throw new StatesError(INTRINSIC_ERROR, error.message);
        throw error;
      }
  }
}

function failure(call: Call): StatesError {
  return new StatesError(INTRINSIC_ERROR, `Invalid arguments in ${call.name}`);
}

type Implementation = (args: unknown[], call: Call) => unknown;

function expectCount(args: unknown[], call: Call, min: number, max = min): void {
  if (args.length < min || args.length > max) throw failure(call);
}

function expectString(value: unknown, call: Call): string {
  if (typeof value !== 'string') throw failure(call);
  return value;
}

function expectArray(value: unknown, call: Call): unknown[] {
  if (!Array.isArray(value)) throw failure(call);
  return value;
}

function expectNumber(value: unknown, call: Call): number {
  if (typeof value !== 'number') throw failure(call);
  return value;
}

/** An integer argument: AWS drops the fraction of a non-integer (2.6 is 2), as a Java int cast does. */
function expectInteger(value: unknown, call: Call): number {
  return Math.trunc(expectNumber(value, call)) || 0;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function expectInt32(value: number, call: Call): number {
  if (value < INT32_MIN || value > INT32_MAX) throw failure(call);
  return value;
}

/** JSON equality, compared pair by pair from an explicit list rather than by recursion. */
function deepEqual(left: unknown, right: unknown): boolean {
  const pairs: [unknown, unknown][] = [[left, right]];
  for (let pair = pairs.pop(); pair !== undefined; pair = pairs.pop()) {
    const [a, b] = pair;
    if (a === b) continue;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(b, key)) return false;
      pairs.push([(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]]);
    }
  }
  return true;
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
  if (args.length === 0) throw failure(call);
  const first = call.args[0]!;
  const template = first.kind === 'string' ? first.raw : expectString(args[0], call);
  const values = args.slice(1);
  let out = '';
  let used = 0;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      out += template[i + 1];
      i += 1;
    } else if (c === '{' && template[i + 1] === '}') {
      if (used >= values.length) throw failure(call);
      out += formatValue(values[used]);
      used += 1;
      i += 1;
    } else if (c === '{' || c === '}') {
      throw failure(call);
    } else {
      out += c;
    }
  }
  if (used !== values.length) throw failure(call);
  return out;
}

function stringToJson(args: unknown[], call: Call): unknown {
  expectCount(args, call, 1);
  const text = expectString(args[0], call);
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw failure(call);
  }
  if (tooDeep(value)) throw new StatesError(INTRINSIC_ERROR, nestingMessage(`The JSON that ${call.name} parsed`));
  return value;
}

function arrayRange(args: unknown[], call: Call): number[] {
  expectCount(args, call, 3);
  const [start, end, step] = args.map((a) => expectInteger(a, call));
  if (step === 0) throw failure(call);
  const count = Math.floor((end! - start!) / step!) + 1;
  if (count > MAX_RANGE_ITEMS) throw failure(call);
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push(start! + i * step!);
  return out;
}

function mathRandom(args: unknown[], call: Call): number {
  expectCount(args, call, 2, 3);
  const start = expectInteger(args[0], call);
  const end = expectInteger(args[1], call);
  if (start >= end) throw failure(call);
  const random = args.length === 3 ? seededRandom(expectInteger(args[2], call)) : Math.random();
  // The start is included and the end is not.
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
    const array = expectArray(args[0], call);
    const size = expectInteger(args[1], call);
    if (size <= 0) throw failure(call);
    const out: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
    return out;
  },
  'States.ArrayContains': (args, call) => {
    expectCount(args, call, 2);
    return expectArray(args[0], call).some((item) => deepEqual(item, args[1]));
  },
  'States.ArrayRange': arrayRange,
  'States.ArrayGetItem': (args, call) => {
    expectCount(args, call, 2);
    const array = expectArray(args[0], call);
    const index = expectInteger(args[1], call);
    if (index < 0) throw failure(call);
    // AWS answers null for any index into an empty array, and fails past the end of any other.
    if (array.length === 0) return null;
    if (index >= array.length) throw failure(call);
    return array[index];
  },
  'States.ArrayLength': (args, call) => {
    expectCount(args, call, 1);
    return expectArray(args[0], call).length;
  },
  'States.ArrayUnique': (args, call) => {
    expectCount(args, call, 1);
    const out: unknown[] = [];
    for (const item of expectArray(args[0], call)) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
    return out;
  },
  'States.Base64Encode': (args, call) => {
    expectCount(args, call, 1);
    const text = expectString(args[0], call);
    if (text.length > MAX_STRING_INPUT) throw failure(call);
    return Buffer.from(text, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args, call) => {
    expectCount(args, call, 1);
    const text = expectString(args[0], call);
    if (text.length > MAX_STRING_INPUT) throw failure(call);
    // Like AWS, lenient: characters outside the alphabet and missing padding are ignored.
    return Buffer.from(text, 'base64').toString('utf8');
  },
  'States.Hash': (args, call) => {
    expectCount(args, call, 2);
    // AWS hashes a value that is not a string as its JSON text.
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]) ?? 'null';
    if (data.length > MAX_STRING_INPUT) throw failure(call);
    const algorithm = HASH_ALGORITHMS[expectString(args[1], call)];
    if (algorithm === undefined) throw failure(call);
    return createHash(algorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, call) => {
    expectCount(args, call, 3);
    const [left, right, deep] = args;
    if (!isObject(left) || !isObject(right)) throw failure(call);
    // Only a deep merge (true) is refused; AWS merges shallowly for any other flag.
    if (deep === true) throw failure(call);
    const merged: Record<string, unknown> = {};
    for (const source of [left, right]) {
      for (const key of Object.keys(source)) {
        Object.defineProperty(merged, key, { value: source[key], writable: true, enumerable: true, configurable: true });
      }
    }
    return merged;
  },
  'States.MathRandom': mathRandom,
  'States.MathAdd': (args, call) => {
    expectCount(args, call, 2);
    // Non-integers are rounded to the nearest integer, halves upward, as Java's Math.round does;
    // operands and sum are 32-bit integers.
    const a = expectInt32(Math.round(expectNumber(args[0], call)), call);
    const b = expectInt32(Math.round(expectNumber(args[1], call)), call);
    return expectInt32(a + b, call);
  },
  'States.StringSplit': (args, call) => {
    expectCount(args, call, 2);
    const text = expectString(args[0], call);
    const delimiters = new Set(expectString(args[1], call));
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

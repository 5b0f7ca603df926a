// The size of a value as the JSON text Step Functions measures, computed without building that
// text, and how deep it nests. Objects and arrays are measured once (a state's output is the next
// state's input, the very same object), which keeps the per-state quota check linear in the loop.

// The deepest JSON the engine takes: 1,000 levels of objects and arrays, the default nesting
// limit of Jackson's StreamReadConstraints (a common JSON parser's guard; AWS documents none)
// and far beyond any real payload.
// Deeper values would overflow the call stack of JSON.stringify and of recursive code (the
// JSONata evaluator, a report's rendering), so every door refuses them by name; the depth is
// measured here without recursion, with the size.
export const MAX_JSON_DEPTH = 1000;

/** Whether a value (parsed JSON) nests objects and arrays more than MAX_JSON_DEPTH levels deep. */
export function tooDeep(value: unknown): boolean {
  return jsonDepth(value) > MAX_JSON_DEPTH;
}

/** The refusal of a value too deep, by what it is: `nestingMessage('The execution input')`. */
export function nestingMessage(what: string): string {
  return `${what} is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`;
}

const sizes = new WeakMap<object, Size>();
// Only sizes that cost something to measure again are remembered: a small object is measured as
// fast as it is looked up, and millions of long-lived small ones (a Map Run's items, the records
// its children read) would make the WeakMap slow every garbage collection and every lookup.
const MIN_CACHED_BYTES = 1024;
// Strings that need no escaping and no multi-byte UTF-8: their JSON size is length + 2.
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
// Long strings recur (the same ids in every shorter copy of a list): remember their sizes, within bounds.
const MIN_CACHED_LENGTH = 16;
const MAX_CACHED_STRINGS = 100_000;
const stringSizes = new Map<string, number>();

function stringBytes(text: string): number {
  if (text.length < MIN_CACHED_LENGTH) return measureString(text);
  let bytes = stringSizes.get(text);
  if (bytes === undefined) {
    bytes = measureString(text);
    if (stringSizes.size >= MAX_CACHED_STRINGS) stringSizes.clear();
    stringSizes.set(text, bytes);
  }
  return bytes;
}

function measureString(text: string): number {
  if (PLAIN.test(text)) return text.length + 2;
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** A value's JSON size in UTF-8 bytes, and how deep its objects and arrays nest (0 for a scalar). */
export interface Size {
  bytes: number;
  depth: number;
}

/** The UTF-8 byte length of JSON.stringify(value); 0 for undefined. */
export function jsonByteLength(value: unknown): number {
  return typeof value === 'object' && value !== null ? measure(value).bytes : scalarBytes(value);
}

/** jsonByteLength and jsonDepth at once: an object or array is walked once for both. */
export function jsonSize(value: unknown): Size {
  return typeof value === 'object' && value !== null ? measure(value) : { bytes: scalarBytes(value), depth: 0 };
}

/**
 * How many levels of objects and arrays nest in the value: 0 for a scalar, 1 for `{}` or `[1]`.
 * A list consumed from the front may be given the depth of the list it was cut from, when that
 * one was within MAX_JSON_DEPTH (see suffixSize): whether it is over the limit stays exact.
 */
export function jsonDepth(value: unknown): number {
  return typeof value === 'object' && value !== null ? measure(value).depth : 0;
}

function scalarBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return 4;
    default:
      return 0;
  }
}

// A list consumed from the front (`$.List[1:]` each turn of a loop) is a new array holding the
// same items as the one measured before it, minus a few at its start: its size follows from that
// one's by pointer comparisons, instead of measuring every item again. Its depth is taken as the
// longer list's, which it cannot exceed: only a depth over MAX_JSON_DEPTH is refused, and a list
// that deep is measured again in full.
const MAX_DROPPED = 8;
let lastArray: readonly unknown[] | undefined;
let lastArraySize: Size = { bytes: 0, depth: 0 };

function itemBytes(item: unknown): number {
  return item === undefined || typeof item === 'function' ? 4 : jsonByteLength(item);
}

function suffixSize(value: readonly unknown[]): Size | undefined {
  const previous = lastArray;
  if (previous === undefined || value.length === 0 || lastArraySize.depth > MAX_JSON_DEPTH) return undefined;
  const dropped = previous.length - value.length;
  if (dropped <= 0 || dropped > MAX_DROPPED) return undefined;
  for (let i = 0; i < value.length; i++) if (value[i] !== previous[i + dropped]) return undefined;
  let { bytes } = lastArraySize;
  const { depth } = lastArraySize;
  for (let i = 0; i < dropped; i++) bytes -= itemBytes(previous[i]) + 1;
  return { bytes, depth };
}

/** An object or array being measured: its members in JSON order, the next one to add, the sums so far. */
interface Frame {
  value: object;
  array: boolean;
  keys: string[] | undefined;
  length: number;
  next: number;
  bytes: number;
  depth: number;
  /** Members written so far (an object skips undefined and function values). */
  written: number;
}

function known(value: object): Size | undefined {
  const size = sizes.get(value);
  if (size !== undefined) return size;
  if (!Array.isArray(value)) return undefined;
  const suffix = suffixSize(value);
  if (suffix !== undefined) remember(value, suffix);
  return suffix;
}

function remember(value: object, size: Size): void {
  if (size.bytes >= MIN_CACHED_BYTES) sizes.set(value, size);
  // Only a list too long to re-measure cheaply is worth remembering: a short array measured in
  // between (a task result's header list) must not make the next turn measure the list again.
  if (Array.isArray(value) && value.length > MAX_DROPPED) {
    lastArray = value;
    lastArraySize = size;
  }
}

function open(value: object): Frame {
  const array = Array.isArray(value);
  const keys = array ? undefined : Object.keys(value);
  return { value, array, keys, length: keys ? keys.length : (value as unknown[]).length, next: 0, bytes: 2, depth: 1, written: 0 };
}

/**
 * Measures an object or array without recursion: an explicit stack of the containers being
 * measured, so that a value nested 100,000 deep is measured (and refused) rather than
 * overflowing the call stack.
 */
function measure(root: object): Size {
  const cached = known(root);
  if (cached !== undefined) return cached;
  const stack: Frame[] = [open(root)];
  for (;;) {
    const frame = stack[stack.length - 1]!;
    let child: object | undefined;
    while (frame.next < frame.length) {
      const index = frame.next++;
      const key = frame.keys?.[index];
      const item: unknown = key === undefined ? (frame.value as unknown[])[index] : (frame.value as Record<string, unknown>)[key];
      const skipped = item === undefined || typeof item === 'function';
      if (skipped && !frame.array) continue;
      frame.bytes += (frame.written > 0 ? 1 : 0) + (key === undefined ? 0 : stringBytes(key) + 1);
      frame.written += 1;
      if (skipped) {
        frame.bytes += 4;
      } else if (typeof item === 'object' && item !== null) {
        const size = known(item);
        if (size === undefined) {
          child = item;
          break;
        }
        add(frame, size);
      } else {
        frame.bytes += scalarBytes(item);
      }
    }
    if (child !== undefined) {
      stack.push(open(child));
      continue;
    }
    stack.pop();
    const size = { bytes: frame.bytes, depth: frame.depth };
    remember(frame.value, size);
    const parent = stack[stack.length - 1];
    if (parent === undefined) return size;
    add(parent, size);
  }
}

function add(frame: Frame, size: Size): void {
  frame.bytes += size.bytes;
  if (size.depth + 1 > frame.depth) frame.depth = size.depth + 1;
}

// The size of a value as the JSON text Step Functions measures, and how deep it nests, computed
// without building the text of anything large: only a small value's text is written (smallBytes).
// Objects and arrays are measured once (a state's output is the next state's input, the very same
// object), which keeps the per-state quota check linear in the loop.
import { rememberedByText } from './memo.ts';

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
// Only sizes that cost something to measure again are remembered: an object or array whose walk
// visited MIN_CACHED_MEMBERS members or more (a remembered member counting as one). A small
// object is measured as fast as it is looked up, and so is one made of a remembered list and a
// few small fields (a loop's state output); millions of long-lived entries (a Map Run's items,
// the records its children read, every output of a loop) would make the WeakMap slow every
// garbage collection and every lookup.
const MIN_CACHED_MEMBERS = 64;
// Strings that need no escaping and no multi-byte UTF-8: their JSON size is length + 2.
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
// Long strings recur (a value held by every state's output) and cost more to scan than to look
// up: remember their sizes, within bounds. A shorter one (a key, an id, a hash, a task result's
// field, mostly measured once) is scanned by a loop: a Map entry for each would cost more than it
// saves, and calling the RegExp more than the loop.
const MIN_CACHED_LENGTH = 128;
const MAX_CACHED_STRINGS = 100_000;
const longStringBytes = rememberedByText((text) => (PLAIN.test(text) ? text.length + 2 : escapedBytes(text)), MAX_CACHED_STRINGS);

function stringBytes(text: string): number {
  return text.length < MIN_CACHED_LENGTH ? shortStringBytes(text) : longStringBytes(text);
}

function shortStringBytes(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return escapedBytes(text);
  }
  return text.length + 2;
}

/** The size of a string that needs escaping or multi-byte UTF-8. */
function escapedBytes(text: string): number {
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
// one's. Its depth is taken as the longer list's, which it cannot exceed: only a depth over
// MAX_JSON_DEPTH is refused, and a list that deep is measured again in full. The JSONPath reader
// notes the slices it cuts (noteSlice); any other such list is recognised by pointer comparisons
// with the last long list measured (suffixSize).
const MAX_DROPPED = 8;
let lastArray: readonly unknown[] | undefined;
let lastArraySize: Size = { bytes: 0, depth: 0 };
let sliceValue: readonly unknown[] | undefined;
let sliceSource: readonly unknown[] = [];

/** Notes that `slice` is `source.slice(start)`, for the next measure of `slice`. */
export function noteSlice(slice: readonly unknown[], source: readonly unknown[], start: number): void {
  if (start + slice.length !== source.length) return;
  sliceValue = slice;
  sliceSource = source;
}

function itemBytes(item: unknown): number {
  return item === undefined || typeof item === 'function' ? 4 : jsonByteLength(item);
}

/** The size of `value` from that of `source`, of which it holds the last items, all but a few. */
function sizeWithout(value: readonly unknown[], source: readonly unknown[], sourceSize: Size): Size | undefined {
  const dropped = source.length - value.length;
  if (value.length === 0 || dropped <= 0 || dropped > MAX_DROPPED || sourceSize.depth > MAX_JSON_DEPTH) return undefined;
  let { bytes } = sourceSize;
  for (let i = 0; i < dropped; i++) bytes -= itemBytes(source[i]) + 1;
  return { bytes, depth: sourceSize.depth };
}

function sliceSize(value: readonly unknown[]): Size | undefined {
  if (value !== sliceValue) return undefined;
  const sourceSize = sizes.get(sliceSource) ?? (sliceSource === lastArray ? lastArraySize : undefined);
  return sourceSize === undefined ? undefined : sizeWithout(value, sliceSource, sourceSize);
}

function suffixSize(value: readonly unknown[]): Size | undefined {
  const previous = lastArray;
  if (previous === undefined) return undefined;
  const dropped = previous.length - value.length;
  if (dropped <= 0 || dropped > MAX_DROPPED) return undefined;
  for (let i = 0; i < value.length; i++) if (value[i] !== previous[i + dropped]) return undefined;
  return sizeWithout(value, previous, lastArraySize);
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
  /** Members visited, its own and those of the members walked: what measuring it again would cost. */
  visited: number;
}

function known(value: object): Size | undefined {
  const size = recentSize(value) ?? sizes.get(value);
  if (size !== undefined) return size;
  if (!Array.isArray(value)) return undefined;
  if (value === lastArray) return lastArraySize;
  const derived = sliceSize(value) ?? suffixSize(value);
  if (derived !== undefined) remember(value, derived, value.length);
  return derived;
}

function remember(value: object, size: Size, visited: number): void {
  if (visited >= MIN_CACHED_MEMBERS) sizes.set(value, size);
  // Only a list too long to re-measure cheaply is worth remembering: a short array measured in
  // between (a task result's header list) must not make the next turn measure the list again.
  if (Array.isArray(value) && value.length > MAX_DROPPED) {
    lastArray = value;
    lastArraySize = size;
  }
}

// The last values measured whole, whatever their cost: a state's output is measured again at
// once (the history fold reads it as the state's output and the next state's input, and a state
// that passes its input on checks it again), and a task's result as part of the output it makes,
// without a WeakMap entry for each.
const RECENT = 4;
const recentValues: (object | undefined)[] = Array.from({ length: RECENT }, () => undefined);
const recentSizes: Size[] = Array.from({ length: RECENT }, () => ({ bytes: 0, depth: 0 }));
let recentNext = 0;

function recentSize(value: object): Size | undefined {
  for (let i = 0; i < RECENT; i++) if (recentValues[i] === value) return recentSizes[i];
  return undefined;
}

function rememberRecent(value: object, size: Size): void {
  recentValues[recentNext] = value;
  recentSizes[recentNext] = size;
  recentNext = (recentNext + 1) % RECENT;
}

function open(value: object): Frame {
  const array = Array.isArray(value);
  const keys = array ? undefined : Object.keys(value);
  return { value, array, keys, length: keys ? keys.length : (value as unknown[]).length, next: 0, bytes: 2, depth: 1, written: 0, visited: 0 };
}

// A small value (an attribute value, a message entry, a record of a few attributes, a task's
// parameters or its result with the HTTP metadata) is measured where it stands, on its own or as
// a member: no frame and no cache lookup for its members. Below MIN_CACHED_MEMBERS members it
// would not be remembered anyway, and the recursion that counts them is no deeper than they are many.
const MAX_SMALL_MEMBERS = MIN_CACHED_MEMBERS - 1;
// What the walk below may still visit, and the deepest level it reached: module variables, so
// that a member's walk returns only whether it stayed within them.
let smallLeft = 0;
let smallDepth = 0;
// Whether the walk takes a list of more than MAX_DROPPED items: not when it measures a whole
// value, so that a list in it is measured by the walk of measure, which remembers it for the
// slice the next state cuts from it (known).
let smallTakesLists = true;

/**
 * The JSON size of a value of at most MAX_SMALL_MEMBERS members in all (its own and its
 * members'), none of them a long string, or undefined for any other. smallLeft and smallDepth
 * then tell the members visited and the depth. The walk only counts members and levels; the bytes
 * are the text's, which JSON.stringify writes faster than a walk adds them up (a task result's
 * header names and values were most of a loop's measuring). A long string is left to the walk of
 * measure, which remembers its size, rather than written again into each text that holds it.
 */
function smallBytes(value: object, takesLists = true): number | undefined {
  smallLeft = MAX_SMALL_MEMBERS;
  smallDepth = 0;
  smallTakesLists = takesLists;
  if (!smallWalk(value, 1)) return undefined;
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Whether the value holds at most smallLeft members in all and no long string; counts them off smallLeft and notes the depth. */
function smallWalk(value: object, level: number): boolean {
  if (level > smallDepth) smallDepth = level;
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  const length = keys === undefined ? (value as unknown[]).length : keys.length;
  if ((smallLeft -= length) < 0 || (keys === undefined && length > MAX_DROPPED && !smallTakesLists)) return false;
  for (let index = 0; index < length; index++) {
    const key = keys?.[index];
    if (key !== undefined && key.length >= MIN_CACHED_LENGTH) return false;
    const item: unknown = key === undefined ? (value as unknown[])[index] : (value as Record<string, unknown>)[key];
    if (typeof item === 'string' ? item.length >= MIN_CACHED_LENGTH : typeof item === 'object' && item !== null && !smallWalk(item, level + 1)) return false;
  }
  return true;
}

/**
 * Measures an object or array without recursion: an explicit stack of the containers being
 * measured, so that a value nested 100,000 deep is measured (and refused) rather than
 * overflowing the call stack.
 */
function measure(root: object): Size {
  const cached = known(root);
  if (cached !== undefined) return cached;
  const small = smallBytes(root, false);
  if (small !== undefined) {
    const size = { bytes: small, depth: smallDepth };
    rememberRecent(root, size);
    return size;
  }
  const stack: Frame[] = [open(root)];
  for (;;) {
    const frame = stack[stack.length - 1]!;
    let child: object | undefined;
    while (frame.next < frame.length) {
      const index = frame.next++;
      const key = frame.keys?.[index];
      const item: unknown = key === undefined ? (frame.value as unknown[])[index] : (frame.value as Record<string, unknown>)[key];
      frame.visited += 1;
      const skipped = item === undefined || typeof item === 'function';
      if (skipped && !frame.array) continue;
      frame.bytes += (frame.written > 0 ? 1 : 0) + (key === undefined ? 0 : stringBytes(key) + 1);
      frame.written += 1;
      if (skipped) {
        frame.bytes += 4;
      } else if (typeof item === 'object' && item !== null) {
        // A value measured whole just before (a task's result, now in the state's output) is not walked again.
        const recent = recentSize(item);
        if (recent !== undefined) {
          add(frame, recent);
          continue;
        }
        // A list is looked up before it is walked, short or not: a loop's list is in every state's
        // input and output, and the slice a turn cuts from it is measured from it (known).
        const list = Array.isArray(item) && item.length > MAX_DROPPED;
        const listSize = list ? known(item) : undefined;
        if (listSize !== undefined) {
          add(frame, listSize);
          continue;
        }
        const small = smallBytes(item);
        if (small !== undefined) {
          frame.bytes += small;
          if (frame.depth < smallDepth + 1) frame.depth = smallDepth + 1;
          frame.visited += MAX_SMALL_MEMBERS - smallLeft;
          if (list) remember(item, { bytes: small, depth: smallDepth }, 0);
          continue;
        }
        const size = list ? undefined : known(item);
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
    remember(frame.value, size, frame.visited);
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      rememberRecent(root, size);
      return size;
    }
    add(parent, size);
    parent.visited += frame.visited;
  }
}

function add(frame: Frame, size: Size): void {
  frame.bytes += size.bytes;
  if (size.depth + 1 > frame.depth) frame.depth = size.depth + 1;
}

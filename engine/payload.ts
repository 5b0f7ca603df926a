// The size of a value as the JSON text Step Functions measures, computed without building that
// text. Objects and arrays are measured once (a state's output is the next state's input, the
// very same object), which keeps the per-state quota check linear in the loop.

const sizes = new WeakMap<object, number>();
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

/** The UTF-8 byte length of JSON.stringify(value); 0 for undefined. */
export function jsonByteLength(value: unknown): number {
  switch (typeof value) {
    case 'undefined':
      return 0;
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return value === null ? 4 : objectBytes(value);
    default:
      return 0;
  }
}

// A list consumed from the front (`$.List[1:]` each turn of a loop) is a new array holding the
// same items as the one measured before it, minus a few at its start: its size follows from that
// one's by pointer comparisons, instead of measuring every item again.
const MAX_DROPPED = 8;
let lastArray: readonly unknown[] | undefined;
let lastArrayBytes = 0;

function itemBytes(item: unknown): number {
  return item === undefined || typeof item === 'function' ? 4 : jsonByteLength(item);
}

function suffixBytes(value: readonly unknown[]): number | undefined {
  const previous = lastArray;
  if (previous === undefined || value.length === 0) return undefined;
  const dropped = previous.length - value.length;
  if (dropped <= 0 || dropped > MAX_DROPPED) return undefined;
  for (let i = 0; i < value.length; i++) if (value[i] !== previous[i + dropped]) return undefined;
  let bytes = lastArrayBytes;
  for (let i = 0; i < dropped; i++) bytes -= itemBytes(previous[i]) + 1;
  return bytes;
}

function arrayBytes(value: readonly unknown[]): number {
  let bytes = suffixBytes(value);
  if (bytes === undefined) {
    bytes = 2;
    for (let i = 0; i < value.length; i++) bytes += (i > 0 ? 1 : 0) + itemBytes(value[i]);
  }
  // Only a list too long to re-measure cheaply is worth remembering: a short array measured in
  // between (a task result's header list) must not make the next turn measure the list again.
  if (value.length > MAX_DROPPED) {
    lastArray = value;
    lastArrayBytes = bytes;
  }
  return bytes;
}

function objectBytes(value: object): number {
  const known = sizes.get(value);
  if (known !== undefined) return known;
  let bytes = 2;
  if (Array.isArray(value)) {
    bytes = arrayBytes(value);
  } else {
    let first = true;
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function') continue;
      bytes += (first ? 0 : 1) + stringBytes(key) + 1 + jsonByteLength(item);
      first = false;
    }
  }
  if (bytes >= MIN_CACHED_BYTES) sizes.set(value, bytes);
  return bytes;
}

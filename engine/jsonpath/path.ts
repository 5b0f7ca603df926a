// JSONPath as Step Functions evaluates it (Jayway JsonPath semantics): parsing, reading, and
// writing a ResultPath. Parsed paths are cached by their text, and a definite path is read by a
// plain loop that throws nothing on the way, so `$.List[0]` and `$.List[1:]` stay cheap in a
// loop that runs once per item.
import { StatesError } from '../errors.ts';
import { type FilterExpression, parseFilter, testFilter, type PathReader } from './filter.ts';
import { InvalidPath, quotedEnd, readQuoted } from './path-text.ts';
import { isObject } from '../json.ts';
import { noteSlice } from '../payload.ts';
import { noteSliceOrigin } from '../slices.ts';

/**
 * A definite path that matched nothing; `detail` is Jayway's own message for it, `step` the
 * name (or index) of the first step that found nothing, when there is one.
 */
export class PathNotFound extends Error {
  override name = 'PathNotFound';

  constructor(
    readonly path: string,
    readonly detail: string,
    readonly step?: string,
  ) {
    super(`The JSONPath '${path}' could not be found: ${detail}`);
  }
}

/** The error AWS reports when a reference path cannot be followed or written into the input. */
export const REFERENCE_PATH_CONFLICT = 'States.ReferencePathConflict';

export type Segment =
  | { kind: 'property'; name: string }
  | { kind: 'properties'; names: string[] }
  | { kind: 'index'; index: number }
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'slice'; from: number | undefined; to: number | undefined; step: number | undefined }
  | { kind: 'wildcard' }
  | { kind: 'scan'; target: Segment }
  | { kind: 'filter'; test: FilterExpression };

type PathFunction = 'length' | 'size' | 'min' | 'max' | 'avg' | 'sum' | 'keys' | 'first' | 'last';
const PATH_FUNCTIONS: ReadonlySet<string> = new Set(['length', 'size', 'min', 'max', 'avg', 'sum', 'keys', 'first', 'last']);

export interface CompiledPath {
  readonly text: string;
  readonly segments: readonly Segment[];
  /** A trailing function (`.length()` …), applied to what the segments select. */
  readonly fn: PathFunction | undefined;
  /** Jayway's definite path: one result or PathNotFound; otherwise a list of matches. */
  readonly definite: boolean;
  /** Only single names and indexes: a path that can be written (ResultPath). */
  readonly reference: boolean;
  /** Names and indexes, then one slice with no step (`$.List[1:]`): read with Array.slice. */
  readonly simpleSlice: boolean;
}

const cache = new Map<string, CompiledPath>();

/** The parsed form of a `$…` path, cached by its text. */
export function compilePath(text: string): CompiledPath {
  let compiled = cache.get(text);
  if (compiled === undefined) {
    const { segments, fn } = parseSegments(text);
    const reference = fn === undefined && segments.every((s) => s.kind === 'property' || s.kind === 'index');
    const definite = segments.every(
      (s, i) => s.kind === 'property' || s.kind === 'index' || (s.kind === 'properties' && i === segments.length - 1),
    );
    const last = segments.at(-1);
    const simpleSlice =
      last?.kind === 'slice' &&
      last.step === undefined &&
      segments.slice(0, -1).every((s) => s.kind === 'property' || s.kind === 'index');
    compiled = { text, segments, fn, definite, reference, simpleSlice };
    cache.set(text, compiled);
  }
  return compiled;
}

/** Whether `text` is a reference path: `$` followed by single names and indexes only. */
export function isReferencePath(text: string): boolean {
  try {
    return compilePath(text).reference;
  } catch (error) {
    if (error instanceof InvalidPath) return false;
    throw error;
  }
}

/**
 * Reads `path` (which starts with `$`) from `data`. A definite path returns its one value or
 * throws PathNotFound; an indefinite one returns the list of its matches, possibly empty.
 */
export function readPath(path: string, data: unknown): unknown {
  const compiled = compilePath(path);
  let result: unknown;
  if (compiled.definite) {
    result = readDefinite(compiled, data);
  } else if (compiled.simpleSlice) {
    result = readSimpleSlice(compiled.segments, data);
  } else {
    const out: unknown[] = [];
    walk(compiled.segments, 0, data, out, data);
    result = out;
  }
  return compiled.fn === undefined ? result : applyFunction(compiled, compiled.fn, result);
}

// ---- parsing ----

function parseSegments(text: string): { segments: Segment[]; fn: PathFunction | undefined } {
  if (!text.startsWith('$')) throw new InvalidPath(text, "a path must start with '$'");
  const segments: Segment[] = [];
  let i = 1;
  const fn = trailingFunction(text);
  const end = fn === undefined ? text.length : text.length - fn.length - 3;
  while (i < end) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') {
        i += 2;
        const [target, next] = text[i] === '[' ? parseBracket(text, i) : parseDotName(text, i, end);
        segments.push({ kind: 'scan', target });
        i = next;
      } else {
        const [segment, next] = parseDotName(text, i + 1, end);
        segments.push(segment);
        i = next;
      }
    } else if (c === '[') {
      const [segment, next] = parseBracket(text, i);
      segments.push(segment);
      i = next;
    } else {
      throw new InvalidPath(text, `unexpected '${c}' at position ${i}`);
    }
  }
  return { segments, fn };
}

/** The function a path ends with (`$.list.length()`), if any. */
function trailingFunction(text: string): PathFunction | undefined {
  const match = /\.([a-z]+)\(\)$/.exec(text);
  return match !== null && PATH_FUNCTIONS.has(match[1]!) ? (match[1] as PathFunction) : undefined;
}

function parseDotName(text: string, start: number, limit: number): [Segment, number] {
  let end = start;
  while (end < limit && text[end] !== '.' && text[end] !== '[') end += 1;
  const name = text.slice(start, end);
  if (name === '') throw new InvalidPath(text, `empty property name at position ${start}`);
  if (name === '*') return [{ kind: 'wildcard' }, end];
  return [{ kind: 'property', name }, end];
}

/** Parses `[…]` starting at `start` (the `[`); returns the segment and the index after `]`. */
function parseBracket(text: string, start: number): [Segment, number] {
  let i = start + 1;
  const skipSpaces = (): void => {
    while (text[i] === ' ') i += 1;
  };
  skipSpaces();
  if (text[i] === '?') {
    const close = findFilterEnd(text, i + 1);
    const test = parseFilter(text.slice(i + 1, close + 1), text);
    i = close + 1;
    skipSpaces();
    if (text[i] !== ']') throw new InvalidPath(text, "a filter must end with ')]'");
    return [{ kind: 'filter', test }, i + 1];
  }
  if (text[i] === '*') {
    i += 1;
    skipSpaces();
    if (text[i] !== ']') throw new InvalidPath(text, "expected ']' after '*'");
    return [{ kind: 'wildcard' }, i + 1];
  }
  if (text[i] === "'" || text[i] === '"') {
    const names: string[] = [];
    for (;;) {
      // AWS (Jayway) keeps a bracketed name's backslashes as they are: $['a\'b'] names a\'b, not a'b.
      const next = quotedEnd(text, i);
      names.push(text.slice(i + 1, next - 1));
      i = next;
      skipSpaces();
      if (text[i] === ',') {
        i += 1;
        skipSpaces();
        continue;
      }
      if (text[i] !== ']') throw new InvalidPath(text, `expected ']' at position ${i}`);
      const segment: Segment = names.length === 1 ? { kind: 'property', name: names[0]! } : { kind: 'properties', names };
      return [segment, i + 1];
    }
  }
  const close = text.indexOf(']', i);
  if (close === -1) throw new InvalidPath(text, "missing ']'");
  const body = text.slice(i, close).trim();
  if (body.includes(':')) return [parseSlice(text, body), close + 1];
  const indexes = body.split(',').map((part) => parseInteger(text, part));
  const segment: Segment = indexes.length === 1 ? { kind: 'index', index: indexes[0]! } : { kind: 'indexes', indexes };
  return [segment, close + 1];
}

function parseSlice(text: string, body: string): Segment {
  const parts = body.split(':');
  if (parts.length > 3) throw new InvalidPath(text, `invalid slice [${body}]`);
  const bound = (part: string | undefined): number | undefined =>
    part === undefined || part.trim() === '' ? undefined : parseInteger(text, part);
  return { kind: 'slice', from: bound(parts[0]), to: bound(parts[1]), step: bound(parts[2]) };
}

function parseInteger(text: string, part: string): number {
  const trimmed = part.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new InvalidPath(text, `'${trimmed}' is not an array index`);
  return Number(trimmed);
}

/** The index of the `)` that closes the filter whose `(` is at `open`, skipping quoted text. */
function findFilterEnd(text: string, open: number): number {
  if (text[open] !== '(') throw new InvalidPath(text, "a filter must start with '?('");
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = readQuoted(text, i)[1] - 1;
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new InvalidPath(text, 'unterminated filter');
}

// ---- reading ----

const MISSING = Symbol('missing');

function property(value: unknown, name: string): unknown {
  return isObject(value) && Object.hasOwn(value, name) ? value[name] : MISSING;
}

function element(value: unknown, index: number): unknown {
  if (!Array.isArray(value)) return MISSING;
  const effective = index < 0 ? value.length + index : index;
  return effective >= 0 && effective < value.length ? value[effective] : MISSING;
}

/** Jayway's rendering of a path prefix, e.g. `$['List'][0]`. */
function renderPrefix(segments: readonly Segment[], count: number): string {
  let out = '$';
  for (let i = 0; i < count; i += 1) {
    const s = segments[i]!;
    if (s.kind === 'property') out += `['${s.name}']`;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else if (s.kind === 'properties') out += `[${s.names.map((n) => `'${n}'`).join(',')}]`;
  }
  return out;
}

function readDefinite(compiled: CompiledPath, data: unknown): unknown {
  const { segments } = compiled;
  let value = data;
  for (let i = 0; i < segments.length; i += 1) {
    const s = segments[i]!;
    let next: unknown;
    if (s.kind === 'property') next = property(value, s.name);
    else if (s.kind === 'index') next = element(value, s.index);
    else return mergeProperties(value, (s as { names: string[] }).names);
    if (next === MISSING) throw notFound(compiled, i, value);
    value = next;
  }
  return value;
}

function readSimpleSlice(segments: readonly Segment[], data: unknown): unknown[] {
  let value = data;
  for (let i = 0; i < segments.length - 1 && value !== MISSING; i += 1) {
    const s = segments[i] as { kind: 'property'; name: string } | { kind: 'index'; index: number };
    value = s.kind === 'property' ? property(value, s.name) : element(value, s.index);
  }
  if (!Array.isArray(value)) return [];
  const slice = segments[segments.length - 1] as { from: number | undefined; to: number | undefined };
  // The bounds read by index, not destructured: unoptimized, that allocates an iterator and its results.
  const bounds = sliceBounds(slice.from, slice.to, value.length);
  const start = bounds[0];
  const items = value.slice(start, bounds[1]);
  // Its size follows from the list's, measured already: no need to walk its items again.
  noteSlice(items, value, start);
  noteSliceOrigin(items, value, start);
  return items;
}

function notFound(compiled: CompiledPath, failed: number, at: unknown): PathNotFound {
  const { segments, text } = compiled;
  const last = failed === segments.length - 1;
  const segment = segments[failed]!;
  const step = segment.kind === 'property' ? segment.name : segment.kind === 'index' ? String(segment.index) : undefined;
  if (segment.kind === 'property' && !isObject(at)) {
    const found = at === null ? 'null' : Array.isArray(at) ? 'array' : typeof at;
    return new PathNotFound(
      text,
      `Expected to find an object with property ['${segment.name}'] in path ${renderPrefix(segments, failed)} but found '${found}'.`,
      step,
    );
  }
  if (segment.kind === 'property' && !last) {
    return new PathNotFound(text, `Missing property in path ${renderPrefix(segments, failed + 1)}`, step);
  }
  return new PathNotFound(text, `No results for path: ${renderPrefix(segments, segments.length)}`, step);
}

function mergeProperties(value: unknown, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(value)) return out;
  for (const name of names) if (Object.hasOwn(value, name)) defineValue(out, name, value[name]);
  return out;
}

function applyFunction(compiled: CompiledPath, name: PathFunction, value: unknown): unknown {
  if (name === 'length' || name === 'size') {
    if (Array.isArray(value)) return value.length;
    if (typeof value === 'string') return value.length;
    if (isObject(value)) return Object.keys(value).length;
  } else if (name === 'keys') {
    if (isObject(value)) return Object.keys(value);
  } else if (name === 'first' || name === 'last') {
    if (Array.isArray(value) && value.length > 0) return value[name === 'first' ? 0 : value.length - 1];
  } else if (Array.isArray(value)) {
    const numbers = value.filter((v): v is number => typeof v === 'number');
    if (numbers.length > 0) {
      if (name === 'min') return Math.min(...numbers);
      if (name === 'max') return Math.max(...numbers);
      const sum = numbers.reduce((a, b) => a + b, 0);
      return name === 'sum' ? sum : sum / numbers.length;
    }
  }
  throw new PathNotFound(compiled.text, `Function ${name}() cannot be applied to ${JSON.stringify(value) ?? 'nothing'}`);
}

/** Collects the matches of segments[from…] on `value` into `out`. */
function walk(segments: readonly Segment[], from: number, value: unknown, out: unknown[], root: unknown): void {
  if (from === segments.length) {
    out.push(value);
    return;
  }
  const s = segments[from]!;
  const next = from + 1;
  switch (s.kind) {
    case 'property': {
      const v = property(value, s.name);
      if (v !== MISSING) walk(segments, next, v, out, root);
      return;
    }
    case 'properties':
      if (next === segments.length) {
        out.push(mergeProperties(value, s.names));
      } else {
        for (const name of s.names) {
          const v = property(value, name);
          if (v !== MISSING) walk(segments, next, v, out, root);
        }
      }
      return;
    case 'index': {
      const v = element(value, s.index);
      if (v !== MISSING) walk(segments, next, v, out, root);
      return;
    }
    case 'indexes':
      for (const index of s.indexes) {
        const v = element(value, index);
        if (v !== MISSING) walk(segments, next, v, out, root);
      }
      return;
    case 'slice':
      if (Array.isArray(value)) for (const item of sliceItems(value, s)) walk(segments, next, item, out, root);
      return;
    case 'wildcard':
      if (Array.isArray(value)) for (const item of value) walk(segments, next, item, out, root);
      else if (isObject(value)) for (const item of Object.values(value)) walk(segments, next, item, out, root);
      return;
    case 'filter':
      if (Array.isArray(value)) {
        for (const item of value) if (testFilter(s.test, item, root, PATHS)) walk(segments, next, item, out, root);
      } else if (isObject(value) && testFilter(s.test, value, root, PATHS)) {
        walk(segments, next, value, out, root);
      }
      return;
    case 'scan':
      scan(segments, next, s.target, value, out, root);
      return;
  }
}

/** How a filter reads the paths it compares: this module's own reader, handed in (the grammar is recursive). */
const PATHS: PathReader = { read: readPath, definite: (path) => compilePath(path).definite };

/** Jayway's deep scan: the target is applied to each node, then to its children, in document order. */
function scan(segments: readonly Segment[], next: number, target: Segment, value: unknown, out: unknown[], root: unknown): void {
  if (target.kind === 'filter') {
    if (isObject(value) && testFilter(target.test, value, root, PATHS)) walk(segments, next, value, out, root);
  } else if (target.kind === 'wildcard' || isObject(value) || Array.isArray(value)) {
    const only: Segment[] = [target];
    const matches: unknown[] = [];
    walk(only, 0, value, matches, root);
    for (const match of matches) walk(segments, next, match, out, root);
  }
  if (Array.isArray(value)) for (const item of value) scan(segments, next, target, item, out, root);
  else if (isObject(value)) for (const item of Object.values(value)) scan(segments, next, target, item, out, root);
}

/** Jayway's slice bounds: negative bounds count from the end; the result is clamped to the list. */
function sliceBounds(from: number | undefined, to: number | undefined, length: number): [number, number] {
  let start = from === undefined ? 0 : from < 0 ? length + from : from;
  let end = to === undefined ? length : to < 0 ? length + to : to;
  start = Math.max(0, start);
  end = Math.min(length, end);
  return [start, Math.max(start, end)];
}

function sliceItems(value: readonly unknown[], s: { from: number | undefined; to: number | undefined; step: number | undefined }): unknown[] {
  const [start, end] = sliceBounds(s.from, s.to, value.length);
  const step = s.step === undefined || s.step <= 0 ? 1 : s.step;
  const items: unknown[] = [];
  for (let i = start; i < end; i += step) items.push(value[i]);
  return items;
}

// ---- writing ----

/** Sets an own property even when its name is `__proto__`, as JSON.parse would. */
function defineValue(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

// By index: a ResultPath copies along its path at every state, mostly before V8 has optimized
// this, and there a for...of allocates an iterator and a result object per key.
function copyObject(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i += 1) defineValue(copy, keys[i]!, value[keys[i]!]);
  return copy;
}

/**
 * Applies a ResultPath: returns `input` with `result` placed at `path`, creating the objects
 * the path names that do not exist yet. `input` is never modified (copy-on-write along the
 * path); `null` discards the result; `$` replaces the input. Writing into a value that is not
 * an object fails with States.ReferencePathConflict, as AWS reports it.
 */
export function writeResultPath(input: unknown, path: string | null, result: unknown): unknown {
  if (path === null) return input;
  let compiled: CompiledPath;
  try {
    compiled = compilePath(path);
  } catch (error) {
    if (error instanceof InvalidPath) throw resultPathFailure(path, input);
    throw error;
  }
  if (!compiled.reference) throw resultPathFailure(path, input);
  const written = place(compiled.segments, 0, input, result);
  if (written === MISSING) throw resultPathFailure(path, input);
  return written;
}

function place(segments: readonly Segment[], at: number, node: unknown, result: unknown): unknown {
  if (at === segments.length) return result;
  const s = segments[at]!;
  if (s.kind === 'property') {
    if (!isObject(node)) return MISSING;
    const child = Object.hasOwn(node, s.name) ? node[s.name] : {};
    const value = place(segments, at + 1, child, result);
    if (value === MISSING) return MISSING;
    const copy = copyObject(node);
    defineValue(copy, s.name, value);
    return copy;
  }
  if (s.kind === 'index' && Array.isArray(node)) {
    const index = s.index < 0 ? node.length + s.index : s.index;
    if (index < 0 || index >= node.length) return MISSING;
    const value = place(segments, at + 1, node[index], result);
    if (value === MISSING) return MISSING;
    const copy = node.slice();
    copy[index] = value;
    return copy;
  }
  return MISSING;
}

/** AWS's error for a ResultPath that cannot be written into the input (e.g. a string or a list). */
function resultPathFailure(path: string, input: unknown): StatesError {
  return new StatesError(REFERENCE_PATH_CONFLICT, `Unable to apply ReferencePath ${path} to input ${JSON.stringify(input) ?? 'null'}`);
}

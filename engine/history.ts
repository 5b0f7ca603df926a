// The execution's event log, shaped as GetExecutionHistory returns it. Inputs and outputs are
// kept as values and turned into JSON text only when read (enumerable getters, so JSON.stringify
// and spreading see AWS's shape): 25,000 events whose inputs hold a long list would otherwise be
// gigabytes of strings.
import { StatesError } from './errors.ts';
import { jsonByteLength } from './payload.ts';
import { historyLimitCause } from './quotas.ts';
import { anySliceNoted, sliceOrigin, type SliceOrigin } from './slices.ts';
import type { HistoryEvent } from './types.ts';

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

/** Thrown when the next event would cross the history quota; the execution fails with it. */
export class HistoryLimitReached extends StatesError {
  constructor(limit: number) {
    super('States.Runtime', historyLimitCause(limit));
  }
}

let lastValue: unknown;
let lastText: string | undefined;

/**
 * JSON text of a payload as kept (a KeptPayload made whole again), remembering the last one (an
 * exit's output is the next entry's input).
 */
function jsonText(value: unknown): string {
  if (lastText !== undefined && lastValue === value) return lastText;
  const text = value === undefined ? 'null' : JSON.stringify(value instanceof KeptPayload ? value.value() : value);
  lastValue = value;
  lastText = text;
  return text;
}

// A payload that is a JSONPath slice, or an object with slices among its members, is kept with
// each slice as the range of the list it was cut from (slices.ts): a loop popping its list would
// otherwise keep a copy of the list per turn. Its size is taken when it is kept, while the
// engine's measure of the value is fresh, and its text is made from the ranges when read.
class SliceRange {
  constructor(readonly origin: SliceOrigin) {}

  items(): unknown[] {
    return this.origin.list.slice(this.origin.start, this.origin.end);
  }
}

class KeptPayload {
  constructor(
    /** A SliceRange, or a copy of a plain object with SliceRanges for its slices. */
    readonly kept: SliceRange | Record<string, unknown>,
    readonly byteLength: number,
  ) {}

  value(): unknown {
    if (this.kept instanceof SliceRange) return this.kept.items();
    const value = { ...this.kept };
    for (const key in value) {
      const member = value[key];
      if (member instanceof SliceRange) value[key] = member.items();
    }
    return value;
  }
}

/** Past this many members an object is kept as it is, so that a large one is not searched at every event. */
const MAX_SEARCHED_MEMBERS = 16;

function sliceRangeOf(value: unknown): SliceRange | undefined {
  if (!Array.isArray(value)) return undefined;
  const origin = sliceOrigin(value);
  return origin === undefined ? undefined : new SliceRange(origin);
}

/** `value`, or what keeps it without its slices. */
function keptForm(value: unknown): unknown {
  const range = sliceRangeOf(value);
  if (range !== undefined) return new KeptPayload(range, jsonByteLength(value));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let kept: Record<string, unknown> | undefined;
  let members = 0;
  for (const key in value) {
    if ((members += 1) > MAX_SEARCHED_MEMBERS) return value;
    const memberRange = key === '__proto__' ? undefined : sliceRangeOf((value as Record<string, unknown>)[key]);
    if (memberRange === undefined) continue;
    kept ??= { ...value };
    kept[key] = memberRange;
  }
  return kept === undefined ? value : new KeptPayload(kept, jsonByteLength(value));
}

// One state's output is the payload of its Exited event and of the next state's Entered event.
let lastKeptValue: unknown;
let lastKept: unknown;

function keep(value: unknown): unknown {
  if (!anySliceNoted()) return value;
  if (value !== lastKeptValue) {
    lastKept = keptForm(value);
    lastKeptValue = value;
  }
  return lastKept;
}

// The value behind a details object's lazy payload field is kept in a private field added to the
// details object itself (a base constructor that returns its argument lets a class stamp a plain
// object): invisible to JSON.stringify, spreading, Object.keys and deep equality, and far cheaper
// than a WeakMap entry per event, which every garbage collection would also have to walk.
class ReturnsItsArgument {
  constructor(target: object) {
    return target;
  }
}

class Payload extends ReturnsItsArgument {
  readonly #value: unknown;
  /** The value's JSON size, when the engine had measured it already. */
  readonly #bytes: number | undefined;

  constructor(details: object, value: unknown, bytes: number | undefined) {
    super(details);
    this.#value = value;
    this.#bytes = bytes;
  }

  static has(details: object): boolean {
    return #value in details;
  }

  static of(details: object): unknown {
    return (details as Payload).#value;
  }

  static bytesOf(details: object): number | undefined {
    return (details as Payload).#bytes;
  }
}

/** The lazy field's getter (one per field name: no closure per event) and its `...Details` name. */
interface LazyField {
  descriptor: PropertyDescriptor;
  detailsKey: string;
}

const lazyFields = new Map<string, LazyField>();

function lazyField(key: string): LazyField {
  let field = lazyFields.get(key);
  if (field === undefined) {
    field = {
      descriptor: {
        enumerable: true,
        configurable: true,
        get(this: object) {
          return jsonText(Payload.of(this));
        },
      },
      detailsKey: `${key}Details`,
    };
    lazyFields.set(key, field);
  }
  return field;
}

/** A payload's `...Details`: never truncated here, and the same object for every event (no reader changes it). */
const NOT_TRUNCATED: Readonly<{ truncated: false }> = Object.freeze({ truncated: false });

/**
 * Details with a lazily serialized payload field (`input`, `output`, `parameters`...) and its
 * `...Details` (none when `withDetails` is false). `fields` must be a new object: it is given
 * its payload once. `bytes`, the value's JSON size when the caller has measured it, spares the
 * history fold measuring it again (payloadByteLength).
 */
export function withPayload(fields: Record<string, unknown>, key: string, value: unknown, withDetails = true, bytes?: number): Record<string, unknown> {
  const field = lazyField(key);
  new Payload(fields, value, bytes);
  Object.defineProperty(fields, key, field.descriptor);
  if (withDetails) fields[field.detailsKey] = NOT_TRUNCATED;
  return fields;
}

/**
 * withPayload for a state's input or output and the execution's, the payloads a list travels in
 * from state to state: kept without the slices they hold. (A Task's parameters and result are
 * not searched: a service's answer holds no slice, and parameters seldom do.)
 */
export function withStatePayload(fields: Record<string, unknown>, key: 'input' | 'output', value: unknown, bytes?: number): Record<string, unknown> {
  return withPayload(fields, key, keep(value), true, bytes);
}

// An exit's assigned variables, kept as values the same way: their texts are read only where the
// history is (GetExecutionHistory, --history, the report), not by the fold, which needs none of
// them, nor for the EXPRESS children of a Map Run, whose events only the fold reads.
class AssignedVariables extends ReturnsItsArgument {
  readonly #assign: Readonly<Record<string, unknown>>;

  constructor(details: object, assign: Readonly<Record<string, unknown>>) {
    super(details);
    this.#assign = assign;
  }

  static textsOf(details: object): Record<string, string> {
    const assign = (details as AssignedVariables).#assign;
    return Object.fromEntries(Object.entries(assign).map(([key, value]) => [key, JSON.stringify(value)]));
  }
}

const ASSIGNED_VARIABLES: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object) {
    return AssignedVariables.textsOf(this);
  },
};

/** Adds an exit's `assignedVariables` (each value's JSON text, made when read) and their details. */
export function withAssignedVariables(details: Record<string, unknown>, assign: Readonly<Record<string, unknown>>): Record<string, unknown> {
  new AssignedVariables(details, assign);
  Object.defineProperty(details, 'assignedVariables', ASSIGNED_VARIABLES);
  details.assignedVariablesDetails = NOT_TRUNCATED;
  return details;
}

/**
 * The UTF-8 size of a details object's lazy payload field, without building its text (a history
 * fold measures every input and output); undefined for details this engine did not make.
 */
export function payloadByteLength(details: object): number | undefined {
  if (!Payload.has(details)) return undefined;
  const value = Payload.of(details);
  if (value instanceof KeptPayload) return value.byteLength;
  return Payload.bytesOf(details) ?? (value === undefined ? 4 : jsonByteLength(value));
}

// Events recorded in the same millisecond share one Date: a loop records dozens of events a
// millisecond, and the history keeps every event's timestamp (a Date is about 100 bytes). No
// reader changes a Date it is given.
let lastTime = new Date(Number.NaN);

/** The time now, as the Date the last caller in the same millisecond was given. */
export function currentTime(): Date {
  const ms = Date.now();
  if (lastTime.getTime() !== ms) lastTime = new Date(ms);
  return lastTime;
}

export class History {
  readonly events: HistoryEvent[] = [];

  constructor(
    private readonly limit: number,
    private readonly onEvent?: (event: HistoryEvent) => void,
  ) {}

  get full(): boolean {
    return this.events.length >= this.limit - 1;
  }

  /** Appends an event and returns its id; throws HistoryLimitReached where AWS stops the execution. */
  append(type: string, previousEventId: number, details?: Record<string, unknown>): number {
    if (this.events.length >= this.limit - 1 && !(TERMINAL.has(type) && this.events.length < this.limit)) {
      throw new HistoryLimitReached(this.limit);
    }
    const id = this.events.length + 1;
    const timestamp = currentTime();
    // The details in the literal: an object that gains a fifth property later keeps it in a separate array.
    const event: HistoryEvent = details ? { timestamp, type, id, previousEventId, [detailsKey(type)]: details } : { timestamp, type, id, previousEventId };
    this.events.push(event);
    this.onEvent?.(event);
    return id;
  }
}

const detailsKeys = new Map<string, string>();

/** `TaskStateEntered` → `stateEnteredEventDetails`, `MapRunStarted` → `mapRunStartedEventDetails`. */
function detailsKey(type: string): string {
  let key = detailsKeys.get(type);
  if (key === undefined) {
    key = detailsKeyOf(type);
    detailsKeys.set(type, key);
  }
  return key;
}

function detailsKeyOf(type: string): string {
  const state = /^(?:Task|Pass|Choice|Wait|Succeed|Fail|Parallel|Map)State(Entered|Exited)$/.exec(type);
  if (state) return `state${state[1]}EventDetails`;
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

/** The states a history entered: its state transitions, what AWS bills a STANDARD execution for. */
export function stateTransitions(events: readonly HistoryEvent[]): number {
  let count = 0;
  for (const event of events) if (event.type.endsWith('StateEntered')) count += 1;
  return count;
}

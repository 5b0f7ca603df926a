// Where a list cut by a JSONPath slice (`$.List[1:]`) came from: the first list of the chain of
// cuts, and the range of it the slice holds. A loop that pops its list each turn makes a new,
// slightly shorter copy every turn; the history keeps each state's input and output, so it would
// keep every copy, quadratic in the list's length (1,763 items: 12 MB of copies for the
// collector to move and mark). The history keeps the range instead (history.ts). Values are never
// changed in place in this engine (a ResultPath copies what it writes into), so the range stays
// what the slice holds.

/** `list.slice(start, end)`, where `list` was not itself cut by a slice. */
export interface SliceOrigin {
  readonly list: readonly unknown[];
  readonly start: number;
  readonly end: number;
}

/**
 * Shorter slices are not worth it: a copy of a few hundred items is cheap to keep, and a short
 * loop's history is then kept as before, without searching its payloads for slices.
 */
export const MIN_NOTED_LENGTH = 128;

// Weak: a slice nobody holds any more is forgotten with it.
const origins = new WeakMap<readonly unknown[], SliceOrigin>();
let noted = false;

/** Notes that `slice` is `source.slice(start, start + slice.length)`, when it is long. */
export function noteSliceOrigin(slice: readonly unknown[], source: readonly unknown[], start: number): void {
  if (slice.length < MIN_NOTED_LENGTH) return;
  noted = true;
  const outer = origins.get(source);
  const from = (outer?.start ?? 0) + start;
  origins.set(slice, { list: outer?.list ?? source, start: from, end: from + slice.length });
}

/** Whether this process has noted any slice: until then no payload holds one. */
export function anySliceNoted(): boolean {
  return noted;
}

/** Where `value` was cut from, when a JSONPath slice cut it (and it is long). */
export function sliceOrigin(value: readonly unknown[]): SliceOrigin | undefined {
  return origins.get(value);
}

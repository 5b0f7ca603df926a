// Step Functions' quotas that the engine enforces as AWS does.
import { StatesError } from './errors.ts';
import { jsonSize, MAX_JSON_DEPTH, nestingMessage } from './payload.ts';
import type { Quotas } from './types.ts';

export const DEFAULT_QUOTAS: Readonly<Quotas> = { historyEvents: 25_000, payloadBytes: 256 * 1024 };

/** A Standard execution runs at most a year: a longer Wait can never end, and AWS fails it. */
export const MAX_WAIT_MS = 365 * 24 * 3600 * 1000;

export const historyLimitCause = (limit: number): string =>
  `The execution reached the maximum number of history events (${limit}).`;

/**
 * States.Runtime when a value a state made nests deeper than MAX_JSON_DEPTH: refused where it is
 * made, before anything serializes it or walks it recursively.
 */
const tooDeepError = (stateName: string) => new StatesError('States.Runtime', nestingMessage(`A value the state/task '${stateName}' produced`));

/**
 * The depth check of an Assign's variables, each value on its own (the object nests one level more
 * than its deepest value); returns each one's JSON size, measured by the same walk, for assign()'s
 * limits: an Assign of more variables than engine/payload.ts keeps recent sizes of was measured twice.
 */
export function measureAssigned(assign: Readonly<Record<string, unknown>>, stateName: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const names = Object.keys(assign);
  for (let i = 0; i < names.length; i += 1) {
    const { bytes, depth } = jsonSize(assign[names[i]!]);
    if (depth >= MAX_JSON_DEPTH) throw tooDeepError(stateName);
    sizes.set(names[i]!, bytes);
  }
  return sizes;
}

/**
 * States.DataLimitExceeded when a state's result, input or output is over the payload quota
 * (States.Runtime first if it nests too deep); else the value's JSON size in bytes.
 */
export function checkPayload(value: unknown, quotas: Quotas, stateName: string): number {
  // One walk for both: a value under MIN_CACHED_BYTES is not remembered, and was measured twice.
  const { bytes, depth } = jsonSize(value);
  if (depth > MAX_JSON_DEPTH) throw tooDeepError(stateName);
  if (bytes <= quotas.payloadBytes) return bytes;
  throw new StatesError(
    'States.DataLimitExceeded',
    `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}

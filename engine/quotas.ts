// Step Functions' quotas that the engine enforces as AWS does.
import { StatesError } from './errors.ts';
import { jsonByteLength } from './payload.ts';
import type { Quotas } from './types.ts';

export const DEFAULT_QUOTAS: Readonly<Quotas> = { historyEvents: 25_000, payloadBytes: 256 * 1024 };

export const historyLimitCause = (limit: number): string =>
  `The execution reached the maximum number of history events (${limit}).`;

/** States.DataLimitExceeded when a state's result, input or output is over the payload quota. */
export function checkPayload(value: unknown, quotas: Quotas, stateName: string): void {
  if (jsonByteLength(value) <= quotas.payloadBytes) return;
  throw new StatesError(
    'States.DataLimitExceeded',
    `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}

// The functions Step Functions adds to JSONata ($partition, $range, $hash, $random with an optional
// seed, $uuid, $parse) and the one it takes away ($eval), with AWS's semantics: a non-integer
// argument is truncated towards zero, and several degenerate arguments give nothing (undefined),
// which then fails the field the expression was written in.

import { createHash, randomUUID } from 'node:crypto';
import type jsonata from 'jsonata';
import { nestingMessage, tooDeep } from '../payload.ts';

/** AWS refuses a `$range` longer than this, before building it. */
export const MAX_RANGE_LENGTH = 360_145;

/** `$hash`'s algorithms, named exactly (case-sensitive) as AWS names them. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Bindings every evaluation starts from: `$eval` is not available in Step Functions. */
export const stepFunctionsBindings: Readonly<Record<string, unknown>> = { eval: undefined };

/** A failure inside one of AWS's functions; the evaluator reports it as a QueryEvaluationError. */
export class JsonataFunctionError extends Error {
  override name = 'JsonataFunctionError';
}

export function partition(array: unknown[], chunkSize: number): unknown[][] | undefined {
  const size = Math.trunc(chunkSize);
  if (array.length === 0 || size <= 0) return undefined;
  const chunks: unknown[][] = [];
  for (let start = 0; start < array.length; start += size) chunks.push(array.slice(start, start + size));
  return chunks;
}

/** From start towards end by step, inclusive; one value is returned bare, as AWS returns it. */
export function range(start: number, end: number, step?: number): number[] | number | undefined {
  if (step === undefined) return undefined;
  const [first, last, by] = [Math.trunc(start), Math.trunc(end), Math.trunc(step)];
  if (by === 0 || (last - first) * by < 0) return undefined;
  const length = Math.floor((last - first) / by) + 1;
  if (length > MAX_RANGE_LENGTH) {
    throw new JsonataFunctionError('Expression evaluation memory limit exceeded: Check for excessive memory usage');
  }
  if (length === 1) return first;
  return Array.from({ length }, (_, index) => first + index * by);
}

export function hash(value: string, algorithm?: string): string | undefined {
  if (algorithm === undefined) return undefined;
  const nodeAlgorithm = HASH_ALGORITHMS[algorithm];
  if (nodeAlgorithm === undefined) {
    throw new JsonataFunctionError(
      `The hash algorithm '${algorithm}' is not supported; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`,
    );
  }
  return createHash(nodeAlgorithm).update(value).digest('hex');
}

/** A number in [0, 1); the same seed always gives the same number. */
export function random(seed?: number): number {
  if (seed === undefined) return Math.random();
  // mulberry32 over the truncated seed: small, fast and reproducible.
  let state = Math.trunc(seed) | 0;
  state = (state + 0x6d2b79f5) | 0;
  let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
  mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
  return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
}

export function uuid(): string {
  return randomUUID();
}

export function parse(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JsonataFunctionError(`Unable to parse the string as JSON: ${(error as Error).message}`);
  }
  if (tooDeep(value)) throw new JsonataFunctionError(`Unable to parse the string as JSON: ${nestingMessage('it')}`);
  return value;
}

/** Registers AWS's functions, with JSONata signatures so a wrong argument is JSONata's T0410. */
export function registerStepFunctionsFunctions(expression: jsonata.Expression): void {
  expression.registerFunction('partition', partition, '<an:a>');
  expression.registerFunction('range', range, '<nnn?:a>');
  expression.registerFunction('hash', hash, '<ss?:s>');
  expression.registerFunction('random', random, '<n?:n>');
  expression.registerFunction('uuid', uuid, '<:s>');
  expression.registerFunction('parse', parse, '<s:j>');
}

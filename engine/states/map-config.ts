// The numeric settings of a Map state (MaxConcurrency, ToleratedFailureCount/Percentage and their
// Path forms, or JSONata expressions), read with AWS's errors.
import { jsonataField, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { resolveValue } from '../jsonpath/template.ts';
import type { StateStep } from '../step.ts';

export interface MapLimits {
  maxConcurrency: number;
  toleratedCount: number | undefined;
  toleratedPercentage: number | undefined;
}

function invalid(field: string, value: unknown, path: string, what: string): StatesError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new StatesError('States.Runtime', `The ${field} field refers to value "${shown}" which is not a valid ${what}: ${path}`);
}

async function readSetting(step: StateStep, field: string, input: unknown, what: 'integer' | 'number'): Promise<number | undefined> {
  const { state } = step;
  // A path may give a number or a numeric string ("1"), as AWS accepts.
  const numeric = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
  const valid = (value: unknown) => {
    const number = numeric(value);
    return typeof number === 'number' && Number.isFinite(number) && (what === 'number' || Number.isInteger(number)) && number >= 0;
  };
  if (step.jsonata) {
    if (state[field] === undefined) return undefined;
    const value = await jsonataField(step, field, state[field]);
    if (!valid(value)) {
      throw new StatesError('States.QueryEvaluationError', `The ${field} field must be a non-negative ${what}, but was: ${JSON.stringify(value)}`);
    }
    return value as number;
  }
  const path = state[`${field}Path`];
  if (typeof path === 'string') {
    const value = resolveValue(path, pathScope(step, input), `${field}Path`);
    if (!valid(value)) throw invalid(`${field}Path`, value, path, what);
    return numeric(value) as number;
  }
  return typeof state[field] === 'number' ? (state[field] as number) : undefined;
}

/** MaxConcurrency: AWS reads it before MapStateStarted. 0 means no limit. */
export async function maxConcurrency(step: StateStep, effectiveInput: unknown): Promise<number> {
  return (await readSetting(step, 'MaxConcurrency', effectiveInput, 'integer')) ?? 0;
}

/** The tolerated failures: AWS reads them after MapStateStarted. */
export async function mapLimits(step: StateStep, effectiveInput: unknown, concurrency: number): Promise<MapLimits> {
  return {
    maxConcurrency: concurrency,
    toleratedCount: await readSetting(step, 'ToleratedFailureCount', effectiveInput, 'integer'),
    toleratedPercentage: await readSetting(step, 'ToleratedFailurePercentage', effectiveInput, 'number'),
  };
}

/** Whether `failures` of `total` items stay within the tolerated count and percentage. */
export function withinTolerance(limits: MapLimits, failures: number, total: number): boolean {
  if (failures === 0) return true;
  if (limits.toleratedCount === undefined && limits.toleratedPercentage === undefined) return false;
  const byCount = limits.toleratedCount !== undefined && failures <= limits.toleratedCount;
  const byPercentage = limits.toleratedPercentage !== undefined && total > 0 && (failures / total) * 100 <= limits.toleratedPercentage;
  return byCount || byPercentage;
}

export function toleranceExceeded(): StatesError {
  return new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
}

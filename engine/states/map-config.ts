// The numeric settings of a Map state (MaxConcurrency, ToleratedFailureCount/Percentage and their
// Path forms, or JSONata expressions), read with AWS's errors; its ItemProcessor, and each item
// as ItemSelector (or Parameters) makes it, which inline iterations and Map Run children share.
import { jsonataField, jsonataScope, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { resolveJsonataTemplate } from '../jsonata/evaluate.ts';
import { evaluatePayloadTemplate, resolveValue } from '../jsonpath/template.ts';
import type { Machine, StateStep } from '../step.ts';

export interface MapLimits {
  maxConcurrency: number;
  toleratedCount: number | undefined;
  toleratedPercentage: number | undefined;
}

/** How AWS reads a numeric setting: the type its causes name, and its range. */
interface Setting {
  field: 'MaxConcurrency' | 'ToleratedFailureCount' | 'ToleratedFailurePercentage';
  type: 'integer' | 'float';
  /** AWS's cause for a number of the right type that a Path gives outside the setting's range. */
  outOfRange(value: number, path: string): string | undefined;
}

function invalidCause(field: string, value: unknown, path: string, type: string): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return `The ${field}Path field refers to value "${shown}" which is not a valid ${type}: ${path}`;
}

const MAX_CONCURRENCY: Setting = {
  field: 'MaxConcurrency',
  type: 'integer',
  outOfRange: (value, path) => (value < 0 ? invalidCause('MaxConcurrency', value, path, 'integer') : undefined),
};
// The tolerated failures' causes as AWS records them.
const TOLERATED_COUNT: Setting = {
  field: 'ToleratedFailureCount',
  type: 'integer',
  outOfRange: (value) => (value < 0 ? 'ToleratedFailureCount cannot be negative.' : undefined),
};
const TOLERATED_PERCENTAGE: Setting = {
  field: 'ToleratedFailurePercentage',
  type: 'float',
  outOfRange: (value) => (value < 0 || value > 100 ? 'ToleratedFailurePercentage must be between 0 and 100.' : undefined),
};

// A path may give a number or a numeric string ("1"), as AWS accepts (recorded for MaxItemsPath,
// MaxItemsPerBatchPath and MaxInputBytesPerBatchPath given "2" and "15000").
const numeric = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

/**
 * The integer a Map's other Path fields give (ReaderConfig's MaxItemsPath, ItemBatcher's), read
 * as the settings above are: a number, or the number a numeric string spells; undefined for any
 * other value, which the caller refuses with invalidPath.
 */
export function pathInteger(value: unknown): number | undefined {
  const number = numeric(value);
  return isOfType(number, 'integer') ? number : undefined;
}

/** AWS's cause for a Path whose value is not a valid integer: `invalidPath('MaxItems', "two", '$.max')`. */
export function invalidPath(field: string, value: unknown, path: string): string {
  return invalidCause(field, value, path, 'integer');
}

/** The cause of a JSONata setting that is not a non-negative number of its type. */
export function jsonataNumberCause(field: string, type: 'integer' | 'float', value: unknown): string {
  return `The ${field} field must be a non-negative ${type === 'integer' ? 'integer' : 'number'}, but was: ${JSON.stringify(value)}`;
}

function isOfType(value: unknown, type: Setting['type']): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (type === 'float' || Number.isInteger(value));
}

async function readSetting(step: StateStep, setting: Setting, input: unknown): Promise<number | undefined> {
  const { state } = step;
  const { field, type } = setting;
  if (step.jsonata) {
    if (state[field] === undefined) return undefined;
    const value = await jsonataField(step, field, state[field]);
    if (!isOfType(value, type) || value < 0) throw new StatesError('States.QueryEvaluationError', jsonataNumberCause(field, type, value));
    return value;
  }
  const path = state[`${field}Path`];
  if (typeof path === 'string') {
    const value = resolveValue(path, pathScope(step, input), `${field}Path`);
    const number = numeric(value);
    if (!isOfType(number, type)) throw new StatesError('States.Runtime', invalidCause(field, value, path, type));
    const outOfRange = setting.outOfRange(number, path);
    if (outOfRange !== undefined) throw new StatesError('States.Runtime', outOfRange);
    return number;
  }
  return typeof state[field] === 'number' ? (state[field] as number) : undefined;
}

/** MaxConcurrency: AWS reads it before MapStateStarted. 0 means no limit. */
export async function maxConcurrency(step: StateStep, effectiveInput: unknown): Promise<number> {
  return (await readSetting(step, MAX_CONCURRENCY, effectiveInput)) ?? 0;
}

/** The tolerated failures: AWS reads them after MapStateStarted. */
export async function mapLimits(step: StateStep, effectiveInput: unknown, concurrency: number): Promise<MapLimits> {
  return {
    maxConcurrency: concurrency,
    toleratedCount: await readSetting(step, TOLERATED_COUNT, effectiveInput),
    toleratedPercentage: await readSetting(step, TOLERATED_PERCENTAGE, effectiveInput),
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

export type ItemProcessor = Machine & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };

/** An iteration's input: ItemSelector (or legacy Parameters) with $$.Map.Item, or the item itself. */
export async function selectItem(step: StateStep, effective: unknown, value: unknown, index: number): Promise<unknown> {
  const { state } = step;
  const template = state.ItemSelector ?? state.Parameters;
  if (template === undefined) return value;
  const context = { ...step.context, Map: { Item: { Index: index, Value: value } } };
  if (step.jsonata) {
    return resolveJsonataTemplate(template, { ...jsonataScope(step), states: { input: step.input, context } }, 'ItemSelector');
  }
  const field = state.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters';
  return evaluatePayloadTemplate(template, { input: effective, context, variables: step.thread.variables.all() }, field);
}

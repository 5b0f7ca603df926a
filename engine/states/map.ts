// Map: runs its ItemProcessor once per item, inline (iterations in child variable scopes, their
// events in this history) or distributed (a Map Run of child executions, see map-run.ts).
import { applyInputPath, jsonataField, jsonataResult, jsonataScope, jsonPathResult, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { resolveJsonataTemplate, unexpectedResultType, isJsonataExpression, jsonType } from '../jsonata/evaluate.ts';
import { evaluatePayloadTemplate, resolveValue } from '../jsonpath/template.ts';
import { runAll } from '../concurrency.ts';
import { errorOutput, runMachine } from '../machine.ts';
import { BranchCancelled, nextOf, Thread, type Machine, type StateOutcome, type StateStep } from '../step.ts';
import { mapLimits, maxConcurrency, toleranceExceeded, withinTolerance, type MapLimits } from './map-config.ts';
import { readItems, runMapRun } from './map-run.ts';

export type ItemProcessor = Machine & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };

export function processorOf(step: StateStep): ItemProcessor {
  return (step.state.ItemProcessor ?? step.state.Iterator) as ItemProcessor;
}

export async function runMap(step: StateStep): Promise<StateOutcome> {
  const { state, thread } = step;
  const next = nextOf(state);
  const processor = processorOf(step);
  const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const effective = step.jsonata ? step.input : applyInputPath(step);
  const items = await mapItems(step, effective);
  const concurrency = await maxConcurrency(step, effective);
  thread.emit('MapStateStarted', { length: items.length });
  const limits = await mapLimits(step, effective, concurrency);
  const select = (index: number): Promise<unknown> => selectItem(step, effective, items[index], index);
  const result = distributed
    ? await runMapRun(step, processor, items.length, select, effective, limits)
    : await runInline(step, processor, items.length, select, limits);
  if (step.jsonata) {
    const { output, assign } = await jsonataResult(step, result, { result });
    return { output, next, assign };
  }
  const { output, assign } = jsonPathResult(step, result);
  return { output, next, assign };
}

async function mapItems(step: StateStep, effective: unknown): Promise<unknown[]> {
  const { state } = step;
  if (state.ItemReader !== undefined) return readItems(step, effective);
  if (step.jsonata) {
    if (state.Items === undefined) return arrayInput(step.input, 'States.QueryEvaluationError');
    const items = await jsonataField(step, 'Items', state.Items);
    if (!Array.isArray(items)) {
      if (isJsonataExpression(state.Items)) throw unexpectedResultType(state.Items, 'Items', 'array', items);
      throw new StatesError('States.QueryEvaluationError', `The field 'Items' must be an array, but was '${jsonType(items)}'`);
    }
    return items;
  }
  const items = typeof state.ItemsPath === 'string' ? resolveValue(state.ItemsPath, pathScope(step, effective), 'ItemsPath') : effective;
  return arrayInput(items, 'States.Runtime');
}

function arrayInput(value: unknown, error: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new StatesError(error, `Map state input must be an array but was: ${JSON.stringify(value)}`);
}

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

async function runInline(
  step: StateStep,
  processor: ItemProcessor,
  count: number,
  select: (index: number) => Promise<unknown>,
  limits: MapLimits,
): Promise<unknown[]> {
  const { thread } = step;
  const run = thread.run;
  const started = thread.prev;
  const token = { cancelled: false };
  let failures = 0;
  const iteration = async (index: number): Promise<unknown> => {
    const iterationThread = new Thread(run, started, thread.variables.child(), token);
    const details = { name: step.name, index };
    iterationThread.emit('MapIterationStarted', { ...details });
    try {
      const output = await runMachine(iterationThread, processor, await select(index), run.jsonata);
      iterationThread.emit('MapIterationSucceeded', { ...details });
      return output;
    } catch (error) {
      if (error instanceof BranchCancelled) {
        iterationThread.emit('MapIterationAborted', { ...details });
        throw error;
      }
      if (!(error instanceof StatesError)) throw error;
      iterationThread.emit('MapIterationFailed', { ...details });
      failures += 1;
      if (limits.toleratedCount === undefined && limits.toleratedPercentage === undefined) throw error;
      if (!withinTolerance(limits, failures, count)) throw toleranceExceeded();
      return errorOutput(error);
    }
  };
  return runAll(
    Array.from({ length: count }, (_, index) => () => iteration(index)),
    limits.maxConcurrency,
    token,
  );
}

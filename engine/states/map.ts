// Map: runs its ItemProcessor once per item, inline (iterations in child variable scopes, their
// events in this history) or distributed (a Map Run of child executions, see map-run.ts).
import { applyInputPath, inspected, jsonataField, jsonataResult, jsonPathResult, pathScope } from '../dataflow.ts';
import { errorOutput, StatesError } from '../errors.ts';
import { unexpectedResultType, isJsonataExpression, jsonType } from '../jsonata/evaluate.ts';
import { resolveValue } from '../jsonpath/template.ts';
import { runAll } from '../concurrency.ts';
import { BranchCancelled, Cancellation, nextOf, Thread, type StateOutcome, type StateStep } from '../step.ts';
import { mapLimits, maxConcurrency, selectItem, toleranceExceeded, withinTolerance, type ItemProcessor, type MapLimits } from './map-config.ts';
import { runMapRun } from './map-run.ts';

export function processorOf(step: StateStep): ItemProcessor {
  return (step.state.ItemProcessor ?? step.state.Iterator) as ItemProcessor;
}

export async function runMap(step: StateStep): Promise<StateOutcome> {
  const { state, thread } = step;
  const next = nextOf(state);
  const processor = processorOf(step);
  const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const effective = step.jsonata ? step.input : applyInputPath(step);
  // An ItemReader reads inside the Map Run: AWS records MapStateStarted with length 0 then.
  const items = state.ItemReader === undefined ? await mapItems(step, effective) : undefined;
  const concurrency = await maxConcurrency(step, effective);
  thread.emit('MapStateStarted', { length: items?.length ?? 0 });
  const limits = await mapLimits(step, effective, concurrency);
  const mock = step.inspection?.mockBranches;
  const result = mock
    ? await mock(step, { effective, ...(items ? { items } : {}), limits })
    : distributed
      ? await runMapRun(step, processor, items, effective, limits)
      : await runInline(step, processor, items ?? [], effective, limits);
  if (step.jsonata) {
    const { output, assign } = await jsonataResult(step, result, { result });
    return { output, next, assign };
  }
  const { output, assign } = jsonPathResult(step, result);
  return { output, next, assign };
}

async function mapItems(step: StateStep, effective: unknown): Promise<unknown[]> {
  const { state } = step;
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
  // A path into the context object that reads no array is refused as AWS words it, the path
  // written from the context's root ("$$.Execution.Input" as "$.Execution.Input"), before
  // TestState's inspection data has it (recorded).
  if (typeof state.ItemsPath === 'string' && state.ItemsPath.startsWith('$$') && !Array.isArray(items)) {
    throw new StatesError('States.Runtime', `Reference path "${state.ItemsPath.slice(1)}" must point to array.`);
  }
  return arrayInput(inspected(step, 'afterItemsPath', items), 'States.Runtime');
}

function arrayInput(value: unknown, error: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new StatesError(error, `Map state input must be an array but was: ${JSON.stringify(value)}`);
}


async function runInline(step: StateStep, processor: ItemProcessor, items: unknown[], effective: unknown, limits: MapLimits): Promise<unknown[]> {
  const { thread } = step;
  const count = items.length;
  const run = thread.run;
  const token = new Cancellation(thread.cancel);
  let failures = 0;
  // previousEventId as AWS records it: an iteration starts after the last event of the iteration
  // that ended before it (or MapStateStarted); the state's next event follows the last
  // MapIterationSucceeded, or the last event of the iteration that failed.
  let lastTail = thread.prev;
  let lastSucceeded = thread.prev;
  let failedTail: number | undefined;
  const iteration = async (index: number): Promise<unknown> => {
    const iterationThread = new Thread(run, lastTail, thread.variables.child(), token);
    const details = { name: step.name, index };
    iterationThread.emit('MapIterationStarted', { ...details });
    try {
      const output = await run.nested.runMachine(iterationThread, processor, await selectItem(step, effective, items[index], index), run.jsonata);
      lastSucceeded = iterationThread.note('MapIterationSucceeded', { ...details });
      lastTail = iterationThread.prev;
      return output;
    } catch (error) {
      if (error instanceof BranchCancelled) {
        iterationThread.note('MapIterationAborted', { ...details });
        throw error;
      }
      if (!(error instanceof StatesError)) throw error;
      iterationThread.note('MapIterationFailed', { ...details });
      lastTail = iterationThread.prev;
      failedTail ??= iterationThread.prev;
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
  ).then(
    (results) => {
      thread.prev = lastSucceeded;
      return results;
    },
    (error: unknown) => {
      thread.prev = failedTail ?? lastTail;
      throw error;
    },
  );
}

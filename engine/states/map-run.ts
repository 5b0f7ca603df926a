// A distributed Map's Map Run: items from the input or an ItemReader (through the dispatcher),
// grouped by an ItemBatcher, each item or batch run as a child execution (STANDARD or EXPRESS)
// with a history and quotas of its own while it runs (what is kept afterwards: map-run-child.ts);
// the parent records MapRunStarted and MapRunSucceeded or MapRunFailed. The Map Run's record is
// live (counts and status as it runs); a ResultWriter hands each child's summary to the dispatcher.
import { randomUUID } from 'node:crypto';
import { jsonataField, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { evaluatePayloadTemplate, resolveValue } from '../jsonpath/template.ts';
import { jsonByteLength, nestingMessage, tooDeep } from '../payload.ts';
import { runAll } from '../concurrency.ts';
import { BranchCancelled, Cancellation, ExecutionInterrupted, type Run, type StateStep } from '../step.ts';
import { itemsTurnDue } from '../turns.ts';
import type { ExecutionContext, MapRunRecord } from '../types.ts';
import { invalidPath, jsonataNumberCause, pathInteger, selectItem, toleranceExceeded, withinTolerance, type ItemProcessor, type MapLimits } from './map-config.ts';
import { childRecord } from './map-run-child.ts';
import { failureOf } from './task.ts';

// AWS runs at most this many child executions of a Map Run at once when MaxConcurrency is unset.
const DISTRIBUTED_DEFAULT_CONCURRENCY = 1000;

async function evaluateFor(step: StateStep, field: string, value: unknown, effective: unknown): Promise<unknown> {
  if (value === undefined) return undefined;
  if (step.jsonata) return jsonataField(step, field, value);
  return evaluatePayloadTemplate(value, pathScope(step, effective), field);
}

// ReaderConfig.MaxItems: AWS reads at most this many items; 0 (or none) means all of them.
const MAX_ITEMS_LIMIT = 100_000_000;

/** ReaderConfig.MaxItems or MaxItemsPath (or a JSONata MaxItems), read with AWS's errors. */
async function maxItemsOf(step: StateStep, config: { MaxItems?: unknown; MaxItemsPath?: unknown }, effective: unknown): Promise<number> {
  let value: number;
  if (typeof config.MaxItemsPath === 'string') {
    const raw = resolveValue(config.MaxItemsPath, pathScope(step, effective), 'MaxItemsPath');
    const integer = pathInteger(raw);
    if (integer === undefined) throw new StatesError('States.ItemReaderFailed', invalidPath('MaxItems', raw, config.MaxItemsPath));
    value = integer;
  } else if (config.MaxItems === undefined) return MAX_ITEMS_LIMIT;
  else {
    const given = step.jsonata ? await jsonataField(step, 'MaxItems', config.MaxItems) : config.MaxItems;
    if (typeof given !== 'number' || !Number.isInteger(given)) {
      throw new StatesError(step.jsonata ? 'States.QueryEvaluationError' : 'States.ItemReaderFailed', `The MaxItems field must be an integer, but was: ${JSON.stringify(given)}`);
    }
    value = given;
  }
  // AWS's cause for a negative count (recorded).
  if (value < 0) throw new StatesError('States.ItemReaderFailed', 'field MaxItems must be positive');
  return value === 0 ? MAX_ITEMS_LIMIT : Math.min(value, MAX_ITEMS_LIMIT);
}

/** ItemReader: the dispatcher reads the items (resource, Parameters/Arguments, ReaderConfig); at most MaxItems of them are kept. */
export async function readItems(step: StateStep, effective: unknown): Promise<unknown[]> {
  const reader = step.state.ItemReader as { Resource: string; Parameters?: unknown; Arguments?: unknown; ReaderConfig?: Record<string, unknown> };
  const parameters = await evaluateFor(step, step.jsonata ? 'Arguments' : 'Parameters', step.jsonata ? reader.Arguments : reader.Parameters, effective);
  const maxItems = await maxItemsOf(step, reader.ReaderConfig ?? {}, effective);
  const run = step.thread.run;
  let items: unknown;
  try {
    items = await step.thread.race(
      run.options.dispatch({
        stateName: step.name,
        resource: reader.Resource,
        parameters: { ...(parameters as object), ...(reader.ReaderConfig ? { ReaderConfig: reader.ReaderConfig } : {}) },
        signal: run.signal,
        execution: run.execution,
      }),
    );
  } catch (raised) {
    if (raised === run.signal.reason || raised instanceof BranchCancelled) throw raised;
    throw new StatesError('States.ItemReaderFailed', failureOf(raised).cause);
  }
  if (!Array.isArray(items)) throw new StatesError('States.ItemReaderFailed', 'The ItemReader did not return an array of items.');
  for (let index = 0; index < items.length; index++) {
    if (tooDeep(items[index])) throw new StatesError('States.ItemReaderFailed', nestingMessage(`Item ${index} the ItemReader read`));
    if (itemsTurnDue(index + 1)) await run.takeTurn();
  }
  return items.length > maxItems ? items.slice(0, maxItems) : items;
}

interface Batching {
  maxItems?: number;
  maxBytes?: number;
  batchInput?: unknown;
}

async function batching(step: StateStep, effective: unknown): Promise<Batching | undefined> {
  const batcher = step.state.ItemBatcher as Record<string, unknown> | undefined;
  if (batcher === undefined) return undefined;
  // A value that is not a non-negative integer is refused as the Map's own settings' are.
  const read = async (field: string): Promise<number | undefined> => {
    if (step.jsonata) {
      if (batcher[field] === undefined) return undefined;
      const value = await jsonataField(step, field, batcher[field]);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new StatesError('States.QueryEvaluationError', jsonataNumberCause(field, 'integer', value));
      return value;
    }
    const path = batcher[`${field}Path`];
    if (typeof path !== 'string') return batcher[field] as number | undefined;
    const raw = resolveValue(path, pathScope(step, effective), `${field}Path`);
    const value = pathInteger(raw);
    if (value === undefined || value < 0) throw new StatesError('States.Runtime', invalidPath(field, raw, path));
    return value;
  };
  return {
    maxItems: await read('MaxItemsPerBatch'),
    maxBytes: await read('MaxInputBytesPerBatch'),
    batchInput: await evaluateFor(step, 'BatchInput', batcher.BatchInput, effective),
  };
}

/**
 * Groups items into batches of at most maxItems items and at most maxBytes bytes, measured as the
 * batch's whole JSON (`{"BatchInput":…,"Items":[…]}`), which is what each child receives.
 */
async function batch(items: unknown[], config: Batching, run: Run): Promise<unknown[]> {
  const wrap = (batchItems: unknown[]) => (config.batchInput === undefined ? { Items: batchItems } : { BatchInput: config.batchInput, Items: batchItems });
  const emptyBytes = jsonByteLength(wrap([]));
  const batches: unknown[] = [];
  let current: unknown[] = [];
  let bytes = emptyBytes;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const itemBytes = jsonByteLength(item);
    const full = (config.maxItems !== undefined && current.length >= config.maxItems) || (config.maxBytes !== undefined && bytes + itemBytes + 1 > config.maxBytes);
    if (current.length > 0 && full) {
      batches.push(wrap(current));
      current = [];
      bytes = emptyBytes;
    }
    bytes += itemBytes + (current.length > 0 ? 1 : 0);
    current.push(item);
    if (itemsTurnDue(index + 1)) await run.takeTurn();
  }
  if (current.length > 0) batches.push(wrap(current));
  return batches;
}

function arnParts(execution: ExecutionContext): { prefix: string; machine: string } {
  const [, partition, , region, account] = execution.executionArn.split(':');
  return { prefix: `arn:${partition ?? 'aws'}:states:${region ?? 'us-east-1'}:${account ?? '000000000000'}`, machine: execution.stateMachineName };
}

/** The items a child is given: its batch's Items, or its one item. */
function itemsIn(input: unknown, batched: boolean): number {
  return batched ? ((input as { Items: unknown[] }).Items.length) : 1;
}

/** Asks the dispatcher's owner whether the role may start the children; a refusal fails the Map state. */
async function authorizeChildren(step: StateStep): Promise<void> {
  const run = step.thread.run;
  const authorize = run.options.authorizeChildStart;
  if (authorize === undefined) return;
  try {
    await authorize(run.execution.stateMachineArn, run.execution);
  } catch (raised) {
    if (raised instanceof StatesError) throw raised;
    throw new StatesError('States.Runtime', failureOf(raised).cause);
  }
}

/** Runs the Map Run; `items` is undefined when an ItemReader reads them (inside the run, as on AWS). */
export async function runMapRun(step: StateStep, processor: ItemProcessor, items: unknown[] | undefined, effective: unknown, limits: MapLimits): Promise<unknown> {
  const { thread } = step;
  const run = thread.run;
  const { prefix, machine } = arnParts(run.execution);
  const label = (step.state.Label as string | undefined) ?? step.name;
  const runId = randomUUID();
  const mapRunArn = `${prefix}:mapRun:${machine}/${label}:${runId}`;
  const childMachineArn = `${prefix}:stateMachine:${machine}/${label}`;
  thread.emit('MapRunStarted', { mapRunArn });
  const executionType = processor.ProcessorConfig?.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const record: MapRunRecord = {
    mapRunArn,
    stateName: step.name,
    executionType,
    status: 'RUNNING',
    maxConcurrency: limits.maxConcurrency,
    toleratedFailureCount: limits.toleratedCount ?? 0,
    toleratedFailurePercentage: limits.toleratedPercentage ?? 0,
    total: { executions: 0, items: 0 },
    running: { executions: 0, items: 0 },
    executions: [],
    inFlight: new Map(),
  };
  run.mapRuns.push(record);
  run.options.onMapRun?.(record, run.execution);
  const failed = (error: unknown) => {
    record.status = error instanceof StatesError ? 'FAILED' : 'ABORTED';
    if (error instanceof StatesError) thread.emit('MapRunFailed', { error: error.name, cause: error.message });
    return error;
  };
  // A ResultWriter that stores the results writes each child's input: only then is it kept.
  const keepInput = (step.state.ResultWriter as { Resource?: unknown } | undefined)?.Resource !== undefined;
  let inputs: unknown[];
  let batched: boolean;
  try {
    const all = items ?? (await readItems(step, effective));
    const selected: unknown[] = [];
    for (let index = 0; index < all.length; index++) {
      selected.push(await selectItem(step, effective, all[index], index));
      if (itemsTurnDue(index + 1)) await run.takeTurn();
    }
    const config = await batching(step, effective);
    batched = config !== undefined;
    inputs = config ? await batch(selected, config, run) : selected;
    record.total = { executions: inputs.length, items: selected.length };
    if (inputs.length > 0) await authorizeChildren(step);
  } catch (error) {
    throw failed(error);
  }
  const token = new Cancellation(thread.cancel);
  let failures = 0;
  const child = async (index: number): Promise<unknown> => {
    if (token.cancelled) throw new BranchCancelled();
    const name = randomUUID();
    const execution: ExecutionContext = {
      ...run.execution,
      executionArn: `${prefix}:execution:${machine}/${label}:${name}`,
      executionName: name,
      startTime: new Date(),
    };
    const input = inputs[index];
    const given = { items: itemsIn(input, batched), keepInput };
    // The child holds its input from here on; a million items' batches need not all stay.
    inputs[index] = undefined;
    // A child ends with the parent (timed out or aborted), and is aborted when a sibling fails the run.
    const stop = new AbortController();
    const onParent = () => stop.abort(run.signal.reason);
    const onSibling = () => stop.abort(new ExecutionInterrupted('ABORTED'));
    run.signal.addEventListener('abort', onParent, { once: true });
    token.signal.addEventListener('abort', onSibling, { once: true });
    record.running.executions += 1;
    record.running.items += given.items;
    record.inFlight.set(index, { executionArn: execution.executionArn, name, startDate: execution.startTime, input });
    const { run: childRun, result: running } = run.nested.startChild(run, execution, stop.signal, input, processor);
    const result = await running.finally(() => {
      run.signal.removeEventListener('abort', onParent);
      token.signal.removeEventListener('abort', onSibling);
      record.running.executions -= 1;
      record.running.items -= given.items;
      record.inFlight.delete(index);
    });
    record.executions[index] = childRecord(executionType, index, execution, input, given, result, childRun.history.events);
    if (result.status === 'SUCCEEDED') return result.output;
    if (result.status !== 'FAILED') throw run.signal.aborted ? run.signal.reason : new BranchCancelled();
    failures += 1;
    if (!withinTolerance(limits, failures, inputs.length)) throw toleranceExceeded();
    return { Error: result.error, Cause: result.cause };
  };
  let results: unknown[];
  try {
    results = await runAll(
      inputs.map((_, index) => () => child(index)),
      limits.maxConcurrency > 0 ? limits.maxConcurrency : DISTRIBUTED_DEFAULT_CONCURRENCY,
      token,
    );
  } catch (error) {
    throw failed(error);
  }
  record.status = 'SUCCEEDED';
  thread.emit('MapRunSucceeded');
  return writeResults(step, effective, record, childMachineArn, results);
}

/**
 * ResultWriter: the dispatcher stores what AWS writes of each child (ExecutionArn, Name, Status,
 * Input, Output or Error and Cause, dates) and its answer is the state's result.
 */
async function writeResults(step: StateStep, effective: unknown, record: MapRunRecord, childMachineArn: string, results: unknown[]): Promise<unknown> {
  const writer = step.state.ResultWriter as { Resource?: string; Parameters?: unknown; Arguments?: unknown; WriterConfig?: unknown } | undefined;
  if (writer?.Resource === undefined) return results;
  const run = step.thread.run;
  const parameters = await evaluateFor(step, step.jsonata ? 'Arguments' : 'Parameters', step.jsonata ? writer.Arguments : writer.Parameters, effective);
  try {
    return await step.thread.race(
      run.options.dispatch({
        stateName: step.name,
        resource: writer.Resource,
        parameters: {
          ...(parameters as object | undefined),
          MapRunArn: record.mapRunArn,
          StateMachineArn: childMachineArn,
          Executions: record.executions.filter((execution) => execution !== undefined),
          ...(writer.WriterConfig ? { WriterConfig: writer.WriterConfig } : {}),
        },
        signal: run.signal,
        execution: run.execution,
      }),
    );
  } catch (raised) {
    if (raised === run.signal.reason || raised instanceof BranchCancelled) throw raised;
    throw new StatesError('States.ResultWriterFailed', failureOf(raised).cause);
  }
}

// TestState: one state run alone, as Step Functions' TestState API runs it. The data flow is
// recorded step by step (InputPath, Parameters, the result, ResultSelector, ResultPath, the output
// and the next state); a Task's result may be mocked, or be an error, which the state's Retry
// (given how many retries already happened) and Catch decide on: RETRIABLE, CAUGHT_ERROR or FAILED.
// Task, Pass, Choice, Wait, Succeed and Fail states, in JSONPath or JSONata; Map and Parallel states
// with a mock only, as AWS tests them: the mock is the state's whole result (or its error), the
// iterations or branches are not run, and stateConfiguration says how many Map iterations failed.
import { checkDefinition } from './definition.ts';
import { StatesError, UnsupportedFeature } from './errors.ts';
import { resolveJsonataTemplate, type JsonataScope } from './jsonata/evaluate.ts';
import { evaluateChoiceRule } from './jsonpath/choice.ts';
import { writeResultPath } from './jsonpath/path.ts';
import type { PathScope } from './jsonpath/scope.ts';
import { evaluatePayloadTemplate, resolveValue } from './jsonpath/template.ts';
import { errorMatches, retryDelayMs, type Catcher, type Retrier } from './retry.ts';
import { toleranceExceeded, withinTolerance } from './states/map-config.ts';

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface TestStateMock {
  result?: unknown;
  errorOutput?: { error?: string; cause?: string };
}

/** A request TestState refuses, with the error code AWS answers it with and AWS's message. */
export class InvalidTestStateRequest extends Error {
  constructor(
    readonly code: 'ValidationException' | 'InvalidDefinition',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTestStateRequest';
  }
}

export interface TestStateRequest {
  /** A state, or a whole state machine with stateName naming the state. */
  definition: unknown;
  stateName?: string;
  input: unknown;
  inspectionLevel?: InspectionLevel;
  mock?: TestStateMock;
  /** Retries already made by the retrier that takes the error. */
  retrierRetryCount?: number;
  /** A mocked Map: how many of its iterations failed (checked against its tolerated failures). */
  mapIterationFailureCount?: number;
  /** A mocked Map or Parallel error: the state inside it the error came from. */
  errorCausedByState?: string;
  /** A Map's ItemReader: the items it read (as parsed from their source). */
  mapItemReaderData?: unknown;
  /** The context object ($$), and the variables the state sees. */
  context?: unknown;
  variables?: Record<string, unknown>;
  /** Performs a Task's call when no mock is given. */
  call?: (stateName: string, resource: string, parameters: unknown) => Promise<unknown>;
}

export interface InspectionData {
  input?: unknown;
  afterArguments?: unknown;
  afterInputPath?: unknown;
  afterParameters?: unknown;
  result?: unknown;
  afterResultSelector?: unknown;
  afterResultPath?: unknown;
  variables?: Record<string, unknown>;
  errorDetails?: { retryIndex?: number; retryBackoffIntervalSeconds?: number; catchIndex?: number };
  /** A Map's steps: its items after ItemsPath (JSONPath), each iteration's input after ItemSelector, and its settings. */
  afterItemsPath?: unknown;
  afterItemSelector?: unknown;
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

export interface TestStateResult {
  status: TestStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  nextState?: string;
  /** At DEBUG and TRACE only (AWS leaves it out at INFO, errorDetails included). */
  inspectionData?: InspectionData;
}

type State = Record<string, unknown> & { Type: string };
type StatesOf = { States?: Record<string, State> };

/** The machines nested in a state: a Parallel's branches, a Map's item processor. */
function machinesIn(state: State): StatesOf[] {
  if (state.Type === 'Parallel') return (Array.isArray(state.Branches) ? state.Branches : []) as StatesOf[];
  const processor = state.ItemProcessor ?? state.Iterator;
  return state.Type === 'Map' && typeof processor === 'object' && processor !== null ? [processor as StatesOf] : [];
}

/** The state named `name` in the machine or any machine nested in it, as stateName may name one. */
function findState(machine: StatesOf, name: string): State | undefined {
  const states = typeof machine.States === 'object' && machine.States !== null ? machine.States : {};
  if (Object.hasOwn(states, name)) return states[name];
  for (const state of Object.values(states)) {
    for (const nested of machinesIn(state)) {
      const found = findState(nested, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** The state to test, and its name. */
export function selectState(definition: unknown, stateName?: string): { name: string; state: State; jsonata: boolean } {
  if (typeof definition !== 'object' || definition === null) throw new StatesError('InvalidDefinition', 'the definition must be a JSON object');
  const machine = definition as StatesOf & { QueryLanguage?: unknown };
  const jsonata = (state: State) => (state.QueryLanguage ?? machine.QueryLanguage) === 'JSONata';
  if (machine.States !== undefined) {
    const name = stateName ?? (Object.keys(machine.States).length === 1 ? Object.keys(machine.States)[0] : undefined);
    if (name === undefined) throw new StatesError('InvalidDefinition', 'stateName is required when the definition holds several states');
    const state = findState(machine, name);
    if (!state) throw new InvalidTestStateRequest('ValidationException', 'State not found in definition');
    return { name, state, jsonata: jsonata(state) };
  }
  const state = definition as State;
  return { name: stateName ?? 'TestState', state, jsonata: jsonata(state) };
}

/** Every state the tested state may go to: each must exist for the definition check, as a Succeed state. */
function targets(state: State): string[] {
  const names = [state.Next, state.Default, ...((state.Choices ?? []) as { Next?: unknown }[]).map((rule) => rule.Next)];
  names.push(...((state.Catch ?? []) as Catcher[]).map((catcher) => catcher.Next));
  return names.filter((name): name is string => typeof name === 'string');
}

/** Checks the state as a machine of its own would be checked at creation. */
function checkState(name: string, state: State, jsonata: boolean): void {
  if (!['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Map', 'Parallel'].includes(state.Type)) {
    throw new UnsupportedFeature(`TestState runs Task, Pass, Choice, Wait, Succeed, Fail, Map and Parallel states; "${name}" is a ${state.Type}`);
  }
  const states: Record<string, unknown> = { [name]: state };
  for (const target of targets(state)) if (target !== name) states[target] = { Type: 'Succeed' };
  checkDefinition({ ...(jsonata ? { QueryLanguage: 'JSONata' } : {}), StartAt: name, States: states });
}

const invalid = (message: string) => new InvalidTestStateRequest('ValidationException', message);

/** What AWS refuses about a mock and the state configuration, with its messages. */
function checkMock(state: State, request: TestStateRequest): void {
  const { mock } = request;
  const composite = state.Type === 'Map' || state.Type === 'Parallel';
  if (request.mapIterationFailureCount !== undefined && !mock) {
    throw invalid('TestState does not support MapIterationFailureCount when a mock is not specified.');
  }
  if (!mock) {
    if (composite) {
      throw new InvalidTestStateRequest(
        'InvalidDefinition',
        'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
      );
    }
    return;
  }
  if (state.Type !== 'Task' && !composite) throw invalid(`State type '${state.Type}' is not supported when a mock is specified`);
  if (composite && request.errorCausedByState !== undefined && !machinesIn(state).some((machine) => findState(machine, request.errorCausedByState!))) {
    throw invalid(`errorCausedByState names no state inside the ${state.Type} state: '${request.errorCausedByState}'`);
  }
  if (!('result' in mock)) return;
  const { result } = mock;
  if (state.Type === 'Map') {
    if (state.ResultWriter !== undefined) {
      if (typeof result !== 'object' || result === null || Array.isArray(result)) throw invalid('Mocked result must be a JSON object.');
    } else if (!Array.isArray(result)) {
      throw invalid('Mocked result must be an array.');
    }
    if (Array.isArray(result) && (request.mapIterationFailureCount ?? 0) > result.length) {
      throw invalid('Map iteration failure count must be less than or equal to the number of Map iterations');
    }
  }
  if (state.Type === 'Parallel') {
    if (!Array.isArray(result)) throw invalid('Mocked result must be an array.');
    if (result.length !== (state.Branches as unknown[]).length) {
      throw invalid('Mocked result must contain the same number of items as number of Parallel branches.');
    }
  }
}

class Flow {
  readonly data: InspectionData = {};
  constructor(
    readonly state: State,
    readonly input: unknown,
    readonly context: unknown,
    readonly variables: Record<string, unknown>,
  ) {
    this.data.input = input;
  }

  /** JSONata's $states and the variables as they were before the state. */
  jsonataScope(extra: { result?: unknown; errorOutput?: unknown } = {}): JsonataScope {
    return { states: { input: this.input, context: this.context, ...extra }, variables: this.variables };
  }

  /** JSONata's tail: Assign and Output (default `fallback`), from the same scope. */
  async jsonataTail(fallback: unknown, extra: { result?: unknown; errorOutput?: unknown }, fields: Record<string, unknown> = this.state): Promise<unknown> {
    const scope = this.jsonataScope(extra);
    if (fields.Assign !== undefined) {
      const assigned = (await resolveJsonataTemplate(fields.Assign, scope, 'Assign')) as Record<string, unknown>;
      this.data.variables = { ...this.variables, ...assigned };
    }
    return fields.Output === undefined ? fallback : resolveJsonataTemplate(fields.Output, scope, 'Output');
  }

  scope(input: unknown): PathScope {
    return { input, context: this.context, variables: this.variables };
  }

  path(field: string, value: unknown): unknown {
    const path = this.state[field];
    if (path === undefined || path === '$') return value;
    if (path === null) return {};
    return resolveValue(path as string, this.scope(value), field);
  }

  inputPath(): unknown {
    return (this.data.afterInputPath = this.path('InputPath', this.input));
  }

  parameters(effective: unknown): unknown {
    const template = this.state.Parameters;
    const value = template === undefined ? effective : evaluatePayloadTemplate(template, this.scope(effective), 'Parameters');
    return (this.data.afterParameters = value);
  }

  /** Assign (on the raw result), ResultSelector, ResultPath, OutputPath; `shown`: whether the raw result is inspection data. */
  result(result: unknown, selector: boolean, shown = true): unknown {
    if (shown) this.data.result = result;
    if (this.state.Assign !== undefined) {
      const assigned = evaluatePayloadTemplate(this.state.Assign, this.scope(result), 'Assign') as Record<string, unknown>;
      this.data.variables = { ...this.variables, ...assigned };
    }
    const template = this.state.ResultSelector;
    const selected = selector && template !== undefined ? evaluatePayloadTemplate(template, this.scope(result), 'ResultSelector') : result;
    if (selector) this.data.afterResultSelector = selected;
    const resultPath = this.state.ResultPath;
    const combined = resultPath === undefined || resultPath === '$' ? selected : writeResultPath(this.input, resultPath as string | null, selected);
    this.data.afterResultPath = combined;
    return this.path('OutputPath', combined);
  }
}

/** A numeric Map setting (MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage), from its value, Path or JSONata expression. */
async function mapSetting(flow: Flow, jsonata: boolean, field: string, effective: unknown): Promise<number | undefined> {
  const { state } = flow;
  let value: unknown;
  if (jsonata) {
    if (state[field] === undefined) return undefined;
    value = await resolveJsonataTemplate(state[field], flow.jsonataScope(), field);
  } else {
    const path = state[`${field}Path`];
    if (typeof path !== 'string') return typeof state[field] === 'number' ? (state[field] as number) : undefined;
    value = resolveValue(path, flow.scope(effective), `${field}Path`);
  }
  // A path may give a numeric string ("1"), as AWS accepts.
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
    throw new StatesError(jsonata ? 'States.QueryEvaluationError' : 'States.Runtime', `The ${field} field must be a non-negative number, but was: ${JSON.stringify(value)}`);
  }
  return number;
}

function mapItems(value: unknown, error: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new StatesError(error, `Map state input must be an array but was: ${JSON.stringify(value)}`);
}

/**
 * A mocked Map: its items (after ItemsPath, or the ItemReader data given), each iteration's input
 * after ItemSelector and its settings are inspection data; its iterations are not run. The result
 * is the mock's, unless the failed iterations given exceed its tolerated failures.
 */
async function mockedMap(flow: Flow, request: TestStateRequest, jsonata: boolean): Promise<unknown> {
  const { state, data } = flow;
  const effective = jsonata ? flow.input : flow.inputPath();
  let items: unknown[] | undefined;
  if (state.ItemReader !== undefined) {
    items = Array.isArray(request.mapItemReaderData) ? request.mapItemReaderData : undefined;
  } else if (jsonata) {
    items = mapItems(state.Items === undefined ? flow.input : await resolveJsonataTemplate(state.Items, flow.jsonataScope(), 'Items'), 'States.QueryEvaluationError');
  } else {
    const value = typeof state.ItemsPath === 'string' ? resolveValue(state.ItemsPath, flow.scope(effective), 'ItemsPath') : effective;
    data.afterItemsPath = value;
    items = mapItems(value, 'States.Runtime');
  }
  const selector = state.ItemSelector ?? (jsonata ? undefined : state.Parameters);
  if (selector !== undefined && items !== undefined) {
    const selected: unknown[] = [];
    for (const [index, value] of items.entries()) {
      const context = { ...(flow.context as object), Map: { Item: { Index: index, Value: value } } };
      selected.push(
        jsonata
          ? await resolveJsonataTemplate(selector, { states: { input: flow.input, context }, variables: flow.variables }, 'ItemSelector')
          : evaluatePayloadTemplate(selector, { input: effective, context, variables: flow.variables }, state.ItemSelector === undefined ? 'Parameters' : 'ItemSelector'),
      );
    }
    data.afterItemSelector = selected;
  }
  data.maxConcurrency = (await mapSetting(flow, jsonata, 'MaxConcurrency', effective)) ?? 0;
  const toleratedCount = await mapSetting(flow, jsonata, 'ToleratedFailureCount', effective);
  const toleratedPercentage = await mapSetting(flow, jsonata, 'ToleratedFailurePercentage', effective);
  if (toleratedCount !== undefined) data.toleratedFailureCount = toleratedCount;
  if (toleratedPercentage !== undefined) data.toleratedFailurePercentage = toleratedPercentage;
  const { mock, mapIterationFailureCount: failures } = request;
  if (mock?.errorOutput) throw mockedError(mock);
  // Without a tolerance AWS does not judge the failures given (the Map would fail with an iteration's own error).
  if (failures !== undefined && (toleratedCount !== undefined || toleratedPercentage !== undefined)) {
    const total = items?.length ?? (Array.isArray(mock?.result) ? mock.result.length : failures);
    if (!withinTolerance({ maxConcurrency: 0, toleratedCount, toleratedPercentage }, failures, total)) throw toleranceExceeded();
  }
  return mock?.result;
}

/** A mocked Parallel: its branches are not run; AWS shows neither its InputPath nor its Parameters or Arguments. */
async function mockedParallel(flow: Flow, request: TestStateRequest, jsonata: boolean): Promise<unknown> {
  const { state, data } = flow;
  if (jsonata) {
    if (state.Arguments !== undefined) await resolveJsonataTemplate(state.Arguments, flow.jsonataScope(), 'Arguments');
  } else {
    flow.parameters(flow.inputPath());
    delete data.afterInputPath;
    delete data.afterParameters;
  }
  if (request.mock?.errorOutput) throw mockedError(request.mock);
  return request.mock?.result;
}

function mockedError(mock: TestStateMock): StatesError {
  return new StatesError(mock.errorOutput?.error ?? '', mock.errorOutput?.cause ?? '');
}

async function runJsonataState(name: string, flow: Flow, request: TestStateRequest): Promise<{ output: unknown; next?: string }> {
  const { state } = flow;
  const next = typeof state.Next === 'string' ? { next: state.Next } : {};
  switch (state.Type) {
    case 'Map':
    case 'Parallel': {
      const result = state.Type === 'Map' ? await mockedMap(flow, request, true) : await mockedParallel(flow, request, true);
      return { output: await flow.jsonataTail(result, { result }), ...next };
    }
    case 'Task': {
      const args = state.Arguments === undefined ? flow.input : await resolveJsonataTemplate(state.Arguments, flow.jsonataScope(), 'Arguments');
      flow.data.afterArguments = args;
      const result = await taskResult(name, state, args, request);
      flow.data.result = result;
      return { output: await flow.jsonataTail(result, { result }), ...next };
    }
    case 'Choice': {
      const rules = (state.Choices ?? []) as (Record<string, unknown> & { Next: string })[];
      for (const [index, rule] of rules.entries()) {
        const holds = await resolveJsonataTemplate(rule.Condition, flow.jsonataScope(), `Choices[${index}].Condition`);
        if (holds === true) return { output: await flow.jsonataTail(flow.input, {}, rule), next: rule.Next };
      }
      if (typeof state.Default !== 'string') throw new StatesError('States.NoChoiceMatched', `No Matches! at state '${name}'`);
      return { output: await flow.jsonataTail(flow.input, {}), next: state.Default };
    }
    case 'Fail': {
      const text = async (field: string) => (state[field] === undefined ? '' : String(await resolveJsonataTemplate(state[field], flow.jsonataScope(), field)));
      throw new StatesError(await text('Error'), await text('Cause'));
    }
    default:
      // Pass, Wait (not waited) and Succeed: Output, by default the input.
      return { output: await flow.jsonataTail(flow.input, {}), ...next };
  }
}

async function runState(name: string, flow: Flow, request: TestStateRequest): Promise<{ output: unknown; next?: string }> {
  const { state } = flow;
  const next = typeof state.Next === 'string' ? state.Next : undefined;
  switch (state.Type) {
    case 'Map':
    case 'Parallel': {
      const result = state.Type === 'Map' ? await mockedMap(flow, request, false) : await mockedParallel(flow, request, false);
      return { output: flow.result(result, true, false), ...(next ? { next } : {}) };
    }
    case 'Task': {
      const parameters = flow.parameters(flow.inputPath());
      const result = await taskResult(name, state, parameters, request);
      return { output: flow.result(result, true), ...(next ? { next } : {}) };
    }
    case 'Pass': {
      const parameters = flow.parameters(flow.inputPath());
      return { output: flow.result(state.Result === undefined ? parameters : state.Result, false), ...(next ? { next } : {}) };
    }
    case 'Choice': {
      const effective = flow.inputPath();
      const rules = (state.Choices ?? []) as (Record<string, unknown> & { Next: string })[];
      const matched = rules.find((rule) => evaluateChoiceRule(rule, flow.scope(effective)));
      const chosen = matched?.Next ?? (state.Default as string | undefined);
      if (chosen === undefined) throw new StatesError('States.NoChoiceMatched', `No Matches! at state '${name}'`);
      return { output: flow.path('OutputPath', effective), next: chosen };
    }
    case 'Fail':
      throw new StatesError((state.Error as string | undefined) ?? '', (state.Cause as string | undefined) ?? '');
    default: {
      // Wait (not waited: TestState reports what the state does with its data) and Succeed.
      const output = flow.path('OutputPath', flow.inputPath());
      return { output, ...(next ? { next } : {}) };
    }
  }
}

async function taskResult(name: string, state: State, parameters: unknown, request: TestStateRequest): Promise<unknown> {
  const { mock } = request;
  if (mock?.errorOutput) throw mockedError(mock);
  if (mock && 'result' in mock) return mock.result;
  if (!request.call) throw new UnsupportedFeature(`"${name}" calls ${String(state.Resource)}: give a mock, or a way to call it`);
  try {
    return await request.call(name, state.Resource as string, parameters);
  } catch (error) {
    if (error instanceof StatesError) throw error;
    const { name: errorName, message } = error as Error;
    throw new StatesError(errorName, message);
  }
}

/** What the state's Retry, then its Catch, make of an error. */
async function handleError(flow: Flow, error: StatesError, retrierRetryCount: number, jsonata: boolean): Promise<TestStateResult> {
  const { state } = flow;
  const failure = { error: error.name, cause: error.message };
  if (['Task', 'Map', 'Parallel'].includes(state.Type)) {
    const retriers = (state.Retry ?? []) as Retrier[];
    const retryIndex = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, error.name));
    const retrier = retriers[retryIndex];
    if (retrier && retrierRetryCount < (retrier.MaxAttempts ?? 3)) {
      const retryBackoffIntervalSeconds = retryDelayMs({ ...retrier, JitterStrategy: 'NONE' }, retrierRetryCount) / 1000;
      return { status: 'RETRIABLE', ...failure, inspectionData: { ...flow.data, errorDetails: { retryIndex, retryBackoffIntervalSeconds } } };
    }
    const catchers = (state.Catch ?? []) as Catcher[];
    const catchIndex = catchers.findIndex((catcher) => errorMatches(catcher.ErrorEquals, error.name));
    const catcher = catchers[catchIndex];
    if (catcher) {
      const errorOutput = { Error: error.name, Cause: error.message };
      let output: unknown;
      if (jsonata) {
        output = await flow.jsonataTail(errorOutput, { errorOutput }, catcher as unknown as Record<string, unknown>);
      } else {
        const resultPath = catcher.ResultPath === undefined ? '$' : catcher.ResultPath;
        output = resultPath === '$' ? errorOutput : writeResultPath(flow.input, resultPath, errorOutput);
      }
      return { status: 'CAUGHT_ERROR', ...failure, output, nextState: catcher.Next, inspectionData: { ...flow.data, errorDetails: { catchIndex } } };
    }
    // A retrier whose attempts are spent: AWS names it in the failure's errorDetails.
    if (retrier) return { status: 'FAILED', ...failure, inspectionData: { ...flow.data, errorDetails: { retryIndex } } };
  }
  return { status: 'FAILED', ...failure, inspectionData: flow.data };
}

/** At INFO, AWS leaves the inspection data out, errorDetails included. */
function atLevel(result: TestStateResult, level: InspectionLevel): TestStateResult {
  if (level !== 'INFO' || !result.inspectionData) return result;
  const { inspectionData: _left, ...rest } = result;
  return rest;
}

/** Runs the state once; rejects only for a request that cannot be tested (DefinitionError, UnsupportedFeature, InvalidTestStateRequest, StatesError InvalidDefinition). */
export async function testState(request: TestStateRequest): Promise<TestStateResult> {
  const { name, state, jsonata } = selectState(request.definition, request.stateName);
  checkState(name, state, jsonata);
  checkMock(state, request);
  const flow = new Flow(state, request.input, request.context ?? {}, request.variables ?? {});
  const level = request.inspectionLevel ?? 'INFO';
  try {
    const { output, next } = await (jsonata ? runJsonataState : runState)(name, flow, request);
    const result: TestStateResult = { status: 'SUCCEEDED', output, ...(next ? { nextState: next } : {}), inspectionData: flow.data };
    return atLevel(result, level);
  } catch (error) {
    if (!(error instanceof StatesError)) throw error;
    return atLevel(await handleError(flow, error, request.retrierRetryCount ?? 0, jsonata), level);
  }
}

// TestState: one state run alone, as Step Functions' TestState API runs it. The data flow is
// recorded step by step (InputPath, Parameters, the result, ResultSelector, ResultPath, the output
// and the next state); a Task's result may be mocked, or be an error, which the state's Retry
// (given how many retries already happened) and Catch decide on: RETRIABLE, CAUGHT_ERROR or FAILED.
// Task, Pass, Choice, Wait, Succeed and Fail states, in JSONPath or JSONata.
import { checkDefinition } from './definition.ts';
import { StatesError, UnsupportedFeature } from './errors.ts';
import { resolveJsonataTemplate, type JsonataScope } from './jsonata/evaluate.ts';
import { evaluateChoiceRule } from './jsonpath/choice.ts';
import { writeResultPath } from './jsonpath/path.ts';
import type { PathScope } from './jsonpath/scope.ts';
import { evaluatePayloadTemplate, resolveValue } from './jsonpath/template.ts';
import { errorMatches, retryDelayMs, type Catcher, type Retrier } from './retry.ts';

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface TestStateMock {
  result?: unknown;
  errorOutput?: { error?: string; cause?: string };
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
}

export interface TestStateResult {
  status: TestStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  nextState?: string;
  /** At DEBUG and TRACE; at INFO only its errorDetails, when an error was retried or caught. */
  inspectionData?: InspectionData;
}

type State = Record<string, unknown> & { Type: string };

/** The state to test, and its name. */
export function selectState(definition: unknown, stateName?: string): { name: string; state: State; jsonata: boolean } {
  if (typeof definition !== 'object' || definition === null) throw new StatesError('InvalidDefinition', 'the definition must be a JSON object');
  const machine = definition as { States?: Record<string, State>; QueryLanguage?: unknown };
  const jsonata = (state: State) => (state.QueryLanguage ?? machine.QueryLanguage) === 'JSONata';
  if (machine.States !== undefined) {
    const name = stateName ?? (Object.keys(machine.States).length === 1 ? Object.keys(machine.States)[0] : undefined);
    if (name === undefined) throw new StatesError('InvalidDefinition', 'stateName is required when the definition holds several states');
    const state = machine.States[name];
    if (!state) throw new StatesError('InvalidDefinition', `the definition has no state named "${name}"`);
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
  if (!['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail'].includes(state.Type)) {
    throw new UnsupportedFeature(`TestState offline runs Task, Pass, Choice, Wait, Succeed and Fail states; "${name}" is a ${state.Type}`);
  }
  const states: Record<string, unknown> = { [name]: state };
  for (const target of targets(state)) if (target !== name) states[target] = { Type: 'Succeed' };
  checkDefinition({ ...(jsonata ? { QueryLanguage: 'JSONata' } : {}), StartAt: name, States: states });
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

  /** Assign (on the raw result), ResultSelector, ResultPath, OutputPath. */
  result(result: unknown, selector: boolean): unknown {
    this.data.result = result;
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

async function runJsonataState(name: string, flow: Flow, request: TestStateRequest): Promise<{ output: unknown; next?: string }> {
  const { state } = flow;
  const next = typeof state.Next === 'string' ? { next: state.Next } : {};
  switch (state.Type) {
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
  if (mock?.errorOutput) throw new StatesError(mock.errorOutput.error ?? '', mock.errorOutput.cause ?? '');
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
  if (state.Type === 'Task') {
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
  }
  return { status: 'FAILED', ...failure, inspectionData: flow.data };
}

/** At INFO, the inspection data is left out but for what was decided about an error. */
function atLevel(result: TestStateResult, level: InspectionLevel): TestStateResult {
  if (level !== 'INFO' || !result.inspectionData) return result;
  const { inspectionData, ...rest } = result;
  return inspectionData.errorDetails ? { ...rest, inspectionData: { errorDetails: inspectionData.errorDetails } } : rest;
}

/** Runs the state once; rejects only for a definition that cannot be tested (DefinitionError, UnsupportedFeature, StatesError InvalidDefinition). */
export async function testState(request: TestStateRequest): Promise<TestStateResult> {
  const { name, state, jsonata } = selectState(request.definition, request.stateName);
  checkState(name, state, jsonata);
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

// TestState: one state run alone, as Step Functions' TestState API runs it, by the engine's own
// state functions and Retry/Catch (machine.ts's attemptState) in a one-state execution. A Task's
// call is answered by the mock (its result or error) or made by the caller's `call`; the state
// step's inspection records the data flow (InputPath, Parameters or Arguments, the result,
// ResultSelector, ResultPath, the variables). An error is what the state's Retry (given the
// retries already made) and Catch make of it: RETRIABLE, CAUGHT_ERROR or FAILED. Map and
// Parallel states run with a mock only, as AWS tests them: the mock stands in for their
// iterations or branches (which do not run), and stateConfiguration says how many Map
// iterations failed.
import { randomUUID } from 'node:crypto';
import { checkDefinition } from './definition.ts';
import { StatesError, UnsupportedFeature } from './errors.ts';
import { newRun } from './execution.ts';
import { isObject } from './json.ts';
import { attemptState, contextOf, enterState, failureOfError } from './machine.ts';
import { DEFAULT_QUOTAS } from './quotas.ts';
import { classifyResource } from './resources.ts';
import { RetryCounter, retryDelayMs, type Retrier } from './retry.ts';
import { selectItem, toleranceExceeded, withinTolerance } from './states/map-config.ts';
import { TaskError } from './states/task.ts';
import { newTaskToken } from './states/task-token.ts';
import { Thread, type Attempt, type BranchesInput, type StateStep } from './step.ts';
import type { ExecutionContext, TaskTokens } from './types.ts';
import { assign, VariableScope } from './variables.ts';

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
  /** The execution role, as the default context object names it. */
  roleArn?: string;
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

/** Every state name in the machine and in the machines nested in it, as stateName may name them. */
export function stateNames(definition: unknown): string[] {
  const machine = (typeof definition === 'object' && definition !== null ? definition : {}) as StatesOf;
  const states = typeof machine.States === 'object' && machine.States !== null ? machine.States : {};
  return Object.entries(states).flatMap(([name, state]) => [name, ...machinesIn(state).flatMap(stateNames)]);
}

// The context object's fields TestState accepts, and the JSON type of each (undefined: any).
const CONTEXT_FIELDS: Record<string, Record<string, 'string' | 'integer' | undefined>> = {
  Execution: { Id: 'string', Input: undefined, Name: 'string', RoleArn: 'string', StartTime: 'string', RedriveCount: 'integer', RedriveTime: 'string' },
  State: { EnteredTime: 'string', Name: 'string', RetryCount: 'integer' },
  StateMachine: { Id: 'string', Name: 'string' },
  Task: { Token: 'string' },
};

/** What AWS refuses in a context object given to TestState, with its messages; `token` whether the state waits for a task token. */
function checkContext(context: unknown, token: boolean): void {
  const refuse = (why: string) => invalid(`Invalid Context object provided: ${why}`);
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw refuse('the context object must be a JSON object');
  for (const [section, value] of Object.entries(context)) {
    if (section === 'Map') throw refuse("'Map' field is not supported when mocking a Context object");
    // A task token exists only in the .sync and .waitForTaskToken integrations (.sync is refused).
    if (section === 'Task' && !token) throw refuse("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern");
    const fields = CONTEXT_FIELDS[section];
    if (fields === undefined) throw refuse(`Field '${section}' is not allowed`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse(`${section} must be a object`);
    for (const [field, fieldValue] of Object.entries(value)) {
      if (!Object.hasOwn(fields, field)) throw refuse(`Field '${field}' is not allowed`);
      const type = fields[field];
      if (type === 'string' && typeof fieldValue !== 'string') throw refuse(`${section}.${field} must be a string`);
      if (type === 'integer' && !Number.isInteger(fieldValue)) throw refuse(`${section}.${field} must be a integer`);
    }
  }
}

/** Every state the tested state may go to: each must exist for the definition check, as a Succeed state. */
function targets(state: State): string[] {
  // Read before the check: a Choices or Catch of another shape is left to it to refuse by name.
  const entries = [state.Choices, state.Catch].flatMap((list: unknown) => (Array.isArray(list) ? (list as unknown[]) : []));
  const names = [state.Next, state.Default, ...entries.map((entry) => (isObject(entry) ? entry.Next : undefined))];
  return names.filter((name): name is string => typeof name === 'string');
}

/** Checks the state as a machine of its own would be checked at creation. */
const resourceKind = (state: State) => (state.Type === 'Task' && typeof state.Resource === 'string' ? classifyResource(state.Resource) : undefined);
const waitsForToken = (kind: ReturnType<typeof resourceKind>) => kind?.kind === 'activity' || (kind?.kind === 'service' && kind.pattern === 'waitForTaskToken');

function checkState(name: string, state: State, jsonata: boolean, mocked: boolean): void {
  if (!['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Map', 'Parallel'].includes(state.Type)) {
    throw new UnsupportedFeature(`TestState runs Task, Pass, Choice, Wait, Succeed, Fail, Map and Parallel states; "${name}" is a ${state.Type}`);
  }
  // A task token would wait for an answer TestState has no way to give, but a mock's (recorded).
  const kind = resourceKind(state);
  if (!mocked && waitsForToken(kind)) {
    throw new UnsupportedFeature(`TestState runs a Task that waits for a task token (activities, .waitForTaskToken) only with a mock: "${name}"`);
  }
  // A job's end would come from a service TestState does not run.
  if (kind?.kind === 'service' && kind.pattern === 'sync') {
    throw new UnsupportedFeature(`state '${name}', field 'Resource': the .sync integration pattern is not supported: ${state.Resource as string}.`);
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

/** The mocked error, as the call or the iterations raised it: given as it is, never re-worded. */
function mockedError(mock: TestStateMock | undefined): StatesError {
  return new TaskError(mock?.errorOutput?.error ?? '', mock?.errorOutput?.cause ?? '');
}

/**
 * A mocked Map's iterations or Parallel's branches: a Map's settings and each iteration's input
 * after ItemSelector are inspection data; the result is the mock's, unless the failed iterations
 * given exceed the tolerated failures.
 */
async function mockedBranches(step: StateStep, given: BranchesInput, request: TestStateRequest, data: InspectionData): Promise<unknown> {
  const { state } = step;
  const { mock, mapIterationFailureCount: failures } = request;
  if (state.Type === 'Map') {
    const limits = { maxConcurrency: 0, toleratedCount: undefined, toleratedPercentage: undefined, ...given.limits };
    data.maxConcurrency = limits.maxConcurrency;
    if (limits.toleratedCount !== undefined) data.toleratedFailureCount = limits.toleratedCount;
    if (limits.toleratedPercentage !== undefined) data.toleratedFailurePercentage = limits.toleratedPercentage;
    const items = given.items ?? (Array.isArray(request.mapItemReaderData) ? request.mapItemReaderData : undefined);
    if (items !== undefined && (state.ItemSelector ?? state.Parameters) !== undefined) {
      const selected: unknown[] = [];
      for (const [index, value] of items.entries()) selected.push(await selectItem(step, given.effective, value, index));
      data.afterItemSelector = selected;
    }
    if (mock?.errorOutput) throw mockedError(mock);
    // Without a tolerance AWS does not judge the failures given (the Map would fail with an iteration's own error).
    if (failures !== undefined && (limits.toleratedCount !== undefined || limits.toleratedPercentage !== undefined)) {
      const total = items?.length ?? (Array.isArray(mock?.result) ? mock.result.length : failures);
      if (!withinTolerance(limits, failures, total)) throw toleranceExceeded();
    }
  }
  if (mock?.errorOutput) throw mockedError(mock);
  return mock?.result;
}

/**
 * A mocked Task that waits for a task token: the mock stands for the token's answer, and the token
 * is the given context's Task.Token, if any, as AWS records it.
 */
function mockedTokens(mock: TestStateMock, context: unknown): TaskTokens {
  const task = isObject(context) && isObject(context.Task) ? context.Task : {};
  const given = typeof task.Token === 'string' ? task.Token : undefined;
  return {
    open: () => ({
      token: given ?? newTaskToken(),
      answer: mock.errorOutput ? Promise.reject(mockedError(mock)) : Promise.resolve(mock.result),
      close: () => undefined,
    }),
  };
}

// The state's name in the context object TestState makes, whichever state it tests (recorded, with
// a stateName of State0 too).
const CONTEXT_STATE_NAME = 'StateName';

/** The one-state execution TestState runs in: its calls answered by the mock, or made by `call`. */
function oneStateThread(request: TestStateRequest, jsonata: boolean): Thread {
  const { mock, call } = request;
  const name = randomUUID();
  const machineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:TestState';
  // As AWS records TestState's context: an express execution's ARN, no RedriveCount.
  const execution: ExecutionContext = {
    executionArn: `arn:aws:states:us-east-1:000000000000:express:TestState:${name}`,
    executionName: name,
    stateMachineArn: machineArn,
    stateMachineName: 'TestState',
    roleArn: request.roleArn ?? '',
    startTime: new Date(),
    testState: true,
  };
  const dispatch = async (task: { stateName: string; resource: string; parameters: unknown }): Promise<unknown> => {
    if (mock?.errorOutput) throw mockedError(mock);
    if (mock && 'result' in mock) return mock.result;
    return call!(task.stateName, task.resource, task.parameters);
  };
  const taskTokens = mock ? { taskTokens: mockedTokens(mock, request.context) } : {};
  const run = newRun(execution, { dispatch, ...taskTokens }, DEFAULT_QUOTAS, new AbortController().signal, request.input, [], jsonata);
  return new NoWaitThread(run, 0, new VariableScope());
}

/** TestState reports what a Wait state does with its data; it does not wait (nor does a retry). */
class NoWaitThread extends Thread {
  override sleep(): Promise<void> {
    return Promise.resolve();
  }
}

// What AWS leaves out of a mocked Map's or Parallel's inspection data.
const HIDDEN: Record<string, (keyof InspectionData)[]> = {
  Map: ['result'],
  Parallel: ['result', 'afterInputPath', 'afterParameters'],
};

function failure(error: StatesError): Pick<TestStateResult, 'error' | 'cause'> {
  const { error: name, cause } = failureOfError(error);
  return { ...(name === undefined ? {} : { error: name }), ...(cause === undefined ? {} : { cause }) };
}

/** The attempt's outcome as TestState answers it. */
function resultOf(attempt: Attempt, state: StateStep['state'], retrierRetryCount: number, data: InspectionData): TestStateResult {
  for (const field of HIDDEN[state.Type] ?? []) delete data[field];
  switch (attempt.status) {
    case 'SUCCEEDED':
    case 'CAUGHT_ERROR': {
      const { output, next } = attempt.outcome;
      const caught = attempt.status === 'CAUGHT_ERROR' ? { ...failure(attempt.error), errorDetails: { catchIndex: attempt.catchIndex } } : undefined;
      const { errorDetails, ...errorFields } = caught ?? {};
      return {
        status: attempt.status,
        ...errorFields,
        output,
        ...(next === undefined ? {} : { nextState: next }),
        inspectionData: { ...data, ...(errorDetails ? { errorDetails } : {}) },
      };
    }
    case 'RETRIABLE': {
      const retrier = (state.Retry as Retrier[])[attempt.retryIndex]!;
      // The backoff before the next attempt, without jitter.
      const retryBackoffIntervalSeconds = retryDelayMs({ ...retrier, JitterStrategy: 'NONE' }, retrierRetryCount) / 1000;
      return { status: 'RETRIABLE', ...failure(attempt.error), inspectionData: { ...data, errorDetails: { retryIndex: attempt.retryIndex, retryBackoffIntervalSeconds } } };
    }
    case 'FAILED': {
      const errorDetails = attempt.retryIndex === undefined ? {} : { errorDetails: { retryIndex: attempt.retryIndex } };
      return { status: 'FAILED', ...failure(attempt.error), inspectionData: { ...data, ...errorDetails } };
    }
  }
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
  checkState(name, state, jsonata, request.mock !== undefined);
  checkMock(state, request);
  if (request.context !== undefined) checkContext(request.context, waitsForToken(resourceKind(state)));
  // AWS documents the variables as a JSON object literal, its keys the variables' names.
  if (request.variables !== undefined && !isObject(request.variables)) throw invalid('Invalid variables provided: the variables must be a JSON object');
  if (state.Type === 'Task' && !request.mock && !request.call) {
    throw new UnsupportedFeature(`"${name}" calls ${String(state.Resource)}: give a mock, or a way to call it`);
  }
  const level = request.inspectionLevel ?? 'INFO';
  const retrierRetryCount = request.retrierRetryCount ?? 0;
  const thread = oneStateThread(request, jsonata);
  const data: InspectionData = { input: request.input };
  const step: StateStep = {
    thread,
    name,
    state,
    jsonata,
    input: request.input,
    context: contextOf({ thread, name: CONTEXT_STATE_NAME, state }, thread.run.execution.startTime, retrierRetryCount),
    enteredEventId: enterState(thread, name, state, request.input),
    inspection: {
      record: (field, value) => {
        data[field] = value;
      },
      mockBranches: (mapOrParallel, given) => mockedBranches(mapOrParallel, given, request, data),
    },
  };
  // A context given stands for the whole context object, as AWS takes it.
  if (request.context !== undefined) step.context = request.context as StateStep['context'];
  try {
    if (request.variables !== undefined) assign(thread.variables, request.variables);
    const attempt = await attemptState(step, new RetryCounter(state.Retry as Retrier[] | undefined, retrierRetryCount));
    // The variables after the state, those given included: whenever the state assigns or there are any (recorded).
    if (attempt.status === 'SUCCEEDED' || attempt.status === 'CAUGHT_ERROR') {
      const variables = thread.variables.all();
      if (attempt.outcome.assign !== undefined || Object.keys(variables).length > 0) data.variables = variables;
    }
    return atLevel(resultOf(attempt, state, retrierRetryCount, data), level);
  } catch (error) {
    if (!(error instanceof StatesError)) throw error;
    // An error raised while catching another (a catcher's ResultPath, say): the state fails with it.
    return atLevel({ status: 'FAILED', ...failure(error), inspectionData: data }, level);
  }
}

// Runs a machine's states (the top level, a Parallel branch, a Map iteration or a child
// execution) from StartAt to its end, recording Entered/Exited events, and applies each state's
// Retry and Catch. Errors AWS raises from a state's own data processing get AWS's prefix naming
// the state and the event that entered it.
import { stateContext, type ContextObject } from './context.ts';
import { jsonataResult, jsonPathAssign, applyResultPath } from './dataflow.ts';
import { errorOutput, StatesError } from './errors.ts';
import { currentTime, HistoryLimitReached, withAssignedVariables, withStatePayload } from './history.ts';
import { checkPayload, measureAssigned } from './quotas.ts';
import { findCatcher, retrierIndex, RetryCounter, type Catcher, type Retrier } from './retry.ts';
import { runChoice } from './states/choice.ts';
import { FailStateError, runFail } from './states/fail.ts';
import { runMap } from './states/map.ts';
import { runParallel } from './states/parallel.ts';
import { runPass } from './states/pass.ts';
import { runSucceed } from './states/succeed.ts';
import { runTask, TaskError, TaskTimeout } from './states/task.ts';
import { runWait } from './states/wait.ts';
import { BranchCancelled, ExecutionInterrupted, type Attempt, type Machine, type StateDefinition, type StateExecutor, type StateOutcome, type StateStep, type Thread } from './step.ts';
import { assign } from './variables.ts';

const EXECUTORS: Record<string, StateExecutor> = {
  Pass: runPass,
  Task: runTask,
  Choice: runChoice,
  Wait: runWait,
  Succeed: runSucceed,
  Fail: runFail,
  Parallel: runParallel,
  Map: runMap,
};

/** Each state type's Entered and Exited event names, made once: a name made per event is a new string each time. */
const STATE_EVENTS: Readonly<Record<string, { entered: string; exited: string }>> = Object.fromEntries(
  Object.keys(EXECUTORS).map((type) => [type, { entered: `${type}StateEntered`, exited: `${type}StateExited` }]),
);

const RETRYING_TYPES: ReadonlySet<string> = new Set(['Task', 'Parallel', 'Map']);
const ABORTABLE_TYPES = new Set(['Task', 'Wait', 'Parallel', 'Map']);

// Errors of a state's own evaluation, whose cause AWS prefixes with the state and its entry.
const STATE_ERRORS = new Set([
  'States.Runtime',
  'States.QueryEvaluationError',
  'States.IntrinsicFailure',
  'States.ParameterPathFailure',
  'States.ResultPathMatchFailure',
]);

/** Errors already attributed to a state (prefixed, or reported by an inner state): passed on as they are. */
const attributed = new WeakSet<Error>();

/** An error that ends a machine; `error`/`cause` are undefined when a Fail state named none. */
export interface Failure {
  error: string | undefined;
  cause: string | undefined;
}

export function failureOfError(error: StatesError): Failure {
  if (error instanceof FailStateError) return { error: error.failError, cause: error.failCause };
  if (error instanceof TaskTimeout) return { error: error.name, cause: undefined };
  return { error: error.name, cause: error.message };
}

function isInternal(error: unknown): boolean {
  return error instanceof ExecutionInterrupted || error instanceof HistoryLimitReached || error instanceof BranchCancelled;
}

/** Runs a machine from StartAt; resolves with its output, rejects with the StatesError that ended it. */
export async function runMachine(thread: Thread, machine: Machine, input: unknown, defaultJsonata: boolean): Promise<unknown> {
  let name = machine.StartAt;
  let value = input;
  let valueBytes: number | undefined;
  for (;;) {
    await thread.checkpoint();
    // A sibling branch may have failed during the wait.
    thread.stopIfCancelled();
    const state = machine.States[name]!;
    const jsonata = state.QueryLanguage === undefined ? defaultJsonata : state.QueryLanguage === 'JSONata';
    const ran = runState(thread, name, state, value, jsonata, valueBytes);
    const outcome = ran instanceof Promise ? await ran : ran;
    if (outcome.next === undefined) return outcome.output;
    name = outcome.next;
    value = outcome.output;
    valueBytes = outcome.outputBytes;
  }
}

/** Records the state's Entered event (with the input's size, when known); returns its id. */
export function enterState(thread: Thread, name: string, state: StateDefinition, input: unknown, inputBytes?: number): number {
  return thread.emit(STATE_EVENTS[state.Type]!.entered, withStatePayload({ name }, 'input', input, inputBytes));
}

/** The context the state sees: $$.State.RetryCount only on the states that can retry. */
export function contextOf(step: Pick<StateStep, 'thread' | 'name' | 'state'>, entered: Date, retryCount: number): ContextObject {
  return stateContext(step.thread.run.baseContext, step.name, entered, RETRYING_TYPES.has(step.state.Type) ? retryCount : undefined);
}

// A state that waits for nothing is run, retried and caught without a promise (StateExecutor):
// runState and attemptState give a value when the state's executor did.

/** A state from its Entered event to its outcome, through its retries; throws (or rejects with) what ends the machine. */
function runState(thread: Thread, name: string, state: StateDefinition, input: unknown, jsonata: boolean, inputBytes: number | undefined): StateOutcome | Promise<StateOutcome> {
  const entered = currentTime();
  const enteredEventId = enterState(thread, name, state, input, inputBytes);
  const retries = new RetryCounter(state.Retry as Retrier[] | undefined);
  const step = attemptStep(thread, name, state, input, jsonata, entered, enteredEventId, retries);
  const attempt = attemptState(step, retries);
  return attempt instanceof Promise ? attempt.then((settled) => afterAttempt(step, entered, retries, settled)) : afterAttempt(step, entered, retries, attempt);
}

function attemptStep(thread: Thread, name: string, state: StateDefinition, input: unknown, jsonata: boolean, entered: Date, enteredEventId: number, retries: RetryCounter): StateStep {
  const step: StateStep = { thread, name, state, jsonata, input, context: contextOf({ thread, name, state }, entered, retries.total), enteredEventId };
  if (thread.run.inspect) step.inspection = thread.run.inspect(step);
  return step;
}

function afterAttempt(step: StateStep, entered: Date, retries: RetryCounter, attempt: Attempt): StateOutcome | Promise<StateOutcome> {
  step.inspection?.attempted?.(attempt);
  if (attempt.status === 'RETRIABLE') return retryAfter(step, entered, retries, attempt.delayMs);
  if (attempt.status === 'FAILED') throw attempt.error;
  return attempt.outcome;
}

async function retryAfter(step: StateStep, entered: Date, retries: RetryCounter, delayMs: number): Promise<StateOutcome> {
  const { thread, name, state, input, jsonata, enteredEventId } = step;
  const run = thread.run;
  await thread.sleep(run.options.retryDelay ? run.options.retryDelay(name, delayMs) : delayMs);
  const next = attemptStep(thread, name, state, input, jsonata, entered, enteredEventId, retries);
  return afterAttempt(next, entered, retries, await attemptState(next, retries));
}

/**
 * One attempt at a state: its outcome, or what its Retry (counted by `retries`, not waited for
 * here) and then its Catch make of its error. Rejects (or throws) only with what ends the
 * execution otherwise (an interruption, a cancelled branch, an internal error).
 */
export function attemptState(step: StateStep, retries: RetryCounter): Attempt | Promise<Attempt> {
  let ran: StateOutcome | Promise<StateOutcome>;
  try {
    ran = EXECUTORS[step.state.Type]!(step);
  } catch (raised) {
    return failedAttempt(step, retries, raised);
  }
  return ran instanceof Promise ? ran.then((outcome) => succeeded(step, retries, outcome), (raised: unknown) => failedAttempt(step, retries, raised)) : succeeded(step, retries, ran);
}

function succeeded(step: StateStep, retries: RetryCounter, outcome: StateOutcome): Attempt | Promise<Attempt> {
  const { thread, name, state } = step;
  try {
    const outputBytes = checkPayload(outcome.output, thread.run.quotas, name);
    const assignedBytes = outcome.assign === undefined ? undefined : measureAssigned(outcome.assign, name);
    if (state.Type === 'Map' || state.Type === 'Parallel') thread.note(`${state.Type}StateSucceeded`);
    return { status: 'SUCCEEDED', outcome: exit(step, outcome, outputBytes, assignedBytes) };
  } catch (raised) {
    return failedAttempt(step, retries, raised);
  }
}

// What an error makes of the attempt, decided at once unless a JSONata Catch is to be evaluated:
// a failure then reaches its Parallel or Map in a few turns of the microtask queue, while a
// sibling branch of states that wait for nothing runs one of them a turn.
function failedAttempt(step: StateStep, retries: RetryCounter, raised: unknown): Attempt | Promise<Attempt> {
  const { thread, state } = step;
  // A sibling branch failed while this state was running: AWS records it as aborted.
  if (raised instanceof BranchCancelled && ABORTABLE_TYPES.has(state.Type)) thread.emit(`${state.Type}StateAborted`);
  if (isInternal(raised) || !(raised instanceof StatesError)) throw raised;
  const error = attribute(step, raised);
  if (error.name === 'States.Runtime' || error.name === 'States.DataLimitExceeded') return { status: 'FAILED', error };
  const retryIndex = retrierIndex(state.Retry as Retrier[] | undefined, error.name);
  const delayMs = retries.next(error.name);
  if (delayMs !== undefined) return { status: 'RETRIABLE', error, retryIndex, delayMs };
  if (state.Type === 'Map' || state.Type === 'Parallel') thread.emit(`${state.Type}StateFailed`);
  const catchers = state.Catch as Catcher[] | undefined;
  const catcher = findCatcher(catchers, error.name);
  // A retrier whose attempts are spent is named too, as TestState's errorDetails does.
  if (!catcher) return { status: 'FAILED', error, ...(retryIndex >= 0 ? { retryIndex } : {}) };
  const catchIndex = catchers!.indexOf(catcher);
  const outcome = caught(step, catcher, error);
  if (outcome instanceof Promise) return outcome.then((settled): Attempt => ({ status: 'CAUGHT_ERROR', error, catchIndex, outcome: exit(step, settled) }));
  return { status: 'CAUGHT_ERROR', error, catchIndex, outcome: exit(step, outcome) };
}

/**
 * Records the state's Exited event. The sizes the quota checks measured go on: `outputBytes` with
 * the output, `assignedBytes` (each variable's) to assign().
 */
function exit(step: StateStep, outcome: StateOutcome, outputBytes?: number, assignedBytes?: ReadonlyMap<string, number>): StateOutcome {
  if (step.state.Type === 'Fail') return outcome;
  if (outcome.assign !== undefined) assign(step.thread.variables, outcome.assign, assignedBytes);
  const details = withStatePayload({ name: step.name }, 'output', outcome.output, outputBytes);
  if (outputBytes !== undefined) outcome.outputBytes = outputBytes;
  if (outcome.assign !== undefined && Object.keys(outcome.assign).length > 0) withAssignedVariables(details, outcome.assign);
  step.thread.emit(STATE_EVENTS[step.state.Type]!.exited, details);
  return outcome;
}

/** Gives a state's own runtime error AWS's prefix, and records EvaluationFailed for a JSONata failure. */
function attribute(step: StateStep, error: StatesError): StatesError {
  if (attributed.has(error) || error instanceof TaskError || error instanceof FailStateError) return error;
  let result = error;
  const location = locationOf(error.message);
  // TestState answers with the state's own cause: AWS decorates an execution's failure (recorded).
  if (STATE_ERRORS.has(error.name) && !step.thread.run.execution.testState) {
    result = new StatesError(
      error.name,
      `An error occurred while executing the state '${step.name}' (entered at the event id #${step.enteredEventId}). ${error.message}`,
    );
  }
  attributed.add(result);
  if (result.name === 'States.QueryEvaluationError') {
    // AWS links EvaluationFailed to the event before the state's Entered event, except in a Wait
    // state, whose wait is evaluated after it entered.
    const thread = step.thread;
    if (step.state.Type !== 'Wait') thread.prev = thread.run.history.events[step.enteredEventId - 1]!.previousEventId;
    const details: Record<string, string> = { error: result.name, cause: result.message };
    if (location !== undefined) details.location = location;
    details.state = step.name;
    thread.emit('EvaluationFailed', details);
  }
  return result;
}

/** The field an evaluation error names (`Output/result`, `Items`, `Timestamp`), as EvaluationFailed's location. */
function locationOf(message: string): string | undefined {
  return /specified for the field '([^']+)'/.exec(message)?.[1] ?? /^The (\w+) field /.exec(message)?.[1];
}

/** The output, next state and assignments of a Catch that took `error`. */
function caught(step: StateStep, catcher: Catcher, error: StatesError): StateOutcome | Promise<StateOutcome> {
  const errorValue = errorOutput(error);
  if (step.jsonata) {
    return jsonataResult(step, errorValue, { errorOutput: errorValue }, catcher).then(({ output, assign: assigned }) => ({ output, next: catcher.Next, assign: assigned }));
  }
  const assigned = jsonPathAssign(step, catcher.Assign, errorValue);
  // A catcher's ResultPath defaults to `$` (the error output replaces the input), whatever the state's is.
  const output = applyResultPath(step, errorValue, catcher.ResultPath ?? ('ResultPath' in catcher ? null : '$'));
  return { output, next: catcher.Next, assign: assigned };
}

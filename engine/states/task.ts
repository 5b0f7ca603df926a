// Task: one resource call through the dispatcher, with the events AWS records for its kind,
// TimeoutSeconds (no timeout unless the state sets one, as on AWS) and HeartbeatSeconds passed on.
import { applyInputPath, applyParameters, inspected, jsonataField, jsonataResult, jsonPathResult, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { withPayload } from '../history.ts';
import { resolveValue } from '../jsonpath/template.ts';
import { checkPayload } from '../quotas.ts';
import { classifyResource } from '../resources.ts';
import { abortWaiters, BranchCancelled, nextOf, type StateOutcome, type StateStep } from '../step.ts';
import { setLongTimeout } from '../timers.ts';
import type { TaskCall } from '../types.ts';
import { TokenTask } from './task-token.ts';

type Prefix = 'Task' | 'LambdaFunction' | 'Activity';

/** The names of a call's end events, made once: a name made per event is a new string each time. */
const END_EVENTS: Readonly<Record<Prefix, { succeeded: string; failed: string; timedOut: string }>> = {
  Task: { succeeded: 'TaskSucceeded', failed: 'TaskFailed', timedOut: 'TaskTimedOut' },
  LambdaFunction: { succeeded: 'LambdaFunctionSucceeded', failed: 'LambdaFunctionFailed', timedOut: 'LambdaFunctionTimedOut' },
  Activity: { succeeded: 'ActivitySucceeded', failed: 'ActivityFailed', timedOut: 'ActivityTimedOut' },
};

let lastExecutionArn: string | undefined;
let lastRegion = '';

/** The region an execution runs in, from its ARN (remembered for the last ARN asked: every call of a run asks it). */
function regionOf(executionArn: string): string {
  if (executionArn !== lastExecutionArn) {
    lastRegion = executionArn.split(':')[3] ?? 'us-east-1';
    lastExecutionArn = executionArn;
  }
  return lastRegion;
}

/** An error raised by the dispatcher: never re-worded as a state's runtime error. */
export class TaskError extends StatesError {}

/**
 * A Task that ran past its TimeoutSeconds (or, waiting for a task token, its HeartbeatSeconds
 * between heartbeats). AWS records it with no cause (TaskTimedOut, ExecutionFailed), and a Catch
 * passes it on as {"Error": "States.Timeout", "Cause": ""}.
 */
export class TaskTimeout extends TaskError {
  constructor(name: 'States.Timeout' | 'States.HeartbeatTimeout' = 'States.Timeout') {
    super(name, '');
  }
}

export function runTask(step: StateStep): Promise<StateOutcome> {
  const kind = classifyResource(step.state.Resource as string);
  if (kind.kind === 'service' && kind.pattern === 'waitForTaskToken') return runCallback(step);
  return runCall(step, undefined);
}

async function runCallback(step: StateStep): Promise<StateOutcome> {
  // A callback's token is in the context before its arguments are evaluated: a new one each attempt.
  const token = new TokenTask(step);
  step.context.Task = { Token: token.wait.token };
  try {
    return await runCall(step, token);
  } finally {
    token.close();
  }
}

async function runCall(step: StateStep, token: TokenTask | undefined): Promise<StateOutcome> {
  const { state } = step;
  const next = nextOf(state);
  const resource = state.Resource as string;
  if (step.jsonata) {
    const args = inspected(step, 'afterArguments', state.Arguments === undefined ? step.input : await jsonataField(step, 'Arguments', state.Arguments));
    const timeouts = await jsonataTimeouts(step);
    const result = await callResource(step, resource, args, timeouts, token);
    const { output, assign } = await jsonataResult(step, result, { result });
    return { output, next, assign };
  }
  const effective = applyInputPath(step);
  const parameters = applyParameters(step, effective);
  const result = await callResource(step, resource, parameters, jsonPathTimeouts(step, effective), token);
  const { output, assign } = jsonPathResult(step, result);
  return { output, next, assign };
}

interface Timeouts {
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

function positiveInteger(step: StateStep, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StatesError('States.Runtime', `The ${field} field refers to value "${JSON.stringify(value)}" which is not a valid positive integer`);
  }
  return value;
}

function jsonPathTimeouts(step: StateStep, effective: unknown): Timeouts {
  const { state } = step;
  const timeouts: Timeouts = {};
  if (typeof state.TimeoutSeconds === 'number') timeouts.timeoutSeconds = state.TimeoutSeconds;
  if (typeof state.TimeoutSecondsPath === 'string') {
    timeouts.timeoutSeconds = positiveInteger(step, 'TimeoutSecondsPath', resolveValue(state.TimeoutSecondsPath, pathScope(step, effective), 'TimeoutSecondsPath'));
  }
  if (typeof state.HeartbeatSeconds === 'number') timeouts.heartbeatSeconds = state.HeartbeatSeconds;
  if (typeof state.HeartbeatSecondsPath === 'string') {
    timeouts.heartbeatSeconds = positiveInteger(step, 'HeartbeatSecondsPath', resolveValue(state.HeartbeatSecondsPath, pathScope(step, effective), 'HeartbeatSecondsPath'));
  }
  return timeouts;
}

async function jsonataTimeouts(step: StateStep): Promise<Timeouts> {
  const { state } = step;
  const timeouts: Timeouts = {};
  if (state.TimeoutSeconds !== undefined) {
    timeouts.timeoutSeconds = positiveInteger(step, 'TimeoutSeconds', await jsonataField(step, 'TimeoutSeconds', state.TimeoutSeconds));
  }
  if (state.HeartbeatSeconds !== undefined) {
    timeouts.heartbeatSeconds = positiveInteger(step, 'HeartbeatSeconds', await jsonataField(step, 'HeartbeatSeconds', state.HeartbeatSeconds));
  }
  return timeouts;
}

/** The error name and cause of whatever the dispatcher rejected with. */
export function failureOf(error: unknown): { error: string; cause: string } {
  if (error instanceof Error) return { error: error.name, cause: error.message };
  if (error && typeof error === 'object' && 'error' in error) {
    const { error: name, cause } = error as { error: unknown; cause?: unknown };
    return { error: String(name), cause: cause === undefined ? '' : String(cause) };
  }
  return { error: 'States.TaskFailed', cause: String(error) };
}

/**
 * Calls the dispatcher, recording Scheduled/Started/Succeeded|Failed|TimedOut as AWS does for this
 * resource; with a callback's `token`, records TaskSubmitted with the call's result and waits for
 * the token's answer. An activity is not dispatched: its task waits for a worker. Not async: it
 * returns awaitCall's promise itself, which an async function would wrap in one more.
 */
export function callResource(step: StateStep, resource: string, parameters: unknown, timeouts: Timeouts, token?: TokenTask): Promise<unknown> {
  const { thread } = step;
  const run = thread.run;
  checkPayload(parameters, run.quotas, step.name);
  const kind = classifyResource(resource);
  if (kind.kind === 'activity') return runActivity(step, resource, parameters, timeouts);
  const region = regionOf(run.execution.executionArn);
  const prefix: Prefix = kind.kind === 'lambda' ? 'LambdaFunction' : 'Task';
  const ids = kind.kind === 'service' ? { resourceType: kind.resourceType, resource: kind.resource } : {};
  if (kind.kind === 'lambda') {
    const details = withPayload({ resource }, 'input', parameters);
    if (timeouts.timeoutSeconds !== undefined) details.timeoutInSeconds = timeouts.timeoutSeconds;
    thread.emit('LambdaFunctionScheduled', details);
    thread.emit('LambdaFunctionStarted');
  } else {
    const details = withPayload({ ...ids, region }, 'parameters', parameters, false);
    if (timeouts.timeoutSeconds !== undefined) details.timeoutInSeconds = timeouts.timeoutSeconds;
    if (timeouts.heartbeatSeconds !== undefined) details.heartbeatInSeconds = timeouts.heartbeatSeconds;
    thread.emit('TaskScheduled', details);
    thread.emit('TaskStarted', { ...ids });
  }
  return awaitCall(step, prefix, ids, timeouts, token, (signal) => {
    const submitted = kind.kind === 'service' && kind.pattern === 'sync' ? (output: unknown) => thread.emit('TaskSubmitted', withPayload({ ...ids }, 'output', output)) : undefined;
    const request: TaskCall = { stateName: step.name, resource, parameters, ...timeouts, signal, execution: run.execution };
    if (submitted) request.submitted = submitted;
    if (token) request.taskToken = token.wait.token;
    const call = run.options.dispatch(request);
    if (!token) return call;
    return call.then((submitted) => {
      thread.emit('TaskSubmitted', withPayload({ ...ids }, 'output', submitted));
      return token.wait.answer;
    });
  });
}

/** An activity's task: scheduled for a worker (GetActivityTask), started when one takes it, ended by its answer. */
async function runActivity(step: StateStep, resource: string, parameters: unknown, timeouts: Timeouts): Promise<unknown> {
  const { thread } = step;
  let token: TokenTask;
  try {
    token = new TokenTask(step, { arn: resource, input: parameters });
  } catch (raised) {
    if (raised instanceof StatesError && raised.name === 'States.Runtime') throw raised;
    const { error, cause } = failureOf(raised);
    thread.emit('ActivityScheduleFailed', { resource, error, cause });
    throw new TaskError(error, cause);
  }
  try {
    const details = withPayload({ resource }, 'input', parameters);
    if (timeouts.timeoutSeconds !== undefined) details.timeoutInSeconds = timeouts.timeoutSeconds;
    if (timeouts.heartbeatSeconds !== undefined) details.heartbeatInSeconds = timeouts.heartbeatSeconds;
    thread.emit('ActivityScheduled', details);
    // The heartbeat clock runs from the moment a worker has the task.
    let started: () => void = () => undefined;
    const takenByWorker = new Promise<void>((resolve) => {
      started = resolve;
    });
    token.whenStarted((workerName) => {
      thread.emit('ActivityStarted', workerName === undefined ? {} : { workerName });
      started();
    });
    return await awaitCall(step, 'Activity', {}, { ...timeouts, heartbeatSeconds: undefined }, undefined, () =>
      Promise.race([token.wait.answer, takenByWorker.then(() => token.heartbeatClock(timeouts.heartbeatSeconds, () => new TaskTimeout('States.HeartbeatTimeout')))]),
    );
  } finally {
    token.close();
  }
}

/** Awaits `call` against TimeoutSeconds (and a callback's heartbeats), recording its end as `<prefix>Succeeded|Failed|TimedOut`. */
async function awaitCall(
  step: StateStep,
  prefix: Prefix,
  ids: { resourceType?: string; resource?: string },
  timeouts: Timeouts,
  token: TokenTask | undefined,
  call: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const { thread } = step;
  const run = thread.run;
  // The call's signal: the execution's own, unless a timeout or a sibling branch can also end it
  // (one controller per call only then: the project's loop makes thousands of calls).
  const controller = timeouts.timeoutSeconds !== undefined || thread.cancel !== undefined || token !== undefined ? new AbortController() : undefined;
  let stopWaiting: (() => void) | undefined;
  if (controller) {
    // Aborted with the reason of whichever signal aborts first.
    const onAbort = (reason: unknown) => controller.abort(reason);
    const interrupted = abortWaiters(run.signal);
    const cancelled = thread.cancel && abortWaiters(thread.cancel.signal);
    interrupted.add(onAbort);
    cancelled?.add(onAbort);
    stopWaiting = () => {
      interrupted.delete(onAbort);
      cancelled?.delete(onAbort);
    };
  }
  let cancelTimer: (() => void) | undefined;
  try {
    const racers: Promise<unknown>[] = [call(controller?.signal ?? run.signal)];
    if (timeouts.timeoutSeconds !== undefined) {
      const seconds = timeouts.timeoutSeconds;
      racers.push(
        new Promise((_, reject) => {
          cancelTimer = setLongTimeout(() => reject(new TaskTimeout()), seconds * 1000);
        }),
      );
    }
    if (token) racers.push(token.heartbeatClock(timeouts.heartbeatSeconds, () => new TaskTimeout('States.HeartbeatTimeout')));
    const result = await thread.race(racers.length === 1 ? racers[0]! : Promise.race(racers));
    checkPayload(result, run.quotas, step.name);
    thread.emit(END_EVENTS[prefix].succeeded, withPayload({ ...ids }, 'output', result));
    return result;
  } catch (raised) {
    if (raised === run.signal.reason || raised instanceof BranchCancelled || (raised instanceof StatesError && raised.name === 'States.DataLimitExceeded')) throw raised;
    if (raised instanceof TaskTimeout) {
      controller?.abort(raised);
      thread.emit(END_EVENTS[prefix].timedOut, { ...ids, error: raised.name });
      throw raised;
    }
    const { error, cause } = failureOf(raised);
    thread.emit(END_EVENTS[prefix].failed, { ...ids, error, cause });
    throw new TaskError(error, cause);
  } finally {
    cancelTimer?.();
    stopWaiting?.();
  }
}

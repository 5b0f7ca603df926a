// Runs one execution (the top level, or a distributed Map's child): ExecutionStarted, the states,
// and the terminal event, with the execution's timeout and abort.
import { executionContext } from './context.ts';
import { checkDefinition } from './definition.ts';
import { StatesError } from './errors.ts';
import { History, withStatePayload } from './history.ts';
import { failureOfError, runMachine } from './machine.ts';
import { nestingMessage, tooDeep } from './payload.ts';
import { DEFAULT_QUOTAS } from './quotas.ts';
import { ExecutionInterrupted, Run, Thread, type Machine, type MachineResult, type Nested } from './step.ts';
import { setLongTimeout } from './timers.ts';
import type { EngineOptions, ExecutionContext, ExecutionResult, MapRunRecord, Quotas } from './types.ts';
import { VariableScope } from './variables.ts';

/**
 * Runs `machine` as an execution of `run`, recording its history; never rejects for what the
 * machine does. An input nested too deep fails it at once (ExecutionFailed alone: its
 * ExecutionStarted would hold a payload nothing can serialize); any other exception than a
 * StatesError (a defect, or a limit of the JavaScript runtime) fails it as States.Runtime naming
 * the exception, so that no execution takes its caller down.
 */
export async function executeMachine(run: Run, machine: Machine, input: unknown): Promise<MachineResult> {
  const thread = new Thread(run, 0, new VariableScope());
  if (tooDeep(input)) return failed(thread, { error: 'States.Runtime', cause: nestingMessage('The execution input') });
  try {
    thread.note('ExecutionStarted', withStatePayload({ roleArn: run.execution.roleArn }, 'input', input));
    const output = await runMachine(thread, machine, input, run.jsonata);
    thread.emit('ExecutionSucceeded', withStatePayload({}, 'output', output));
    return { status: 'SUCCEEDED', output };
  } catch (raised) {
    if (raised instanceof ExecutionInterrupted) {
      if (raised.status === 'TIMED_OUT') {
        thread.emit('ExecutionTimedOut', { error: 'States.Timeout' });
        return { status: 'TIMED_OUT', error: 'States.Timeout' };
      }
      thread.emit('ExecutionAborted', {});
      return { status: 'ABORTED' };
    }
    if (!(raised instanceof StatesError)) return failed(thread, internalFailure(raised));
    return failed(thread, failureOfError(raised));
  }
}

function failed(thread: Thread, failure: { error?: string; cause?: string }): MachineResult {
  const details: Record<string, string> = {};
  if (failure.error !== undefined) details.error = failure.error;
  if (failure.cause !== undefined) details.cause = failure.cause;
  thread.emit('ExecutionFailed', details);
  return { status: 'FAILED', ...details };
}

function internalFailure(raised: unknown): { error: string; cause: string } {
  const { name, message } = raised instanceof Error ? raised : new Error(String(raised));
  return { error: 'States.Runtime', cause: `The execution stopped on an internal error of the local engine: ${name}: ${message}` };
}

/** A signal that aborts on the execution's timeout or the caller's abort, and its cleanup. */
export function interruptions(timeoutSeconds: unknown, external?: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let cancelTimer = () => undefined as void;
  if (typeof timeoutSeconds === 'number' && timeoutSeconds > 0) {
    cancelTimer = setLongTimeout(() => controller.abort(new ExecutionInterrupted('TIMED_OUT')), timeoutSeconds * 1000);
  }
  const onAbort = () => controller.abort(new ExecutionInterrupted('ABORTED'));
  if (external?.aborted) onAbort();
  else external?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      cancelTimer();
      external?.removeEventListener('abort', onAbort);
    },
  };
}

export function newRun(
  execution: ExecutionContext,
  options: EngineOptions,
  quotas: Quotas,
  signal: AbortSignal,
  input: unknown,
  mapRuns: MapRunRecord[],
  jsonata: boolean,
): Run {
  const history = new History(quotas.historyEvents, options.onEvent && ((event) => options.onEvent!(event, execution)));
  return new Run(execution, options, quotas, history, signal, executionContext(execution, input), mapRuns, jsonata, NESTED);
}

/** A Map Run's child runs as an execution of its own, sharing its parent's options, quotas, Map Runs and inspection. */
function startChild(parent: Run, execution: ExecutionContext, signal: AbortSignal, input: unknown, machine: Machine): { run: Run; result: Promise<MachineResult> } {
  const child = newRun(execution, parent.options, parent.quotas, signal, input, parent.mapRuns, parent.jsonata);
  child.inspect = parent.inspect;
  return { run: child, result: executeMachine(child, machine, input) };
}

const NESTED: Nested = { runMachine, startChild };

/** Runs a state machine definition on `input`. Resolves with the outcome and the AWS-shaped history. */
export async function runExecution(
  definition: unknown,
  input: unknown,
  context: ExecutionContext,
  options: EngineOptions,
): Promise<ExecutionResult> {
  try {
    checkDefinition(definition);
  } catch (error) {
    const { name, message } = error as Error;
    return { status: 'FAILED', error: name, cause: message, history: [], mapRuns: [] };
  }
  const machine = definition as Machine & { TimeoutSeconds?: unknown };
  const quotas = options.quotas ?? DEFAULT_QUOTAS;
  const mapRuns: MapRunRecord[] = [];
  const { signal, dispose } = interruptions(machine.TimeoutSeconds, options.signal);
  const run = newRun(context, options, quotas, signal, input, mapRuns, machine.QueryLanguage === 'JSONata');
  try {
    const result = await executeMachine(run, machine, input);
    return { ...result, history: run.history.events, mapRuns };
  } finally {
    dispose();
  }
}

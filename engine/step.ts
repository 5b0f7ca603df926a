// What a state's code works with: the execution (Run), the chain of events it belongs to
// (Thread: the top level, a Parallel branch or a Map iteration) and the state entry (StateStep).
import type { ContextObject } from './context.ts';
import type { StatesError } from './errors.ts';
import type { History } from './history.ts';
import { setLongTimeout } from './timers.ts';
import { awaitTurn, turnOverdue } from './turns.ts';
import type { EngineOptions, ExecutionContext, ExecutionStatus, MapRunRecord, Quotas } from './types.ts';
import type { VariableScope } from './variables.ts';

export type StateDefinition = Record<string, unknown> & { Type: string };

export interface Machine {
  StartAt: string;
  States: Record<string, StateDefinition>;
  QueryLanguage?: string;
}

/** Ends an execution early: TIMED_OUT or ABORTED. Never caught by Retry or Catch. */
export class ExecutionInterrupted extends Error {
  override name = 'ExecutionInterrupted';
  constructor(readonly status: 'TIMED_OUT' | 'ABORTED') {
    super(status === 'TIMED_OUT' ? 'The execution timed out.' : 'The execution was aborted.');
  }
}

/** An execution waits for a turn (turns.ts) at least every this many states, however fast they run. */
const YIELD_EVERY = 64;

/** How an execution (a Map Run's child included) ended. */
export interface MachineResult {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
}

/**
 * How Map and Parallel run what they hold, handed to each run by execution.ts: the states call
 * the machine that calls them through it, so no import goes round in a circle.
 */
export interface Nested {
  /** A branch or an iteration on `thread`, from its StartAt; rejects with the StatesError that ended it. */
  runMachine(thread: Thread, machine: Machine, input: unknown, defaultJsonata: boolean): Promise<unknown>;
  /** A Map Run's child: an execution of its own under `execution`, watched as its parent is. */
  startChild(parent: Run, execution: ExecutionContext, signal: AbortSignal, input: unknown, machine: Machine): { run: Run; result: Promise<MachineResult> };
}

/** One execution: the top-level one or a distributed Map's child. */
export class Run {
  private steps = 0;
  /** Watches each state entry's attempts (TestState's comparison with executions); unset, it costs nothing. */
  inspect?: (step: StateStep) => Inspection | undefined;

  constructor(
    readonly execution: ExecutionContext,
    readonly options: EngineOptions,
    readonly quotas: Quotas,
    readonly history: History,
    readonly signal: AbortSignal,
    readonly baseContext: Pick<ContextObject, 'Execution' | 'StateMachine'>,
    readonly mapRuns: MapRunRecord[],
    readonly jsonata: boolean,
    readonly nested: Nested,
  ) {}

  /**
   * Before each state: stop if interrupted, and let timers and I/O run now and then even in a tight
   * loop, or in a chain of short executions each starting the next, none of which runs 64 states.
   * A promise only when a turn is due: a state's own await is the only one it costs otherwise
   * (an async function here was two more promises a state, about 1 µs each in a cold process).
   */
  checkpoint(): Promise<void> | undefined {
    this.throwIfInterrupted();
    return ++this.steps % YIELD_EVERY === 0 || turnOverdue() ? this.takeTurn() : undefined;
  }

  /** Waits for a turn of the event loop (between states, or in a Map Run's loop over its items: itemsTurnDue), then stops if interrupted. */
  async takeTurn(): Promise<void> {
    await awaitTurn();
    this.throwIfInterrupted();
  }

  throwIfInterrupted(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  /** Settles as `promise` does, or rejects first with the reason of the execution's signal or `extra`'s. */
  raceInterrupt<T>(promise: Promise<T>, extra?: AbortSignal): Promise<T> {
    const { signal } = this;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (extra?.aborted) return Promise.reject(extra.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const interrupted = abortWaiters(signal);
      const cancelled = extra && abortWaiters(extra);
      interrupted.add(reject);
      cancelled?.add(reject);
      promise.then(
        (value) => {
          interrupted.delete(reject);
          cancelled?.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          interrupted.delete(reject);
          cancelled?.delete(reject);
          reject(error as Error);
        },
      );
    });
  }
}

// What waits on each signal, called with its reason by the one listener the signal gets.
const waiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

/**
 * The callbacks waiting for `signal` to abort: add one to wait, delete it when done. Every Task
 * call waits on its signals, and adding and removing an EventTarget listener on each (its options
 * checked, a wrapper made) cost more than the rest of the wait.
 */
export function abortWaiters(signal: AbortSignal): Set<(reason: unknown) => void> {
  let waiting = waiters.get(signal);
  if (waiting === undefined) {
    const created = new Set<(reason: unknown) => void>();
    signal.addEventListener(
      'abort',
      () => {
        for (const waiter of created) waiter(signal.reason);
        created.clear();
      },
      { once: true },
    );
    waiters.set(signal, (waiting = created));
  }
  return waiting;
}

/** A Parallel branch or Map iteration stopped because a sibling failed. */
export class BranchCancelled extends Error {
  override name = 'BranchCancelled';
}

/**
 * Shared by the branches of one Parallel (or the iterations of one Map, or the children of one
 * Map Run): cancelled when one fails, which aborts their waits and calls in flight. Cancelling an
 * enclosing branch cancels this one too.
 */
export class Cancellation {
  cancelled = false;
  private readonly controller = new AbortController();
  private readonly detach: () => void;

  constructor(parent?: Cancellation) {
    const onParent = () => this.cancel();
    parent?.signal.addEventListener('abort', onParent, { once: true });
    this.detach = () => parent?.signal.removeEventListener('abort', onParent);
    if (parent?.cancelled) this.cancel();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.controller.abort(new BranchCancelled());
  }

  /** Stops following the enclosing cancellation (the branches have all ended). */
  dispose(): void {
    this.detach();
  }
}

/** A chain of events: each event's previousEventId is the last one of its chain. */
export class Thread {
  constructor(
    readonly run: Run,
    public prev: number,
    readonly variables: VariableScope,
    readonly cancel?: Cancellation,
  ) {}

  /** What ends this chain early: the execution's interruption, and this branch's cancellation. */
  get signals(): AbortSignal[] {
    return this.cancel === undefined ? [this.run.signal] : [this.run.signal, this.cancel.signal];
  }

  /** Settles as `promise` does, unless the execution is interrupted or this branch cancelled first. */
  race<T>(promise: Promise<T>): Promise<T> {
    return this.run.raceInterrupt(promise, this.cancel?.signal);
  }

  /**
   * Waits `ms` (a Wait state, a retry's delay), ended early by an interruption or cancellation;
   * the timer goes with it, so an ended execution leaves nothing that keeps the process alive.
   */
  sleep(ms: number): Promise<void> {
    let cancel = () => undefined as void;
    const slept = new Promise<void>((resolve) => {
      cancel = setLongTimeout(resolve, ms);
    });
    return this.race(slept).finally(() => cancel());
  }

  /**
   * Before each state: stop if the execution was interrupted or a sibling branch failed; a turn of
   * the event loop when one is due (Run.checkpoint). The caller checks stopIfCancelled again after
   * awaiting it.
   */
  checkpoint(): Promise<void> | undefined {
    this.stopIfCancelled();
    return this.run.checkpoint();
  }

  stopIfCancelled(): void {
    if (this.cancel?.cancelled) throw new BranchCancelled();
  }

  emit(type: string, details?: Record<string, unknown>): number {
    this.prev = this.run.history.append(type, this.prev, details);
    return this.prev;
  }

  /**
   * An event that points back at the chain's last event without becoming the chain's last event
   * itself, as AWS records ExecutionStarted, MapIterationSucceeded/Failed and
   * Map/ParallelStateSucceeded (the next event's previousEventId skips over them).
   */
  note(type: string, details?: Record<string, unknown>): number {
    return this.run.history.append(type, this.prev, details);
  }
}

/** A step of a state's data flow, by the name TestState's inspectionData gives it. */
export type InspectedStep = 'afterInputPath' | 'afterParameters' | 'afterArguments' | 'result' | 'afterResultSelector' | 'afterResultPath' | 'afterItemsPath';

/** What a Map's iterations or a Parallel's branches are given, for a mock standing in for them. */
export interface BranchesInput {
  /** The state's effective input (after InputPath, or Parameters/Arguments for a Parallel). */
  effective: unknown;
  /** A Map's items; undefined when its ItemReader would read them. */
  items?: unknown[];
  limits?: { maxConcurrency: number; toleratedCount?: number; toleratedPercentage?: number };
}

/**
 * Watches one state entry (TestState; absent in executions, where it costs nothing): `record`
 * sees each step of the data flow as it is computed; `mockBranches`, when given, stands in for a
 * Map's iterations or a Parallel's branches, which then do not run, and gives their result.
 */
export interface Inspection {
  record(step: InspectedStep, value: unknown): void;
  mockBranches?: (step: StateStep, given: BranchesInput) => Promise<unknown>;
  /** What the attempt came to (in an execution, whose Run.inspect gave this inspection). */
  attempted?: (attempt: Attempt) => void;
}

/** What one attempt at a state came to, by the statuses TestState answers with. */
export type Attempt =
  | { status: 'SUCCEEDED'; outcome: StateOutcome }
  | { status: 'CAUGHT_ERROR'; outcome: StateOutcome; error: StatesError; catchIndex: number }
  | { status: 'RETRIABLE'; error: StatesError; retryIndex: number; delayMs: number }
  | { status: 'FAILED'; error: StatesError; retryIndex?: number };

/** One entry into a state. */
export interface StateStep {
  thread: Thread;
  name: string;
  state: StateDefinition;
  jsonata: boolean;
  /** The state's raw input. */
  input: unknown;
  context: ContextObject;
  enteredEventId: number;
  inspection?: Inspection;
}

export interface StateOutcome {
  output: unknown;
  /** The next state; undefined ends the machine (End, Succeed). */
  next: string | undefined;
  assign?: Record<string, unknown>;
  /** The output's JSON size, once the quota check has measured it: the next state's input is the same value. */
  outputBytes?: number;
}

/**
 * Runs one attempt at a state. A state that waits for nothing (a JSONPath Pass, Choice or Succeed)
 * gives its outcome at once: the promise an async function makes, and the await on it, were most
 * of such a state's cost in a cold process.
 */
export type StateExecutor = (step: StateStep) => StateOutcome | Promise<StateOutcome>;

export function nextOf(state: StateDefinition): string | undefined {
  return state.End === true ? undefined : (state.Next as string);
}

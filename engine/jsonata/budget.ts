// The bounds one JSONata evaluation runs under. JSONata evaluates an expression node by node, each
// through one function that first awaits the entry hook bound under
// Symbol.for('jsonata.__evaluate_entry'), if any, and counts in `environment.base.depth` the nodes
// being evaluated. The hook here:
// - ends a function that calls itself forever: the nodes in evaluation at once (each holds about
//   2 KB until it returns) are bounded, instead of growing until the process runs out of memory;
// - ends an endless loop (a tail call, which JSONata turns into a loop): the nodes evaluated are
//   bounded;
// - stops at once when the execution is interrupted (TimeoutSeconds, StopExecution, Ctrl-C) or a
//   sibling branch failed: the signals are read every few nodes and their reason thrown;
// - waits for its turn of the event loop (../turns.ts) when the process's executions have had
//   none for a while: JSONata awaits only promises that are already settled, so without this no
//   timer, signal handler or request would run until it ends.
import { awaitTurn, turnOverdue } from '../turns.ts';

export interface EvaluationLimits {
  /** Nodes in evaluation at once: nesting, plus the items of an array or group built in parallel. */
  depth: number;
  /** Nodes evaluated in all. */
  steps: number;
}

// 50,000 nodes in evaluation hold about 100 MB; a group-by over 20,000 distinct keys holds 40,000.
// 10,000,000 steps take about 10 s.
export const DEFAULT_LIMITS: EvaluationLimits = { depth: 50_000, steps: 10_000_000 };

const SIGNAL_CHECK_EVERY = 64;

/** An evaluation that went past a limit; reported as States.QueryEvaluationError. */
export class EvaluationLimitExceeded extends Error {
  override name = 'EvaluationLimitExceeded';
}

export class EvaluationBudget {
  private steps = 0;

  constructor(
    private readonly limits: EvaluationLimits,
    private readonly signals: readonly AbortSignal[],
  ) {}

  /** Called before each node with JSONata's count of nodes in evaluation. */
  enter(depth: number): Promise<void> | undefined {
    if (depth > this.limits.depth) {
      throw new EvaluationLimitExceeded(
        `Expression evaluation depth limit (${this.limits.depth}) exceeded: Check for non-terminating recursion`,
      );
    }
    this.steps += 1;
    if (this.steps > this.limits.steps) {
      throw new EvaluationLimitExceeded(`Expression evaluation step limit (${this.limits.steps}) exceeded: Check for an infinite loop`);
    }
    if (this.steps % SIGNAL_CHECK_EVERY !== 0) return undefined;
    this.throwIfInterrupted();
    return turnOverdue() ? this.takeTurn() : undefined;
  }

  /** Whether `error` is the reason of one of the signals: it ends the evaluation as it is. */
  isInterruption(error: unknown): boolean {
    return this.signals.some((signal) => signal.aborted && signal.reason === error);
  }

  private throwIfInterrupted(): void {
    for (const signal of this.signals) if (signal.aborted) throw signal.reason;
  }

  private async takeTurn(): Promise<void> {
    await awaitTurn();
    this.throwIfInterrupted();
  }
}

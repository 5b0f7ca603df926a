// How the executions of one process share its event loop. Every service the engine calls in this
// process answers at once, so an execution would otherwise run from start to end without letting
// timers (TimeoutSeconds, Wait), signals (Ctrl-C) or requests (make serve) in. Each execution
// therefore waits for a turn now and then (Run.checkpoint; a Map Run's loops over its items when
// itemsTurnDue; a long JSONata evaluation in jsonata/budget.ts), and the waiting ones are
// resumed one a turn: resumed all in the same turn, each would start the clock again and run as
// long as the one before it, and a Map Run's hundred children kept timers waiting for five
// seconds at a time. One a turn also keeps an execution's work together: resumed all at once,
// they would interleave, and their garbage would outlive the young generation.

/** How long the executions together run before the event loop gets a turn. */
const TURN_MS = 50;

/** When an execution of this process last got a turn. */
let lastTurn = performance.now();
/** The executions waiting for a turn, first come first resumed: those before `first` have had theirs. */
const waiting: (() => void)[] = [];
let first = 0;
// While executions keep coming, the queue may never empty: past this many resumed ones at its
// head (half of it at least), they are let go, so that it does not grow with every turn taken.
const COMPACT_AFTER = 1024;

/** Whether the executions have run TURN_MS since the last turn. */
export function turnOverdue(): boolean {
  return performance.now() - lastTurn > TURN_MS;
}

// Long loops over items (a Map Run's checks, selection and batches; the lines of an ItemReader's
// object: a million at most) ask every ITEMS_PER_CHECK items whether a turn is due, and take one
// at least every ITEMS_PER_TURN, however fast the machine.
const ITEMS_PER_CHECK = 1024;
const ITEMS_PER_TURN = 64 * ITEMS_PER_CHECK;

/** Whether a loop over items that has done `done` of them should wait for a turn (awaitTurn) now. */
export function itemsTurnDue(done: number): boolean {
  return done % ITEMS_PER_CHECK === 0 && (done % ITEMS_PER_TURN === 0 || turnOverdue());
}

/** Settles in a turn of the event loop of its own, after those who asked before it had theirs. */
export function awaitTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (waiting.push(resolve) - first === 1) setImmediate(resumeNext);
  });
}

function resumeNext(): void {
  const resolve = waiting[first]!;
  first += 1;
  if (first === waiting.length) {
    waiting.length = 0;
    first = 0;
  } else {
    if (first >= COMPACT_AFTER && first * 2 >= waiting.length) {
      waiting.splice(0, first);
      first = 0;
    }
    // An immediate set in this one runs in the next turn, after its timers and I/O.
    setImmediate(resumeNext);
  }
  lastTurn = performance.now();
  resolve();
}

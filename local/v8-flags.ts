// Every change of V8's flags in a command's process goes through here (start-command.ts's
// compilation flag, services/heap-policy.ts's heap settings). V8's flags are the process's, shared
// by every thread, and a thread that loads one of Node's own modules after any change compiles it
// from source: V8 refuses the code Node ships compiled for them once the flags differ from those
// it was compiled under. A worker thread loads dozens of them as it starts: 24 ms of its CPU under
// V8's defaults, 45 ms after the heap policy's change, 78 ms after --no-lazy (this machine).
// So a thread that is starting holds the changes until it has loaded (holdUntil), and they are
// made then, in the order asked. Nothing held, a change is made at once. A thread that neither
// loads nor fails (a stalled disk) holds them MAX_HOLD_MS at most: the run then goes on with
// V8's own heap settings, which cost memory, not correctness.
// The HTML report's thread holds them (cli/report-writer.ts): started before the emulators, it
// loads while they start, and its warm-up ends before the run's loop begins instead of in it.
// Measured against the build before, the builds in turn: `--count 100 --json`, 25 runs each, the
// loop's median 31 to 26 ms (mean 32.0 to 26.6), the process's 249 to 248 ms; 1,763 items, 11
// each, the execution's 441 to 424 ms; the thread's CPU at its first line 47 to 25 ms, up to its
// page 95 to 70 ms (nine runs each).
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';

/** The longest a load holds the changes; the report's thread loads in 30-50 ms. */
export const MAX_HOLD_MS = 2_000;

export interface FlagChanges {
  /** Sets V8's flags now, or once what holds them has settled, after the changes asked before. */
  change(flags: string): void;
  /** Holds every change asked from now until `loaded` settles, fulfilled or not, or `maxMs` have passed. */
  holdUntil(loaded: Promise<unknown>, maxMs?: number): void;
}

/** The changes made through `set`, held while a load is pending. */
export function flagChanges(set: (flags: string) => void): FlagChanges {
  // The changes' turn: undefined while nothing holds them.
  let turn: Promise<void> | undefined;
  const queue = (next: Promise<void>) => {
    turn = next;
    void next.then(() => {
      if (turn === next) turn = undefined;
    });
  };
  return {
    change(flags) {
      if (turn === undefined) set(flags);
      else queue(turn.then(() => set(flags)));
    },
    holdUntil(loaded, maxMs = MAX_HOLD_MS) {
      // The timer does not keep the process alive; the first to settle wins.
      const settled = Promise.race([loaded, delay(maxMs, undefined, { ref: false })]).then(
        () => undefined,
        () => undefined,
      );
      queue(turn === undefined ? settled : turn.then(() => settled));
    },
  };
}

/** This process's V8. */
export const V8_FLAGS: FlagChanges = flagChanges(setFlagsFromString);

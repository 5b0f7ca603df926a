// Timers of any length. Node fires a setTimeout of more than 2^31-1 ms (about 24.8 days) at once,
// and a Wait, a retry's delay or a TimeoutSeconds may be up to a year: such a delay is waited in
// timers of at most that length, one after another.

/** The longest delay one setTimeout keeps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `callback` after `ms` (negative: at once, as setTimeout); returns what cancels it. */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const due = Date.now() + ms;
  const arm = (remaining: number) => {
    timer = setTimeout(() => {
      // Measured from the clock, not summed: a late timer does not push the end later.
      const left = due - Date.now();
      if (left > 0) arm(left);
      else callback();
    }, Math.min(Math.max(0, remaining), MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

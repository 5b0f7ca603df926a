// A process-wide function (console's methods, process.exit) replaced while at least one Lambda
// invocation runs, and put back when the last one ends. The replacement tells a function's calls
// from the host's by an AsyncLocalStorage the invocation runs in; that storage is disabled once no
// invocation runs, because an enabled one makes Node run a hook on every promise in the process
// (a fifth of an at-scale Map Run's time, after the seed); the next run() enables it again. Node
// 24 keeps the stores without hooks, and so does Node 22.7 or later given
// --experimental-async-context-frame, which the Makefile gives the runtime's commands.
import type { AsyncLocalStorage } from 'node:async_hooks';

export interface InvocationPatch {
  enter(): void;
  leave(): void;
}

/** `install` replaces the function(s) and returns what puts them back; it runs on the first enter only. */
export function invocationPatch(storage: AsyncLocalStorage<unknown>, install: () => () => void): InvocationPatch {
  let active = 0;
  let restore: (() => void) | undefined;
  return {
    enter() {
      active += 1;
      if (active === 1) restore = install();
    },
    leave() {
      active -= 1;
      if (active > 0 || restore === undefined) return;
      restore();
      restore = undefined;
      storage.disable();
    },
  };
}

// How an offline run ends when something other than the execution goes wrong: the first
// internal failure (a throw while reading the engine's events, a rejected promise nobody
// handles, an exception thrown anywhere, a caller's callback failing, Ctrl-C) settles the run
// at once, whatever it was waiting for, so the caller can stop the emulators and exit.

/** The run was stopped from outside (the caller's AbortSignal, e.g. Ctrl-C). */
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
}

/** The process-wide events that signal a failure nobody handled. */
export interface FailureEvents {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
}

export interface RunGuard {
  /** Records the run's first failure; later ones add nothing. */
  fail(error: unknown): void;
  /** The first failure, once there is one. */
  failure(): Error | undefined;
  /** Called once, at the first failure. */
  onFailure(listener: () => void): void;
  /** Settles with the work, or rejects with the first failure if that comes first. */
  race<T>(work: Promise<T>): Promise<T>;
  /** The same callback, except that a throw fails the run instead of reaching its caller. */
  guard<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void;
  /** Stops listening to the signal and the process. */
  dispose(): void;
}

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

export function createRunGuard(options: { signal?: AbortSignal; events?: FailureEvents } = {}): RunGuard {
  const { signal, events = process } = options;
  let reject: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  // Nobody may be racing yet when the failure comes.
  failed.catch(() => undefined);
  const listeners: (() => void)[] = [];
  let failure: Error | undefined;

  const fail = (error: unknown) => {
    if (failure) return;
    failure = asError(error);
    reject(failure);
    for (const listener of listeners) listener();
  };
  const interrupted = () => fail(new RunInterrupted('the run was interrupted'));
  signal?.addEventListener('abort', interrupted, { once: true });
  events.on('uncaughtException', fail);
  events.on('unhandledRejection', fail);
  if (signal?.aborted) interrupted();

  return {
    fail,
    failure: () => failure,
    onFailure(listener) {
      if (failure) listener();
      else listeners.push(listener);
    },
    race(work) {
      // The work may still settle after a failure has ended the race: never unhandled.
      work.catch(() => undefined);
      // The failure first: once the run has failed, even work already done does not go on.
      return Promise.race([failed, work]);
    },
    guard(callback) {
      return (...args) => {
        try {
          callback(...args);
        } catch (error) {
          fail(error);
        }
      };
    },
    dispose() {
      signal?.removeEventListener('abort', interrupted);
      events.off('uncaughtException', fail);
      events.off('unhandledRejection', fail);
    },
  };
}

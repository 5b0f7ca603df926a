// Tasks that wait for a task token: `.waitForTaskToken` integrations and activities. The host
// (EngineOptions.taskTokens) hands the token out and brings its answers; the engine keeps AWS's
// clocks: HeartbeatSeconds between heartbeats (States.HeartbeatTimeout), TimeoutSeconds overall.
import { randomBytes } from 'node:crypto';
import { StatesError } from '../errors.ts';
import type { StateStep } from '../step.ts';
import { setLongTimeout } from '../timers.ts';
import type { TaskTokenWait } from '../types.ts';

/** A new task token, as AWS's look: AQ and 64 base64url characters (the local endpoint checks that shape). */
export function newTaskToken(): string {
  return `AQ${randomBytes(48).toString('base64url')}`;
}

/** One open token and its heartbeat clock. */
export class TokenTask {
  readonly wait: TaskTokenWait;
  private onBeat = () => undefined as void;
  private onStart = (_worker: string | undefined) => undefined as void;
  private stopHeartbeat = () => undefined as void;

  constructor(step: StateStep, activity?: { arn: string; input: unknown }) {
    const tokens = step.thread.run.options.taskTokens;
    if (!tokens) throw new StatesError('States.Runtime', `The state '${step.name}' waits for a task token, and this runtime hands out none.`);
    this.wait = tokens.open({
      execution: step.thread.run.execution,
      stateName: step.name,
      ...(activity ? { activity, onStarted: (worker) => this.onStart(worker) } : {}),
      onHeartbeat: () => this.onBeat(),
    });
    // Answered before anyone awaits it (a function that answers while it runs): not an unhandled rejection.
    this.wait.answer.catch(() => undefined);
  }

  /** Calls `listener` when a worker takes an activity's task. */
  whenStarted(listener: (worker: string | undefined) => void): void {
    this.onStart = listener;
  }

  /**
   * Rejects with `timedOut()` once `seconds` pass without a heartbeat, from now on; each
   * heartbeat starts the clock again. Without `seconds`, never settles.
   */
  heartbeatClock(seconds: number | undefined, timedOut: () => Error): Promise<never> {
    return new Promise((_, reject) => {
      if (seconds === undefined) return;
      const arm = () => {
        this.stopHeartbeat();
        this.stopHeartbeat = setLongTimeout(() => reject(timedOut()), seconds * 1000);
      };
      this.onBeat = arm;
      arm();
    });
  }

  close(): void {
    this.stopHeartbeat();
    this.onBeat = () => undefined;
    this.onStart = () => undefined;
    this.wait.close();
  }
}

// The task tokens the local runtime hands out (the engine's TaskTokens): one per attempt of a
// `.waitForTaskToken` Task or an activity's task, answered by SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat with AWS's errors, and the activity tasks GetActivityTask's workers take.
import { newTaskToken, StatesError, type TaskTokenRequest, type TaskTokens, type TaskTokenWait } from '../../engine/index.ts';
import { ApiError, invalidToken } from './errors.ts';

/** How long GetActivityTask holds a poll when no task comes, as AWS does. */
export const ACTIVITY_POLL_MS = 60_000;
/** Closed tokens remembered (answering one is TaskTimedOut); beyond it, the earliest closed is forgotten. */
const REMEMBERED_CLOSED = 10_000;

const TOKEN = /^AQ[A-Za-z0-9_-]{64}$/;

interface OpenToken {
  request: TaskTokenRequest;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/** What a worker gets from GetActivityTask: the token and the task's input as JSON text. */
export interface ActivityTask {
  taskToken: string;
  input: string;
}

/** SendTaskFailure's error, as the engine hands it to Retry and Catch. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export interface TaskTokenRegistryOptions {
  /** Whether an activity exists; a task of one that does not fails the execution (States.Runtime, no event of its own), as AWS records it. */
  activityExists?: (arn: string) => boolean;
  /** Each token as it opens, for a host that shows how to answer it (the CLI). */
  onOpen?: (token: string, request: TaskTokenRequest) => void;
}

export class TaskTokenRegistry implements TaskTokens {
  private readonly open_ = new Map<string, OpenToken>();
  private readonly closed = new Set<string>();
  /** Activity tasks not yet taken, by activity ARN, oldest first. */
  private readonly queued = new Map<string, string[]>();
  /** Workers waiting in GetActivityTask, by activity ARN, first come first served. */
  private readonly pollers = new Map<string, ((task: string | undefined) => void)[]>();

  constructor(private readonly options: TaskTokenRegistryOptions = {}) {}

  open(request: TaskTokenRequest): TaskTokenWait {
    const activity = request.activity;
    if (activity && this.options.activityExists && !this.options.activityExists(activity.arn)) {
      throw new StatesError('States.Runtime', `The activity ${activity.arn} does not exist.`);
    }
    const token = newTaskToken();
    let entry!: OpenToken;
    const answer = new Promise<unknown>((resolve, reject) => {
      entry = { request, resolve, reject };
    });
    this.open_.set(token, entry);
    if (activity) this.offer(activity.arn, token);
    this.options.onOpen?.(token, request);
    return { token, answer, close: () => this.close(token) };
  }

  /** SendTaskSuccess: `output` is the answer's JSON text. */
  succeed(token: string, output: string): void {
    // A malformed token is refused before the output is read (recorded: "NoSuchTaskToken" with output that is no JSON).
    this.checkFormat(token);
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      throw new ApiError('InvalidOutput', `Invalid Output: '${output.length > 64 ? `${output.slice(0, 64)}…` : output}' is not valid JSON`);
    }
    const entry = this.take(token);
    this.close(token);
    entry.resolve(value);
  }

  /** SendTaskFailure. */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const entry = this.take(token);
    this.close(token);
    entry.reject(new TaskFailure(error ?? '', cause ?? ''));
  }

  /** SendTaskHeartbeat. */
  heartbeat(token: string): void {
    this.take(token).request.onHeartbeat();
  }

  /**
   * GetActivityTask: the oldest task of the activity not yet taken, or the next one scheduled
   * within `waitMs`; undefined if none comes or `signal` ends the wait first.
   */
  async poll(activityArn: string, workerName: string | undefined, signal: AbortSignal, waitMs = ACTIVITY_POLL_MS): Promise<ActivityTask | undefined> {
    let token = this.queued.get(activityArn)?.shift();
    if (token === undefined && !signal.aborted) {
      token = await new Promise<string | undefined>((resolve) => {
        const waiting = this.pollers.get(activityArn) ?? [];
        this.pollers.set(activityArn, waiting);
        const done = (task: string | undefined) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          const index = waiting.indexOf(done);
          if (index >= 0) waiting.splice(index, 1);
          resolve(task);
        };
        const onAbort = () => done(undefined);
        const timer = setTimeout(onAbort, waitMs);
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(done);
      });
    }
    const entry = token === undefined ? undefined : this.open_.get(token);
    if (token === undefined || !entry) return undefined;
    entry.request.onStarted?.(workerName);
    return { taskToken: token, input: JSON.stringify(entry.request.activity!.input ?? null) };
  }

  /** The open tokens, for a host that lists what waits. */
  waiting(): string[] {
    return [...this.open_.keys()];
  }

  private offer(activityArn: string, token: string): void {
    const poller = this.pollers.get(activityArn)?.[0];
    if (poller) {
      poller(token);
      return;
    }
    const queue = this.queued.get(activityArn) ?? [];
    queue.push(token);
    this.queued.set(activityArn, queue);
  }

  /** The open token, or AWS's error for a malformed, unknown or closed one. */
  private take(token: string): OpenToken {
    this.checkFormat(token);
    const entry = this.open_.get(token);
    if (entry) return entry;
    if (this.closed.has(token)) throw new ApiError('TaskTimedOut', 'Task Timed Out: the task has already been closed');
    throw new ApiError('TaskDoesNotExist', 'Task Does Not Exist');
  }

  private checkFormat(token: string): void {
    if (!TOKEN.test(token)) throw invalidToken();
  }

  private close(token: string): void {
    const entry = this.open_.get(token);
    if (!entry) return;
    this.open_.delete(token);
    const activity = entry.request.activity;
    if (activity) {
      const queue = this.queued.get(activity.arn);
      const index = queue?.indexOf(token) ?? -1;
      if (index >= 0) queue!.splice(index, 1);
    }
    this.closed.add(token);
    for (const oldest of this.closed) {
      if (this.closed.size <= REMEMBERED_CLOSED) break;
      this.closed.delete(oldest);
    }
  }
}

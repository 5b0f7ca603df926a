import { expect } from 'chai';
import sinon from 'sinon';
import type { Dispatcher, TaskTokenRequest, TaskTokens } from '../../../engine/index.ts';
import { failure, machine, run, types } from '../run.ts';

/** A host's task tokens, answered by the test: each open token with its answers at hand. */
function fakeTokens() {
  const opened: { token: string; request: TaskTokenRequest; succeed(output: unknown): void; fail(error: Error): void; closed: boolean }[] = [];
  const tokens: TaskTokens = {
    open(request) {
      const token = `token-${opened.length + 1}`;
      let settle!: { succeed(output: unknown): void; fail(error: Error): void };
      const answer = new Promise<unknown>((resolve, reject) => {
        settle = { succeed: resolve, fail: reject };
      });
      const entry = { token, request, ...settle, closed: false };
      opened.push(entry);
      return { token, answer, close: () => (entry.closed = true) };
    },
  };
  return { tokens, opened };
}

const CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:approve';
const callback = (extra: Record<string, unknown> = {}) =>
  machine({ Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, End: true, ...extra });

/** A dispatcher that records each call and answers like SQS. */
function recording() {
  const calls: unknown[] = [];
  const dispatch: Dispatcher = async (call) => {
    calls.push(call.parameters);
    return { MessageId: 'm' };
  };
  return { calls, dispatch };
}

/** Lets the engine run up to its wait. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Lets the engine run until `done` holds (a retry's zero delay is a timer away). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('engine: Tasks that wait for a task token', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it('puts a token in $$.Task.Token, makes the call, records TaskSubmitted, then succeeds with the answer', async () => {
    const { tokens, opened } = fakeTokens();
    const { calls, dispatch } = recording();
    const running = run(callback(), {}, { dispatch, taskTokens: tokens });
    await settle();
    expect(calls).to.deep.equal([{ QueueUrl: 'q', MessageBody: 'token-1' }]);
    opened[0]!.succeed({ approved: true });
    const result = await running;
    expect(result).to.include({ status: 'SUCCEEDED' });
    expect(result.output).to.deep.equal({ approved: true });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(result.history[4]!.taskSubmittedEventDetails).to.deep.include({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', output: '{"MessageId":"m"}' });
    expect(opened[0]!.closed).to.equal(true);
  });

  it('fails with the error and cause of SendTaskFailure, which Retry retries with a fresh token', async () => {
    const { tokens, opened } = fakeTokens();
    const { calls, dispatch } = recording();
    const running = run(callback({ Retry: [{ ErrorEquals: ['Rejected'], IntervalSeconds: 1, MaxAttempts: 1 }] }), {}, { dispatch, taskTokens: tokens, retryDelay: () => 0 });
    await settle();
    opened[0]!.fail(failure('Rejected', 'no'));
    await until(() => calls.length === 2);
    expect(calls).to.deep.equal([
      { QueueUrl: 'q', MessageBody: 'token-1' },
      { QueueUrl: 'q', MessageBody: 'token-2' },
    ]);
    opened[1]!.fail(failure('Rejected', 'still no'));
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'Rejected', cause: 'still no' });
    expect(types(result).filter((type) => type === 'TaskFailed')).to.have.length(2);
  });

  it('fails with States.HeartbeatTimeout when no heartbeat comes within HeartbeatSeconds; each heartbeat restarts the clock', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { tokens, opened } = fakeTokens();
    const { dispatch } = recording();
    const running = run(callback({ HeartbeatSeconds: 10, TimeoutSeconds: 100 }), {}, { dispatch, taskTokens: tokens });
    await clock.tickAsync(9_000);
    opened[0]!.request.onHeartbeat();
    await clock.tickAsync(9_000);
    opened[0]!.request.onHeartbeat();
    await clock.tickAsync(9_000);
    expect(opened[0]!.closed).to.equal(false);
    await clock.tickAsync(1_001);
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(result.history.find((event) => event.type === 'TaskTimedOut')!.taskTimedOutEventDetails).to.deep.equal({
      resourceType: 'sqs',
      resource: 'sendMessage.waitForTaskToken',
      error: 'States.HeartbeatTimeout',
    });
    expect(opened[0]!.closed).to.equal(true);
  });

  it('fails with States.Timeout after TimeoutSeconds whatever the heartbeats', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { tokens, opened } = fakeTokens();
    const { dispatch } = recording();
    const running = run(callback({ HeartbeatSeconds: 10, TimeoutSeconds: 25 }), {}, { dispatch, taskTokens: tokens });
    for (let second = 0; second < 24; second += 8) {
      await clock.tickAsync(8_000);
      opened[0]!.request.onHeartbeat();
    }
    await clock.tickAsync(1_001);
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(result)).to.include('TaskTimedOut');
  });

  it('a Catch takes States.HeartbeatTimeout', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { tokens } = fakeTokens();
    const { dispatch } = recording();
    const definition = machine(
      { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, HeartbeatSeconds: 5, Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Late' }], End: true },
      { Late: { Type: 'Pass', End: true } },
    );
    const running = run(definition, {}, { dispatch, taskTokens: tokens });
    await clock.tickAsync(5_001);
    const result = await running;
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ Error: 'States.HeartbeatTimeout', Cause: '' });
  });

  it('fails with States.Runtime, before any call, when the host hands out no tokens', async () => {
    const { calls, dispatch } = recording();
    const result = await run(callback(), {}, { dispatch });
    expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(calls).to.deep.equal([]);
  });

  it('closes the token when the execution is aborted', async () => {
    const { tokens, opened } = fakeTokens();
    const { dispatch } = recording();
    const abort = new AbortController();
    const running = run(callback(), {}, { dispatch, taskTokens: tokens, signal: abort.signal });
    await settle();
    abort.abort();
    expect((await running).status).to.equal('ABORTED');
    expect(opened[0]!.closed).to.equal(true);
  });
});

describe('engine: activities', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());
  const activity = (extra: Record<string, unknown> = {}) => machine({ Type: 'Task', Resource: ACTIVITY, Parameters: { 'order.$': '$.order' }, End: true, ...extra });

  it('schedules the task with its input, records the worker that took it, and succeeds with its answer', async () => {
    const { tokens, opened } = fakeTokens();
    const running = run(activity({ TimeoutSeconds: 60, HeartbeatSeconds: 30 }), { order: 7 }, { taskTokens: tokens });
    await settle();
    expect(opened[0]!.request.activity).to.deep.equal({ arn: ACTIVITY, input: { order: 7 } });
    opened[0]!.request.onStarted!('worker-1');
    opened[0]!.succeed({ done: 7 });
    const result = await running;
    expect(result.output).to.deep.equal({ done: 7 });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(result.history[2]!.activityScheduledEventDetails).to.deep.include({ resource: ACTIVITY, input: '{"order":7}', timeoutInSeconds: 60, heartbeatInSeconds: 30 });
    expect(result.history[3]!.activityStartedEventDetails).to.deep.equal({ workerName: 'worker-1' });
  });

  it('fails with the worker’s error (ActivityFailed)', async () => {
    const { tokens, opened } = fakeTokens();
    const running = run(activity(), { order: 1 }, { taskTokens: tokens });
    await settle();
    opened[0]!.request.onStarted!(undefined);
    opened[0]!.fail(failure('Broken', 'it broke'));
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'Broken', cause: 'it broke' });
    expect(result.history.find((event) => event.type === 'ActivityFailed')!.activityFailedEventDetails).to.deep.equal({ error: 'Broken', cause: 'it broke' });
  });

  it('counts HeartbeatSeconds from the moment a worker takes the task (ActivityTimedOut)', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { tokens, opened } = fakeTokens();
    const running = run(activity({ HeartbeatSeconds: 5 }), { order: 1 }, { taskTokens: tokens });
    await clock.tickAsync(60_000);
    expect(opened[0]!.closed).to.equal(false);
    opened[0]!.request.onStarted!('w');
    await clock.tickAsync(4_000);
    opened[0]!.request.onHeartbeat();
    await clock.tickAsync(4_000);
    expect(opened[0]!.closed).to.equal(false);
    await clock.tickAsync(1_001);
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(types(result)).to.include('ActivityTimedOut');
    expect(opened[0]!.closed).to.equal(true);
  });

  it('counts TimeoutSeconds from scheduling, a worker or not (States.Timeout)', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { tokens } = fakeTokens();
    const running = run(activity({ TimeoutSeconds: 30 }), { order: 1 }, { taskTokens: tokens });
    await clock.tickAsync(30_001);
    const result = await running;
    expect(result).to.include({ status: 'FAILED', error: 'States.Timeout' });
    expect(result.history.find((event) => event.type === 'ActivityTimedOut')!.activityTimedOutEventDetails).to.deep.equal({ error: 'States.Timeout' });
  });

  it('records ActivityScheduleFailed when the host cannot schedule the task', async () => {
    const tokens: TaskTokens = {
      open() {
        throw failure('States.ActivityDoesNotExist', 'no such activity');
      },
    };
    const result = await run(activity(), { order: 1 }, { taskTokens: tokens });
    expect(result).to.include({ status: 'FAILED', error: 'States.ActivityDoesNotExist' });
    expect(types(result)).to.include('ActivityScheduleFailed');
  });
});

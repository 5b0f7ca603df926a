import { expect } from 'chai';
import { StatesError, type TaskTokenRequest } from '../../../engine/index.ts';
import { ApiError } from '../../../local/api/errors.ts';
import { TaskTokenRegistry } from '../../../local/api/task-tokens.ts';
import { CONTEXT } from '../../engine/run.ts';

const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:a';

function request(extra: Partial<TaskTokenRequest> = {}): TaskTokenRequest {
  return { execution: CONTEXT, stateName: 'S', onHeartbeat: () => undefined, ...extra };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof ApiError ? error.code : String(error);
  }
  return undefined;
}

describe('local/api: the task token registry', () => {
  it('resolves the answer with the parsed output, then refuses a second answer (TaskTimedOut)', async () => {
    const tokens = new TaskTokenRegistry();
    const wait = tokens.open(request());
    tokens.succeed(wait.token, '{"a":1}');
    expect(await wait.answer).to.deep.equal({ a: 1 });
    expect(codeOf(() => tokens.succeed(wait.token, '{}'))).to.equal('TaskTimedOut');
    expect(codeOf(() => tokens.fail(wait.token, 'E', 'c'))).to.equal('TaskTimedOut');
  });

  it('rejects the answer with SendTaskFailure’s error and cause', async () => {
    const tokens = new TaskTokenRegistry();
    const wait = tokens.open(request());
    tokens.fail(wait.token, 'Denied', 'because');
    const error = await wait.answer.then(
      () => undefined,
      (raised: Error) => raised,
    );
    expect(error).to.include({ name: 'Denied', message: 'because' });
  });

  it('passes heartbeats on, and refuses them once the task has closed', () => {
    const tokens = new TaskTokenRegistry();
    let beats = 0;
    const wait = tokens.open(request({ onHeartbeat: () => (beats += 1) }));
    tokens.heartbeat(wait.token);
    tokens.heartbeat(wait.token);
    expect(beats).to.equal(2);
    wait.close();
    expect(codeOf(() => tokens.heartbeat(wait.token))).to.equal('TaskTimedOut');
  });

  it('names a malformed token InvalidToken, an unknown one TaskDoesNotExist, and output that is not JSON InvalidOutput', () => {
    const tokens = new TaskTokenRegistry();
    expect(codeOf(() => tokens.heartbeat('nope'))).to.equal('InvalidToken');
    expect(codeOf(() => tokens.heartbeat(`AQ${'x'.repeat(64)}`))).to.equal('TaskDoesNotExist');
    const wait = tokens.open(request());
    expect(codeOf(() => tokens.succeed(wait.token, '{'))).to.equal('InvalidOutput');
    wait.close();
  });

  it('hands an activity task to a waiting worker, or to the next one that polls; a closed task to none', async () => {
    const tokens = new TaskTokenRegistry();
    const never = new AbortController().signal;
    let startedBy: string | undefined;
    const polling = tokens.poll(ACTIVITY, 'w1', never);
    const first = tokens.open(request({ activity: { arn: ACTIVITY, input: { n: 1 } }, onStarted: (worker) => (startedBy = worker) }));
    expect(await polling).to.deep.equal({ taskToken: first.token, input: '{"n":1}' });
    expect(startedBy).to.equal('w1');
    const closed = tokens.open(request({ activity: { arn: ACTIVITY, input: { n: 2 } } }));
    const queued = tokens.open(request({ activity: { arn: ACTIVITY, input: { n: 3 } } }));
    closed.close();
    expect(await tokens.poll(ACTIVITY, undefined, never)).to.deep.equal({ taskToken: queued.token, input: '{"n":3}' });
    first.close();
    queued.close();
  });

  it('answers a poll with nothing when no task comes in time, or when the endpoint stops', async () => {
    const tokens = new TaskTokenRegistry();
    expect(await tokens.poll(ACTIVITY, undefined, new AbortController().signal, 10)).to.equal(undefined);
    const stopping = new AbortController();
    const polling = tokens.poll(ACTIVITY, undefined, stopping.signal);
    stopping.abort();
    expect(await polling).to.equal(undefined);
    // The abandoned poll takes no later task.
    const wait = tokens.open(request({ activity: { arn: ACTIVITY, input: {} } }));
    expect(await tokens.poll(ACTIVITY, undefined, new AbortController().signal, 10)).to.deep.include({ taskToken: wait.token });
    wait.close();
  });

  it('does not schedule a task of an activity that does not exist', () => {
    const tokens = new TaskTokenRegistry({ activityExists: () => false });
    expect(() => tokens.open(request({ activity: { arn: ACTIVITY, input: {} } }))).to.throw(StatesError, `The activity ${ACTIVITY} does not exist.`);
  });
});

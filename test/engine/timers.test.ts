import { expect } from 'chai';
import sinon from 'sinon';
import { MAX_TIMER_MS, setLongTimeout } from '../../engine/timers.ts';
import { machine, run } from './run.ts';

const DAY_MS = 24 * 3600 * 1000;

describe('engine: timers longer than Node keeps (2^31-1 ms)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    // The fake timers fire an overlong setTimeout at once, as Node does.
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  it('fires once, at the end, after as many timers as it takes; cancelled, never', async () => {
    let fired = 0;
    setLongTimeout(() => (fired += 1), 3 * MAX_TIMER_MS + 5);
    await clock.tickAsync(3 * MAX_TIMER_MS + 4);
    expect(fired).to.equal(0);
    await clock.tickAsync(1);
    expect(fired).to.equal(1);
    expect(clock.countTimers()).to.equal(0);
    const cancel = setLongTimeout(() => (fired += 1), 2 * MAX_TIMER_MS);
    await clock.tickAsync(MAX_TIMER_MS + 1);
    cancel();
    await clock.tickAsync(2 * MAX_TIMER_MS);
    expect(fired).to.equal(1);
  });

  it("times a Task out after its TimeoutSeconds of 30 days, not at once", async () => {
    const definition = machine({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f', TimeoutSeconds: 30 * 24 * 3600, End: true });
    const running = run(definition, {}, { dispatch: () => new Promise(() => undefined) });
    let result: Awaited<typeof running> | undefined;
    void running.then((settled) => (result = settled));
    await clock.tickAsync(30 * DAY_MS - 1000);
    expect(result).to.equal(undefined);
    await clock.tickAsync(1000);
    expect(result).to.include({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('waits a retry delay of 40 days in full', async () => {
    let calls = 0;
    const definition = machine({
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 40 * 24 * 3600, MaxAttempts: 1 }],
      End: true,
    });
    const running = run(definition, {}, {
      dispatch: () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('first')) : Promise.resolve('second');
      },
    });
    await clock.tickAsync(40 * DAY_MS - 1000);
    expect(calls).to.equal(1);
    await clock.tickAsync(1000);
    expect(await running).to.include({ status: 'SUCCEEDED', output: 'second' });
  });
});

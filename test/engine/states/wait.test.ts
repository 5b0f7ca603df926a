import { expect } from 'chai';
import sinon from 'sinon';
import { machine, run, types } from '../run.ts';

describe('engine: Wait state', () => {
  it('waits Seconds for real, then passes its input on', async () => {
    const started = Date.now();
    const result = await run(machine({ Type: 'Wait', Seconds: 1, End: true }), { a: 1 });
    expect(Date.now() - started).to.be.at.least(950);
    expect(result.output).to.deep.equal({ a: 1 });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('does not wait for a Timestamp in the past', async () => {
    const started = Date.now();
    await run(machine({ Type: 'Wait', Timestamp: '2016-03-14T01:59:00Z', End: true }));
    expect(Date.now() - started).to.be.below(500);
  });

  it('reads SecondsPath and TimestampPath from the input', async () => {
    expect((await run(machine({ Type: 'Wait', SecondsPath: '$.s', End: true }), { s: 0 })).status).to.equal('SUCCEEDED');
    expect((await run(machine({ Type: 'Wait', TimestampPath: '$.t', End: true }), { t: '2020-01-01T00:00:00.123Z' })).status).to.equal('SUCCEEDED');
  });

  it('fails with States.Runtime for a negative SecondsPath value or a timestamp without a zone', async () => {
    const negative = await run(machine({ Type: 'Wait', SecondsPath: '$.s', End: true }), { s: -1 });
    expect(negative).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(negative.cause).to.contain('The SecondsPath parameter references a negative value: $.s == -1');
    const noZone = await run(machine({ Type: 'Wait', TimestampPath: '$.t', End: true }), { t: '2016-12-05 21:29:29Z' });
    expect(noZone.cause).to.contain('The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string');
  });

  it('words the SecondsPath failures as AWS does: a missing value, a fraction', async () => {
    const wait = machine({ Type: 'Wait', SecondsPath: '$.input.waitSeconds', End: true });
    const missing = await run(wait, {});
    expect(missing).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(missing.cause).to.match(/\. The SecondsPath parameter does not reference an input value: \$\.input\.waitSeconds$/);
    for (const seconds of [1.5, -1.5]) {
      const fraction = await run(wait, { input: { waitSeconds: seconds } });
      expect(fraction).to.include({ status: 'FAILED', error: 'States.Runtime' });
      expect(fraction.cause).to.match(new RegExp(`\\. The SecondsPath parameter cannot be parsed as a long value: \\$\\.input\\.waitSeconds == ${seconds}$`));
    }
  });

  it('in JSONata, an unparsable Timestamp is a States.QueryEvaluationError recorded as EvaluationFailed', async () => {
    const result = await run(machine({ Type: 'Wait', Timestamp: '{% $states.input.t %}', End: true }, {}, { QueryLanguage: 'JSONata' }), { t: '2016-12-05T21:29:29' });
    expect(result).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'WaitStateEntered', 'EvaluationFailed', 'ExecutionFailed']);
    // As AWS recorded it: in a Wait state EvaluationFailed follows WaitStateEntered, and names the field.
    expect(result.history[2]).to.deep.include({ id: 3, previousEventId: 2 });
    expect(result.history[2]!.evaluationFailedEventDetails).to.deep.include({ error: 'States.QueryEvaluationError', location: 'Timestamp', state: 'S' });
  });

  it('is ended by an abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await run(machine({ Type: 'Wait', Seconds: 30, End: true }), {}, { signal: controller.signal });
    expect(result.status).to.equal('ABORTED');
    expect(Date.now() - started).to.be.below(2000);
    expect(types(result).at(-1)).to.equal('ExecutionAborted');
  });

  it('leaves no timer behind once aborted, so nothing keeps the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const controller = new AbortController();
    const running = run(machine({ Type: 'Wait', Seconds: 600, End: true }), {}, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = timers();
    expect(waiting).to.be.above(before);
    controller.abort();
    expect((await running).status).to.equal('ABORTED');
    // The Wait's 600 s timer is gone (the test runner may have started one of its own meanwhile).
    expect(timers()).to.equal(waiting - 1);
  });

  describe('longer than one timer lasts (2^31-1 ms, about 24.8 days)', () => {
    const DAY = 24 * 3600;
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      // The fake timers fire an overlong setTimeout at once, as Node does.
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });
    afterEach(() => clock.restore());

    /** Whether the promise has settled, once what is due now has run. */
    async function settled(promise: Promise<unknown>): Promise<boolean> {
      let done = false;
      promise.then(
        () => (done = true),
        () => (done = true),
      );
      await clock.tickAsync(0);
      return done;
    }

    it('waits the whole of a 35-day Wait', async () => {
      const running = run(machine({ Type: 'Wait', Seconds: 35 * DAY, End: true }), { a: 1 });
      expect(await settled(running)).to.be.false;
      await clock.tickAsync(35 * DAY * 1000 - 1000);
      expect(await settled(running)).to.be.false;
      await clock.tickAsync(1000);
      expect(await running).to.include({ status: 'SUCCEEDED' });
    });

    it('waits until a Timestamp 200 days ahead', async () => {
      const at = new Date(Date.now() + 200 * DAY * 1000).toISOString();
      const running = run(machine({ Type: 'Wait', TimestampPath: '$.at', End: true }), { at });
      await clock.tickAsync(199 * DAY * 1000);
      expect(await settled(running)).to.be.false;
      await clock.tickAsync(DAY * 1000);
      expect((await running).status).to.equal('SUCCEEDED');
    });

    it('is still ended by the execution\'s TimeoutSeconds, however long', async () => {
      const running = run(machine({ Type: 'Wait', Seconds: 300 * DAY, End: true }, {}, { TimeoutSeconds: 30 * DAY }));
      await clock.tickAsync(30 * DAY * 1000 - 1000);
      expect(await settled(running)).to.be.false;
      await clock.tickAsync(1000);
      const result = await running;
      expect(result).to.include({ status: 'TIMED_OUT', error: 'States.Timeout' });
      expect(types(result).at(-1)).to.equal('ExecutionTimedOut');
    });

    it('is still ended by an abort', async () => {
      const controller = new AbortController();
      const running = run(machine({ Type: 'Wait', Seconds: 300 * DAY, End: true }), {}, { signal: controller.signal });
      await clock.tickAsync(100 * DAY * 1000);
      controller.abort();
      expect((await running).status).to.equal('ABORTED');
      expect(clock.countTimers()).to.equal(0);
    });

    it('fails as AWS does when the delay is longer than an execution may last (a year)', async () => {
      const cases = [
        machine({ Type: 'Wait', Seconds: 366 * DAY, End: true }),
        machine({ Type: 'Wait', SecondsPath: '$.s', End: true }),
        machine({ Type: 'Wait', TimestampPath: '$.at', End: true }),
        machine({ Type: 'Wait', Seconds: '{% $states.input.s %}', End: true }, {}, { QueryLanguage: 'JSONata' }),
      ];
      const input = { s: 99_999_999, at: new Date(Date.now() + 400 * DAY * 1000).toISOString() };
      for (const definition of cases) {
        const result = await run(definition, input);
        expect(result, JSON.stringify(definition)).to.include({ status: 'FAILED', error: 'States.Runtime' });
        expect(result.cause).to.equal("An error occurred while executing the state 'S' (entered at the event id #2). Wait state delay is too long.");
      }
      // A year to the day still waits.
      expect(await settled(run(machine({ Type: 'Wait', Seconds: 365 * DAY, End: true })))).to.be.false;
      await clock.tickAsync(365 * DAY * 1000);
    });
  });
});

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { createRunGuard, RunInterrupted, type FailureEvents } from '../../local/cli/run-guard.ts';
import { rejection } from '../helpers.ts';

const never = () => new Promise<never>(() => undefined);

describe('local/run-guard', () => {
  it('settles a pending race with the first failure, and keeps it', async () => {
    const guard = createRunGuard({ events: new EventEmitter() as FailureEvents });
    const pending = guard.race(never());
    guard.fail(new Error('first'));
    guard.fail(new Error('second'));
    expect((await rejection(pending)).message).to.equal('first');
    expect((await rejection(guard.race(Promise.resolve(1)))).message).to.equal('first');
    expect(guard.failure()?.message).to.equal('first');
    guard.dispose();
  });

  it('lets work that settles first through', async () => {
    const guard = createRunGuard({ events: new EventEmitter() as FailureEvents });
    expect(await guard.race(Promise.resolve('done'))).to.equal('done');
    guard.dispose();
  });

  it('fails on an exception or a rejection nobody handled, until disposed', async () => {
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      const events = new EventEmitter();
      const guard = createRunGuard({ events: events as FailureEvents });
      const pending = guard.race(never());
      events.emit(event, 'not even an Error');
      const error = await rejection(pending);
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.equal('not even an Error');
      guard.dispose();
      expect(events.listenerCount(event)).to.equal(0);
    }
  });

  it('turns a throwing callback into the run\'s failure, and tells each listener once', async () => {
    const guard = createRunGuard({ events: new EventEmitter() as FailureEvents });
    let told = 0;
    guard.onFailure(() => (told += 1));
    const callback = guard.guard(() => {
      throw new TypeError('a defect');
    });
    expect(() => callback()).to.not.throw();
    callback();
    guard.onFailure(() => (told += 1));
    expect(told).to.equal(2);
    expect(guard.failure()).to.be.instanceOf(TypeError);
    guard.dispose();
  });

  it('fails with RunInterrupted when the signal aborts, already or later', async () => {
    const later = new AbortController();
    const guard = createRunGuard({ signal: later.signal, events: new EventEmitter() as FailureEvents });
    const pending = guard.race(never());
    later.abort();
    expect(await rejection(pending)).to.be.instanceOf(RunInterrupted);
    guard.dispose();
    const already = createRunGuard({ signal: AbortSignal.abort(), events: new EventEmitter() as FailureEvents });
    expect(already.failure()).to.be.instanceOf(RunInterrupted);
    already.dispose();
  });
});

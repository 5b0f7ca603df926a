import { expect } from 'chai';
import { errorMatches, findCatcher, RetryCounter, retryDelayMs } from '../../engine/retry.ts';

describe('engine: Retry and Catch matching', () => {
  it('matches an error by name', () => {
    expect(errorMatches(['A', 'B'], 'B')).to.equal(true);
    expect(errorMatches(['A'], 'B')).to.equal(false);
  });

  it('States.ALL matches every error except States.DataLimitExceeded and States.Runtime', () => {
    expect(errorMatches(['States.ALL'], 'Lambda.Unknown')).to.equal(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).to.equal(true);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).to.equal(false);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).to.equal(false);
  });

  it('States.DataLimitExceeded may be named explicitly; States.Runtime never matches', () => {
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).to.equal(true);
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).to.equal(false);
  });

  it('States.TaskFailed matches every task error but States.Timeout', () => {
    expect(errorMatches(['States.TaskFailed'], 'Exception')).to.equal(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).to.equal(false);
  });

  it('a missed heartbeat is matched by States.HeartbeatTimeout and States.Timeout, not by States.TaskFailed', () => {
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.HeartbeatTimeout')).to.equal(true);
    expect(errorMatches(['States.Timeout'], 'States.HeartbeatTimeout')).to.equal(true);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout')).to.equal(false);
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).to.equal(false);
    expect(errorMatches(['States.ALL'], 'States.HeartbeatTimeout')).to.equal(true);
  });

  it('findCatcher takes the first catcher that matches', () => {
    const catchers = [
      { ErrorEquals: ['X'], Next: 'a' },
      { ErrorEquals: ['States.ALL'], Next: 'b' },
      { ErrorEquals: ['Y'], Next: 'c' },
    ];
    expect(findCatcher(catchers, 'Y')?.Next).to.equal('b');
    expect(findCatcher(catchers, 'States.Runtime')).to.equal(undefined);
  });
});

describe('engine: retry delays', () => {
  it('defaults to IntervalSeconds 1, BackoffRate 2, MaxAttempts 3', () => {
    const counter = new RetryCounter([{ ErrorEquals: ['E'] }]);
    expect([counter.next('E'), counter.next('E'), counter.next('E'), counter.next('E')]).to.deep.equal([1000, 2000, 4000, undefined]);
    expect(counter.total).to.equal(3);
  });

  it('keeps a count per retrier, and the first matching retrier decides', () => {
    const counter = new RetryCounter([
      { ErrorEquals: ['A'], MaxAttempts: 1, IntervalSeconds: 5 },
      { ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 7 },
    ]);
    expect(counter.next('A')).to.equal(5000);
    expect(counter.next('A')).to.equal(undefined);
    expect(counter.next('B')).to.equal(7000);
    expect(counter.total).to.equal(2);
  });

  it('caps the delay at MaxDelaySeconds and applies FULL jitter as a fraction of it', () => {
    expect(retryDelayMs({ ErrorEquals: ['E'], IntervalSeconds: 10, BackoffRate: 10, MaxDelaySeconds: 30 }, 3)).to.equal(30000);
    expect(retryDelayMs({ ErrorEquals: ['E'], IntervalSeconds: 4, JitterStrategy: 'FULL' }, 1, () => 0.25)).to.equal(2000);
  });
});

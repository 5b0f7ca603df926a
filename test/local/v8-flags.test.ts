import { expect } from 'chai';
import { flagChanges } from '../../local/v8-flags.ts';

/** A load the test settles when it says. */
function load(): { promise: Promise<void>; finish(): void; fail(): void } {
  let finish!: () => void;
  let fail!: () => void;
  const promise = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = () => reject(new Error('the thread failed'));
  });
  return { promise, finish, fail };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('local/v8-flags', () => {
  it('makes a change at once while nothing holds it', () => {
    const made: string[] = [];
    flagChanges((flags) => made.push(flags)).change('--a');
    expect(made).to.deep.equal(['--a']);
  });

  it('holds the changes asked while a thread loads, makes them in order once it has, and the next ones at once', async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    const thread = load();
    flags.holdUntil(thread.promise);
    flags.change('--a');
    flags.change('--b');
    await settle();
    expect(made).to.deep.equal([]);
    thread.finish();
    await settle();
    expect(made).to.deep.equal(['--a', '--b']);
    flags.change('--c');
    expect(made).to.deep.equal(['--a', '--b', '--c']);
  });

  it('lets the changes go when the load fails as when it ends', async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    const thread = load();
    flags.holdUntil(thread.promise);
    flags.change('--a');
    thread.fail();
    await settle();
    expect(made).to.deep.equal(['--a']);
  });

  it('lets the changes go once the longest hold has passed, when the load neither ends nor fails', async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    flags.holdUntil(load().promise, 20);
    flags.change('--a');
    await settle();
    expect(made).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(made).to.deep.equal(['--a']);
  });

  it('holds a change until every load asked before it has settled, and not past the one asked after it', async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    const first = load();
    const second = load();
    flags.holdUntil(first.promise);
    flags.holdUntil(second.promise);
    flags.change('--a');
    const third = load();
    flags.change('--b');
    flags.holdUntil(third.promise);
    flags.change('--c');
    second.finish();
    await settle();
    expect(made).to.deep.equal([]);
    first.finish();
    await settle();
    expect(made).to.deep.equal(['--a', '--b']);
    third.finish();
    await settle();
    expect(made).to.deep.equal(['--a', '--b', '--c']);
  });
});

import { expect } from 'chai';
import { machine, run, types } from '../run.ts';

const branch = (name: string, state: Record<string, unknown>) => ({ StartAt: name, States: { [name]: state } });

describe('engine: Parallel state', () => {
  it("gives every branch the same input and returns the branches' outputs in branch order", async () => {
    const result = await run(
      machine({
        Type: 'Parallel',
        Branches: [branch('A', { Type: 'Pass', Parameters: { 'a.$': '$.v' }, End: true }), branch('B', { Type: 'Pass', Result: 'b', End: true })],
        End: true,
      }),
      { v: 1 },
    );
    expect(result.output).to.deep.equal([{ a: 1 }, 'b']);
    expect(types(result)[2]).to.equal('ParallelStateStarted');
    expect(types(result).slice(-3)).to.deep.equal(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
  });

  it("links each branch's first event to ParallelStateStarted through previousEventId", async () => {
    const result = await run(
      machine({ Type: 'Parallel', Branches: [branch('A', { Type: 'Pass', End: true }), branch('B', { Type: 'Pass', End: true })], End: true }),
    );
    const started = result.history.find((event) => event.type === 'ParallelStateStarted')!;
    const entered = result.history.filter((event) => event.type === 'PassStateEntered');
    expect(entered.map((event) => event.previousEventId)).to.deep.equal([started.id, started.id]);
  });

  it("fails with a failing branch's error, recording ParallelStateFailed; Catch then exits the state", async () => {
    const failing = machine(
      { Type: 'Parallel', Branches: [branch('F', { Type: 'Fail', Error: 'E', Cause: 'C' })], Catch: [{ ErrorEquals: ['E'], Next: 'H' }], End: true },
      { H: { Type: 'Pass', End: true } },
    );
    const result = await run(failing);
    expect(result.output).to.deep.equal({ Error: 'E', Cause: 'C' });
    expect(types(result)).to.deep.equal([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ParallelStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('aborts a sibling branch in a Task when a branch fails (TaskStateAborted, the call signal aborted)', async () => {
    let aborted = false;
    const result = await run(
      machine({
        Type: 'Parallel',
        Branches: [branch('T', { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: {}, End: true }), branch('F', { Type: 'Fail', Error: 'E' })],
        End: true,
      }),
      {},
      {
        dispatch: (call) =>
          new Promise((_resolve, reject) => {
            call.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            });
          }),
      },
    );
    expect(result).to.include({ status: 'FAILED', error: 'E' });
    expect(types(result)).to.include('TaskStateAborted');
    expect(types(result).slice(-2)).to.deep.equal(['ParallelStateFailed', 'ExecutionFailed']);
    expect(aborted).to.equal(true);
  });

  it('stops a sibling branch of Pass states at a state boundary once a branch fails, recording nothing of it after', async () => {
    // An endless branch, which only the failure can end. Which branch runs first depends on when
    // the event loop's turns fall (a stalled machine makes one overdue at the start), but the engine
    // takes a turn at least every 64 states, so the failing branch's turn comes within them.
    const passes = {
      ...Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`P${index}`, { Type: 'Pass', Next: index === 19 ? 'Again' : `P${index + 1}` }])),
      Again: { Type: 'Choice', Choices: [{ Variable: '$.never', IsPresent: true, Next: 'Done' }], Default: 'P0' },
      Done: { Type: 'Succeed' },
    };
    const result = await run(
      machine({ Type: 'Parallel', Branches: [{ StartAt: 'P0', States: passes }, branch('F', { Type: 'Fail', Error: 'E' })], End: true }),
    );
    expect(result).to.include({ status: 'FAILED', error: 'E' });
    const kinds = types(result);
    expect(kinds.filter((type) => type === 'PassStateEntered').length).to.be.within(1, 2 * 64);
    expect(kinds.slice(kinds.indexOf('ParallelStateFailed'))).to.deep.equal(['ParallelStateFailed', 'ExecutionFailed']);
  });

  it('a caught error output always holds Error and Cause, empty when the Fail state named none', async () => {
    const result = await run(
      machine({ Type: 'Parallel', Branches: [branch('F', { Type: 'Fail', Error: 'E' })], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true }, { H: { Type: 'Pass', End: true } }),
    );
    expect(result.output).to.deep.equal({ Error: 'E', Cause: '' });
  });

  it('a retry starts the branches again (ParallelStateStarted per attempt)', async () => {
    const result = await run(
      machine({ Type: 'Parallel', Branches: [branch('F', { Type: 'Fail', Error: 'E' })], Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1 }], End: true }),
      {},
      { retryDelay: () => 0 },
    );
    expect(types(result).filter((type) => type === 'ParallelStateStarted')).to.have.length(2);
    expect(result).to.include({ status: 'FAILED', error: 'E' });
  });

  it('branches read the enclosing variables but their own assignments stay inside', async () => {
    const result = await run(
      machine(
        { Type: 'Pass', Assign: { x: 1 }, Next: 'P' },
        {
          P: {
            Type: 'Parallel',
            Branches: [branch('A', { Type: 'Pass', Assign: { inner: 2 }, Parameters: { 'x.$': '$x' }, End: true })],
            Next: 'After',
          },
          After: { Type: 'Pass', Parameters: { 'x.$': '$x', 'out.$': '$' }, Next: 'Inner' },
          Inner: { Type: 'Pass', Parameters: { 'inner.$': '$inner' }, End: true },
        },
      ),
    );
    expect(result.status).to.equal('FAILED');
    const after = result.history.find((event) => event.type === 'PassStateExited' && (event.stateExitedEventDetails as { name: string }).name === 'After')!;
    expect(JSON.parse((after.stateExitedEventDetails as { output: string }).output)).to.deep.equal({ x: 1, out: [{ x: 1 }] });
    expect(result.error).to.equal('States.Runtime');
  });
});

import { expect } from 'chai';
import { onFakeClock } from '../../fake-clock.ts';
import { machine, run, types } from '../run.ts';

const processor = (state: Record<string, unknown>, mode = 'INLINE') => ({ ProcessorConfig: { Mode: mode }, StartAt: 'I', States: { I: state } });

describe('engine: inline Map state', () => {
  it('runs the processor per item of ItemsPath, recording MapStateStarted {length} and the iterations', async () => {
    const result = await run(
      machine({ Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }),
      { items: [1, 2] },
    );
    expect(result.output).to.deep.equal([1, 2]);
    expect(types(result)).to.deep.equal([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.history[2]!.mapStateStartedEventDetails).to.deep.equal({ length: 2 });
    expect(result.history[3]!.mapIterationStartedEventDetails).to.deep.equal({ name: 'S', index: 0 });
  });

  it('builds each iteration input with ItemSelector from $ and $$.Map.Item', async () => {
    const result = await run(
      machine({
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value', 'k.$': '$.k' },
        ItemProcessor: processor({ Type: 'Pass', End: true }),
        End: true,
      }),
      { items: ['a', 'b'], k: 'K' },
    );
    expect(result.output).to.deep.equal([
      { i: 0, v: 'a', k: 'K' },
      { i: 1, v: 'b', k: 'K' },
    ]);
  });

  it('supports the legacy Iterator and Parameters fields', async () => {
    const result = await run(
      machine({ Type: 'Map', Parameters: { 'v.$': '$$.Map.Item.Value' }, Iterator: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true }),
      [1],
    );
    expect(result.output).to.deep.equal([{ v: 1 }]);
  });

  it('never runs more than MaxConcurrency iterations at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await run(
      machine({ Type: 'Map', MaxConcurrency: 2, ItemProcessor: processor({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true }), End: true }),
      [1, 2, 3, 4, 5],
      {
        dispatch: async (call) => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 10));
          running -= 1;
          return call.parameters;
        },
      },
    );
    expect(result.output).to.deep.equal([1, 2, 3, 4, 5]);
    expect(peak).to.equal(2);
  });

  it("fails with an iteration's error (MapIterationFailed, MapStateFailed)", async () => {
    const result = await run(machine({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: processor({ Type: 'Fail', Error: 'E', Cause: 'C' }), End: true }), [1, 2]);
    expect(result).to.include({ status: 'FAILED', error: 'E', cause: 'C' });
    expect(types(result).slice(-4)).to.deep.equal(['FailStateEntered', 'MapIterationFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  it('aborts the iterations still running when one fails (WaitStateAborted, MapIterationAborted)', async () => {
    // The failing item waits a second first, on sinon's clock: the others are in their Wait by
    // then however the machine's load lets the iterations take turns.
    const { value: result, elapsedMs } = await onFakeClock(() =>
      run(
        machine({
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'C',
            States: {
              C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'P' }], Default: 'W' },
              P: { Type: 'Wait', Seconds: 1, Next: 'F' },
              F: { Type: 'Fail', Error: 'E' },
              W: { Type: 'Wait', Seconds: 30, End: true },
            },
          },
          End: true,
        }),
        [1, 0, 2],
      ),
    );
    expect(elapsedMs).to.be.below(30_000);
    expect(result).to.include({ status: 'FAILED', error: 'E' });
    const kinds = types(result);
    expect(kinds.filter((type) => type === 'WaitStateAborted')).to.have.length(2);
    expect(kinds.filter((type) => type === 'MapIterationAborted')).to.have.length(2);
    expect(kinds.slice(-2)).to.deep.equal(['MapStateFailed', 'ExecutionFailed']);
  });

  it('tolerates failures up to ToleratedFailureCount, then fails with States.ExceedToleratedFailureThreshold', async () => {
    const definition = (count: number) =>
      machine({
        Type: 'Map',
        MaxConcurrency: 1,
        ToleratedFailureCount: count,
        ItemProcessor: {
          StartAt: 'C',
          States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'F' }], Default: 'P' }, F: { Type: 'Fail', Error: 'E' }, P: { Type: 'Pass', End: true } },
        },
        End: true,
      });
    expect((await run(definition(1), [0, 1])).status).to.equal('SUCCEEDED');
    const exceeded = await run(definition(1), [0, 0, 1]);
    expect(exceeded).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('refuses the tolerated failures a Path gives with States.Runtime, worded as AWS recorded each', async () => {
    const map = machine({
      Type: 'Map',
      ItemsPath: '$.items',
      ToleratedFailureCountPath: '$.count',
      ToleratedFailurePercentagePath: '$.percentage',
      ItemProcessor: processor({ Type: 'Pass', End: true }),
      End: true,
    });
    const cause = async (tolerated: Record<string, unknown>) => {
      const result = await run(map, { items: [0], count: 0, percentage: 0, ...tolerated });
      expect(result.error, JSON.stringify(tolerated)).to.equal('States.Runtime');
      return result.cause!.replace(/^An error occurred while executing the state 'S' \(entered at the event id #2\)\. /, '');
    };
    expect(await cause({ count: 'NoNumber' })).to.equal('The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.count');
    expect(await cause({ count: {} })).to.equal('The ToleratedFailureCountPath field refers to value "{}" which is not a valid integer: $.count');
    expect(await cause({ count: -1 })).to.equal('ToleratedFailureCount cannot be negative.');
    expect(await cause({ percentage: 'NoNumber' })).to.equal('The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not a valid float: $.percentage');
    expect(await cause({ percentage: {} })).to.equal('The ToleratedFailurePercentagePath field refers to value "{}" which is not a valid float: $.percentage');
    for (const percentage of [-1, -1.1, 100.1]) {
      expect(await cause({ percentage })).to.equal('ToleratedFailurePercentage must be between 0 and 100.');
    }
    for (const percentage of [0, 1.1, 100]) {
      expect((await run(map, { items: [0], count: 0, percentage })).status, String(percentage)).to.equal('SUCCEEDED');
    }
  });

  it('fails with States.Runtime when ItemsPath is not an array', async () => {
    const result = await run(machine({ Type: 'Map', ItemsPath: '$.x', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }), { x: 1 });
    expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('in JSONata, Items must evaluate to an array (States.QueryEvaluationError, EvaluationFailed, MapStateFailed)', async () => {
    const result = await run(machine({ Type: 'Map', Items: '{% $states.input.x %}', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }, {}, { QueryLanguage: 'JSONata' }), { x: true });
    expect(result).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'MapStateEntered', 'EvaluationFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  it('in JSONata, ItemSelector reads $states.context.Map.Item', async () => {
    const result = await run(
      machine(
        { Type: 'Map', Items: [10, 20], ItemSelector: { i: '{% $states.context.Map.Item.Index %}', v: '{% $states.context.Map.Item.Value %}' }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true },
        {},
        { QueryLanguage: 'JSONata' },
      ),
    );
    expect(result.output).to.deep.equal([
      { i: 0, v: 10 },
      { i: 1, v: 20 },
    ]);
  });
});

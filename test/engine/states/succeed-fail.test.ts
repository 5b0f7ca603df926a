import { expect } from 'chai';
import { machine, run, types } from '../run.ts';

describe('engine: Succeed and Fail states', () => {
  it('Succeed ends the execution with its (filtered) input', async () => {
    const result = await run(machine({ Type: 'Succeed', OutputPath: '$.a' }), { a: 1 });
    expect(result).to.include({ status: 'SUCCEEDED', output: 1 });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('Fail ends the execution with its Error and Cause, and records no Exited event', async () => {
    const result = await run(machine({ Type: 'Fail', Error: 'E', Cause: 'C' }));
    expect(result).to.include({ status: 'FAILED', error: 'E', cause: 'C' });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('a Fail without Error or Cause names none (no invented error)', async () => {
    const result = await run(machine({ Type: 'Fail' }));
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal(undefined);
    expect(result.cause).to.equal(undefined);
    expect(result.history.at(-1)!.executionFailedEventDetails).to.deep.equal({});
  });

  it('reads ErrorPath and CausePath (paths or intrinsics), and fails with States.Runtime when they match nothing', async () => {
    const result = await run(machine({ Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('because {}', $.c)" }), { e: 'E', c: 'x' });
    expect(result).to.include({ error: 'E', cause: 'because x' });
    const missing = await run(machine({ Type: 'Fail', ErrorPath: '$.nope' }), {});
    expect(missing).to.include({ error: 'States.Runtime' });
    expect(missing.cause).to.contain("The JSONPath '$.nope' specified for the field 'ErrorPath' could not be found in the input");
  });

  it('in JSONata, Error and Cause may be expressions', async () => {
    const result = await run(machine({ Type: 'Fail', Error: '{% $states.input.e %}', Cause: 'plain' }, {}, { QueryLanguage: 'JSONata' }), { e: 'E' });
    expect(result).to.include({ error: 'E', cause: 'plain' });
  });
});

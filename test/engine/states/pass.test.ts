import { expect } from 'chai';
import { machine, run, types } from '../run.ts';

// AWS: "A Pass state passes its input to its output, without performing work"; Result is a
// fixed result placed by ResultPath; Parameters builds a new input; OutputPath filters.
describe('engine: Pass state', () => {
  it('passes its input through, recording Entered/Exited', async () => {
    const result = await run(machine({ Type: 'Pass', End: true }), { a: 1 });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ a: 1 });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('places Result at ResultPath and filters with OutputPath', async () => {
    const result = await run(machine({ Type: 'Pass', Result: { x: 2 }, ResultPath: '$.r', OutputPath: '$.r', End: true }), { a: 1 });
    expect(result.output).to.deep.equal({ x: 2 });
  });

  it('builds its result from Parameters with paths, the context object and intrinsics', async () => {
    const result = await run(
      machine({ Type: 'Pass', Parameters: { 'v.$': '$.a', 'name.$': '$$.State.Name', 'n.$': 'States.MathAdd($.a, 1)', k: 'c' }, End: true }),
      { a: 1 },
    );
    expect(result.output).to.deep.equal({ v: 1, name: 'S', n: 2, k: 'c' });
  });

  it('ResultPath null keeps the input; InputPath null gives {}', async () => {
    const kept = await run(machine({ Type: 'Pass', Result: 5, ResultPath: null, End: true }), { a: 1 });
    expect(kept.output).to.deep.equal({ a: 1 });
    const empty = await run(machine({ Type: 'Pass', InputPath: null, End: true }), { a: 1 });
    expect(empty.output).to.deep.equal({});
  });

  it('fails with States.Runtime, naming the state and its entry event, when a Parameters path matches nothing', async () => {
    const result = await run(machine({ Type: 'Pass', Parameters: { 'v.$': '$.missing' }, End: true }), { a: 1 });
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.Runtime');
    expect(result.cause).to.match(/^An error occurred while executing the state 'S' \(entered at the event id #2\)\. /);
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  it('in JSONata, a failing Output is recorded as EvaluationFailed after the event before PassStateEntered, naming the field', async () => {
    const result = await run(machine({ Type: 'Pass', Output: { r: '{% $nothing %}' }, End: true }, {}, { QueryLanguage: 'JSONata' }));
    expect(result).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(result.history[2]).to.deep.include({ type: 'EvaluationFailed', previousEventId: 0 });
    expect(result.history[2]!.evaluationFailedEventDetails).to.deep.include({ location: 'Output/r', state: 'S' });
  });

  it('an empty Assign records no assignedVariables', async () => {
    const result = await run(machine({ Type: 'Pass', Assign: {}, End: true }));
    expect(result.history[2]!.stateExitedEventDetails).not.to.have.property('assignedVariables');
  });

  it('in JSONata, Output is evaluated with $states.input and Assign stores variables for later states', async () => {
    const result = await run(
      machine(
        { Type: 'Pass', Assign: { x: '{% $states.input.a + 1 %}' }, Output: { doubled: '{% $states.input.a * 2 %}' }, Next: 'T' },
        { T: { Type: 'Pass', Output: '{% $x %}', End: true } },
        { QueryLanguage: 'JSONata' },
      ),
      { a: 3 },
    );
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.equal(4);
    const exited = result.history.find((event) => event.type === 'PassStateExited')!;
    expect(JSON.parse(JSON.stringify(exited.stateExitedEventDetails))).to.deep.include({
      output: '{"doubled":6}',
      assignedVariables: { x: '4' },
    });
    // GetExecutionHistory's order of fields, the variables' texts after the output.
    expect(Object.keys(exited.stateExitedEventDetails!)).to.deep.equal(['name', 'output', 'outputDetails', 'assignedVariables', 'assignedVariablesDetails']);
  });
});

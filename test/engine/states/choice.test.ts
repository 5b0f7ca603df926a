import { expect } from 'chai';
import { machine, run, types } from '../run.ts';

const ENDS = { A: { Type: 'Pass', Result: 'A', End: true }, B: { Type: 'Pass', Result: 'B', End: true } };

describe('engine: Choice state', () => {
  it('goes to the Next of the first rule that holds', async () => {
    const result = await run(
      machine({ Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 5, Next: 'A' }, { Variable: '$.n', NumericLessThan: 10, Next: 'B' }] }, ENDS),
      { n: 7 },
    );
    expect(result.output).to.equal('A');
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('goes to Default when no rule holds, and fails with States.NoChoiceMatched without one', async () => {
    const rules = [{ Variable: '$.n', NumericEquals: 1, Next: 'A' }];
    const byDefault = await run(machine({ Type: 'Choice', Choices: rules, Default: 'B' }, ENDS), { n: 2 });
    expect(byDefault.output).to.equal('B');
    const none = await run(machine({ Type: 'Choice', Choices: rules }, { A: ENDS.A }), { n: 2 });
    expect(none).to.include({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it("applies the matched rule's Assign, or the state's own Assign when Default is taken", async () => {
    const definition = machine(
      {
        Type: 'Choice',
        Choices: [{ Variable: '$.n', NumericEquals: 1, Assign: { picked: 'rule' }, Next: 'R' }],
        Assign: { picked: 'default' },
        Default: 'R',
      },
      { R: { Type: 'Pass', Parameters: { 'p.$': '$picked' }, End: true } },
    );
    expect((await run(definition, { n: 1 })).output).to.deep.equal({ p: 'rule' });
    expect((await run(definition, { n: 2 })).output).to.deep.equal({ p: 'default' });
  });

  it('passes its input on (after InputPath/OutputPath)', async () => {
    const result = await run(
      machine({ Type: 'Choice', InputPath: '$.x', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'P' }] }, { P: { Type: 'Pass', End: true } }),
      { x: { ok: true } },
    );
    expect(result.output).to.deep.equal({ ok: true });
  });

  it('in JSONata, evaluates Condition and uses the rule Output', async () => {
    const result = await run(
      machine(
        { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 5 %}', Output: { big: true }, Next: 'P' }], Default: 'P' },
        { P: { Type: 'Pass', End: true } },
        { QueryLanguage: 'JSONata' },
      ),
      { n: 9 },
    );
    expect(result.output).to.deep.equal({ big: true });
  });
});

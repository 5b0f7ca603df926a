import { expect } from 'chai';
import { jsonataExpressionProblem } from '../../../engine/jsonata/check.ts';

describe('engine/jsonata/check', () => {
  it('accepts expressions that read $states, variables and relative names inside predicates and lambdas', () => {
    for (const expression of [
      '{% $states.input.phone %}',
      '{% $phone %}',
      '{% $states.input.items[value > 3] %}',
      '{% $states.input.items[$ = 1] %}',
      '{% $states.input.items.name %}',
      '{% $states.input.items^(value) %}',
      "{% $contains('hello$world', /^hello\\$/) %}",
      '{% ($x := 2; $x * 3) %}',
      '{% $map($states.input.a, function($v){ $v.b }) %}',
      '{% {"k": $states.context.Execution.Name} %}',
      '{% $count($states.input.list) %}',
    ]) {
      expect(jsonataExpressionProblem(expression), expression).to.equal(undefined);
    }
  });

  it('refuses a path read from the top-level context item, naming it as AWS does', () => {
    expect(jsonataExpressionProblem('{% phone %}')).to.equal(
      "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported.",
    );
    expect(jsonataExpressionProblem('{% $map($states.input.a, function($v){ b }) %}')).to.contain("'b' at the top level");
    expect(jsonataExpressionProblem('{% 1 + a.b %}')).to.contain("'a' at the top level");
  });

  it('refuses $$ anywhere and $ at the top level', () => {
    expect(jsonataExpressionProblem('{% $$.a %}')).to.equal("UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$$' is not supported.");
    expect(jsonataExpressionProblem('{% $ %}')).to.contain("'$' at the top level");
  });

  it('allows $states.result and $states.errorOutput only where the field offers them', () => {
    expect(jsonataExpressionProblem('{% $states.result.Payload %}')).to.contain("'$states.result'");
    expect(jsonataExpressionProblem('{% $states.result.Payload %}', { result: true })).to.equal(undefined);
    expect(jsonataExpressionProblem('{% $states.errorOutput %}', { result: true })).to.contain("'$states.errorOutput'");
    expect(jsonataExpressionProblem('{% $states.errorOutput.Cause %}', { errorOutput: true })).to.equal(undefined);
  });

  it('refuses an expression that does not parse, with the parser\'s code', () => {
    expect(jsonataExpressionProblem('{% a[1,2) %}')).to.match(/^INVALID_JSONATA_EXPRESSION: S0202: /);
  });
});

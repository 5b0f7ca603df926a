import { expect } from 'chai';
import { StatesError } from '../../../engine/errors.ts';
import {
  evaluateJsonata,
  expressionText,
  isJsonataExpression,
  resolveJsonataTemplate,
  unexpectedResultType,
  type JsonataScope,
} from '../../../engine/jsonata/evaluate.ts';
import { rejection } from '../../helpers.ts';

const scope: JsonataScope = {
  states: { input: { input_value: 'string literal', input_values: [1, 2, 3], absent: null }, context: { Execution: { Name: 'run-1' } } },
  variables: { var_constant_1: 1, ItemsVar: true },
};

async function failure(value: unknown, field = 'Output', on: JsonataScope = scope): Promise<StatesError> {
  const error = await rejection(resolveJsonataTemplate(value, on, field));
  expect(error).to.be.instanceOf(StatesError);
  return error as StatesError;
}

describe('engine/jsonata/evaluate', () => {
  describe('isJsonataExpression', () => {
    it('accepts only a string that is exactly one {% … %}', () => {
      expect(isJsonataExpression('{% $states.input %}')).to.equal(true);
      expect(isJsonataExpression('{%1%}')).to.equal(true);
    });

    it('treats a string that merely contains {% or has text around it as a literal', () => {
      for (const literal of ['plain', 'a {% 1 %}', '{% 1 %} b', ' {% 1 %}', '{% 1 %} ', '{%', '{%}', '%}']) {
        expect(isJsonataExpression(literal), literal).to.equal(false);
      }
      for (const other of [1, null, true, ['{% 1 %}'], { a: '{% 1 %}' }]) expect(isJsonataExpression(other)).to.equal(false);
    });

    it('quotes the expression without its delimiters, trimmed, as AWS does in a cause', () => {
      expect(expressionText('{%   $x  %}')).to.equal('$x');
    });
  });

  describe('evaluateJsonata', () => {
    it('reads $states.input, $states.context and variables as $name, with no context item', async () => {
      expect(await evaluateJsonata('{% $states.input.input_value %}', scope, 'Output')).to.equal('string literal');
      expect(await evaluateJsonata('{% $states.context.Execution.Name %}', scope, 'Output')).to.equal('run-1');
      expect(await evaluateJsonata('{% $sum($states.input.input_values) + $var_constant_1 %}', scope, 'Output')).to.equal(7);
    });

    it('fails an expression that returns nothing with the cause AWS records', async () => {
      const error = await rejection(evaluateJsonata('{% $doesNotExist %}', scope, 'Assign/result'));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.equal(
        "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
      );
    });

    it('treats a bare field name as the missing context item, so it returns nothing', async () => {
      const error = await rejection(evaluateJsonata('{% input_value %}', scope, 'Output'));
      expect(error.message).to.contain('returned nothing (undefined)');
    });

    it('keeps a JSON null: it is a value, not nothing', async () => {
      expect(await evaluateJsonata('{% $states.input.absent %}', scope, 'Output')).to.equal(null);
    });

    it('binds $states.result and $states.errorOutput only where the scope gives them', async () => {
      const error = await rejection(evaluateJsonata('{% $states.result %}', scope, 'Output'));
      expect(error.message).to.contain('returned nothing (undefined)');
      const withResult: JsonataScope = { ...scope, states: { ...scope.states, result: { Payload: 1 }, errorOutput: { Error: 'E' } } };
      expect(await evaluateJsonata('{% $states.result.Payload %}', withResult, 'Output')).to.equal(1);
      expect(await evaluateJsonata('{% $states.errorOutput.Error %}', withResult, 'Output')).to.equal('E');
    });

    it('reports a JSONata runtime error with its code, after AWS\'s sentence', async () => {
      const error = await rejection(evaluateJsonata("{% 1 + 'a' %}", scope, 'Output/v'));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.equal(
        "The JSONata expression '1 + 'a'' specified for the field 'Output/v' threw an error during evaluation. " +
          'T2002: The right side of the "+" operator must evaluate to a number',
      );
    });

    it('reports $error() and a wrong argument type as QueryEvaluationError', async () => {
      expect((await rejection(evaluateJsonata("{% $error('boom') %}", scope, 'Output'))).message).to.match(/\. D3137: boom$/);
      expect((await rejection(evaluateJsonata("{% $abs('x') %}", scope, 'Output'))).message).to.match(/\. T0410: Argument 1 of function "abs"/);
    });

    it('makes $eval unavailable, as Step Functions does', async () => {
      const error = await rejection(evaluateJsonata("{% $eval('1 + 1') %}", scope, 'Output'));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.contain('T1006');
    });

    it('accepts a single-quoted string and a regular expression literal', async () => {
      expect(await evaluateJsonata("{% $contains('hello$world', /^hello\\$/) %}", scope, 'Output')).to.equal(true);
    });

    it('returns plain JSON: sequences become arrays, and non-finite numbers the strings AWS writes', async () => {
      const result = await evaluateJsonata('{% [{"n": 1}, {"n": 2}].n %}', scope, 'Output');
      expect(result).to.deep.equal([1, 2]);
      expect(Object.getOwnPropertyNames(result)).to.deep.equal(['0', '1', 'length']);
      expect(await evaluateJsonata('{% 1/0 %}', scope, 'Output')).to.equal('Infinity');
    });

    it('passes a value through without copying it', async () => {
      const input = { list: [{ a: 1 }, { b: [2, 3] }] };
      const on: JsonataScope = { ...scope, states: { ...scope.states, input } };
      expect(await evaluateJsonata('{% $states.input %}', on, 'Output')).to.equal(input);
      expect(await evaluateJsonata('{% $states.input.list[1] %}', on, 'Output')).to.equal(input.list[1]);
    });

    it('drops undefined members and writes non-finite numbers inside a built value', async () => {
      expect(await evaluateJsonata('{% {"a": $nothing, "b": 1, "c": [1/0, 2]} %}', scope, 'Output')).to.deep.equal({
        b: 1,
        c: ['Infinity', 2],
      });
    });

    it('refuses a function as a result', async () => {
      const error = await rejection(evaluateJsonata('{% function($x){$x} %}', scope, 'Output'));
      expect(error.message).to.contain('returned an unsupported result type');
    });

    it('lets an expression bind local variables, as the recorded HeartbeatSeconds case does', async () => {
      expect(await evaluateJsonata('{% $variable := 1 %}', scope, 'HeartbeatSeconds')).to.equal(1);
      expect(await evaluateJsonata('{% ($a := 2; $a * $var_constant_1) %}', scope, 'Output')).to.equal(2);
    });

    it('gives the same answer from the cached compiled expression', async () => {
      const other: JsonataScope = { ...scope, variables: { var_constant_1: 10 } };
      expect(await evaluateJsonata('{% $var_constant_1 + 1 %}', scope, 'Output')).to.equal(2);
      expect(await evaluateJsonata('{% $var_constant_1 + 1 %}', other, 'Output')).to.equal(11);
    });

    it('reports a syntax error as a QueryEvaluationError when it is reached at run time', async () => {
      const error = await rejection(evaluateJsonata('{% a[1,2) %}', scope, 'Output'));
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.contain('S0202');
    });
  });

  describe('resolveJsonataTemplate', () => {
    it('evaluates every {% %} string in objects and arrays and keeps the rest', async () => {
      const template = {
        ja: '{% $states.input.input_values[0] %}',
        nested: { list: ['{% $var_constant_1 %}', 'literal', 3, null, false] },
        text: 'not {% an expression %}',
      };
      expect(await resolveJsonataTemplate(template, scope, 'Output')).to.deep.equal({
        ja: 1,
        nested: { list: [1, 'literal', 3, null, false] },
        text: 'not {% an expression %}',
      });
    });

    it('does not evaluate the result of an expression again', async () => {
      const on: JsonataScope = { ...scope, variables: { text: '{% 1 + 1 %}' } };
      expect(await resolveJsonataTemplate({ v: '{% $text %}' }, on, 'Output')).to.deep.equal({ v: '{% 1 + 1 %}' });
    });

    it('names the failing field with /key and [index], as AWS does', async () => {
      expect((await failure({ a: { b: ['x', '{% $nothing %}'] } })).message).to.contain("for the field 'Output/a/b[1]'");
      expect((await failure('{% $nothing %}', 'Output')).message).to.contain("for the field 'Output'");
    });

    it('returns a literal non-object as it is', async () => {
      expect(await resolveJsonataTemplate('string literal', scope, 'Output')).to.equal('string literal');
    });
  });

  describe('unexpectedResultType', () => {
    it('words the cause as AWS does for a Map Items expression', () => {
      const error = unexpectedResultType("{% {'foo': 'bar'} %}", 'Items', 'array', { foo: 'bar' });
      expect(error.name).to.equal('States.QueryEvaluationError');
      expect(error.message).to.equal(
        "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. " +
          'Expected \'array\', but was \'object\' for value: {"foo":"bar"}',
      );
      expect(unexpectedResultType('{% $ItemsVar %}', 'Items', 'array', true).message).to.contain(
        "Expected 'array', but was 'boolean' for value: true",
      );
    });
  });
});

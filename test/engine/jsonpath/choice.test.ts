import { expect } from 'chai';
import { StatesError } from '../../../engine/errors.ts';
import { checkChoiceRule, evaluateChoiceRule, InvalidChoiceRule, matchesPattern, parseTimestamp } from '../../../engine/jsonpath/choice.ts';
import type { PathScope } from '../../../engine/jsonpath/scope.ts';

const scope = (input: unknown): PathScope => ({ input, context: { Execution: { Input: { 'input-value': 0 } } }, variables: { limit: 3 } });
const holds = (rule: Record<string, unknown>, input: unknown): boolean => evaluateChoiceRule(rule, scope(input));

describe('engine/jsonpath/choice', () => {
  it('compares strings, numbers, booleans and timestamps with each relation', () => {
    expect(holds({ Variable: '$.v', StringEquals: 'a' }, { v: 'a' })).to.be.true;
    expect(holds({ Variable: '$.v', StringLessThan: 'AB' }, { v: 'A' })).to.be.true;
    expect(holds({ Variable: '$.v', StringGreaterThanEquals: 'AB' }, { v: 'A' })).to.be.false;
    expect(holds({ Variable: '$.v', StringGreaterThan: 'A\t\n\r' }, { v: 'A' })).to.be.false;
    expect(holds({ Variable: '$.v', NumericEquals: 1 }, { v: 1.0 })).to.be.true;
    expect(holds({ Variable: '$.v', NumericGreaterThan: 1 }, { v: 1 })).to.be.false;
    expect(holds({ Variable: '$.v', NumericLessThanEquals: 1 }, { v: 1 })).to.be.true;
    expect(holds({ Variable: '$.v', BooleanEquals: false }, { v: false })).to.be.true;
    expect(holds({ Variable: '$.v', TimestampLessThan: '2012-10-09T19:00:56Z' }, { v: '2012-10-09T19:00:55Z' })).to.be.true;
    expect(holds({ Variable: '$.v', TimestampEquals: '2012-10-09T21:00:55+02:00' }, { v: '2012-10-09T19:00:55Z' })).to.be.true;
  });

  it('reads the right-hand side of the …Path forms from the input, the context or a variable', () => {
    expect(holds({ Variable: '$.v', NumericLessThanPath: '$.w' }, { v: 1, w: 2 })).to.be.true;
    expect(holds({ Variable: '$.v', NumericEqualsPath: '$limit' }, { v: 3 })).to.be.true;
    expect(holds({ Variable: '$$.Execution.Input.input-value', NumericLessThanEquals: 0 }, {})).to.be.true;
    expect(holds({ Variable: '$.v', BooleanEqualsPath: '$.w' }, { v: true, w: true })).to.be.true;
    expect(holds({ Variable: '$.v', TimestampGreaterThanPath: '$.w' }, { v: '2012-10-09T19:00:55Z', w: '2012-10-09T19:00:56Z' })).to.be.false;
  });

  it('is false, not an error, when the types do not match', () => {
    expect(holds({ Variable: '$.v', StringEquals: 'HelloWorld' }, { v: [''] })).to.be.false;
    expect(holds({ Variable: '$.v', NumericEquals: 1 }, { v: ' ' })).to.be.false;
    expect(holds({ Variable: '$.v', NumericEqualsPath: '$.w' }, { v: 1, w: '1' })).to.be.false;
    expect(holds({ Variable: '$.v', BooleanEquals: true }, { v: null })).to.be.false;
    expect(holds({ Variable: '$.v', TimestampEquals: '2012-10-09T19:00:55Z' }, { v: [] })).to.be.false;
    expect(holds({ Variable: '$.v', TimestampEquals: '2012-10-09T19:00:55Z' }, { v: '2012-10-09 19:00:55Z' })).to.be.false;
  });

  it('tests types with the Is* operators; IsPresent is false for a missing path', () => {
    expect(holds({ Variable: '$.v', IsNull: true }, { v: null })).to.be.true;
    expect(holds({ Variable: '$.v', IsPresent: true }, { v: null })).to.be.true;
    expect(holds({ Variable: '$.v', IsPresent: true }, {})).to.be.false;
    expect(holds({ Variable: '$.v', IsPresent: false }, {})).to.be.true;
    expect(holds({ Variable: '$.v', IsNumeric: true }, { v: null })).to.be.false;
    expect(holds({ Variable: '$.v', IsString: true }, { v: '2012-10-09T19:00:55Z' })).to.be.true;
    expect(holds({ Variable: '$.v', IsBoolean: false }, { v: 'true' })).to.be.true;
    expect(holds({ Variable: '$.v', IsTimestamp: true }, { v: '2012-10-09T19:00:55Z' })).to.be.true;
    expect(holds({ Variable: '$.v', IsTimestamp: true }, { v: 'yesterday' })).to.be.false;
  });

  it('combines rules with And, Or and Not', () => {
    const rule = { And: [{ Variable: '$.a', NumericGreaterThan: 0 }, { Not: { Variable: '$.b', StringEquals: 'x' } }] };
    expect(holds(rule, { a: 1, b: 'y' })).to.be.true;
    expect(holds(rule, { a: 1, b: 'x' })).to.be.false;
    expect(holds({ Or: [{ Variable: '$.a', IsNull: true }, { Variable: '$.a', NumericEquals: 2 }] }, { a: 2 })).to.be.true;
  });

  it('matches StringMatches patterns with * and the \\* and \\\\ escapes', () => {
    expect(holds({ Variable: '$.v', StringMatches: 'log-*.txt' }, { v: 'log-2024.txt' })).to.be.true;
    expect(holds({ Variable: '$.v', StringMatches: '*.txt' }, { v: 'a.csv' })).to.be.false;
    expect(matchesPattern('a*b', 'a\\*b')).to.be.true;
    expect(matchesPattern('axb', 'a\\*b')).to.be.false;
    expect(matchesPattern('a\\b', 'a\\\\b')).to.be.true;
    expect(matchesPattern('a(b)', 'a(*)')).to.be.true;
    expect(holds({ Variable: '$.v', StringMatches: '*' }, { v: 1 })).to.be.false;
  });

  it('matches StringMatches globs at their edges: empty pieces, a prefix and suffix that may not overlap, no other special character', () => {
    const cases: [string, string, boolean][] = [
      ['', '', true],
      ['x', '', false],
      ['', '*', true],
      ['', '**', true],
      ['a', 'a*a', false],
      ['aa', 'a*a', true],
      ['aXbXc', 'a*b*c', true],
      ['acb', 'a*b*c', false],
      ['abcabc', '*abc*abc', true],
      ['abc', '*abc*abc', false],
      ['a.b', 'a.b', true],
      ['axb', 'a.b', false],
      ['a?', 'a?', true],
      ['ab', 'a?', false],
      ['a\\x', 'a\\x', true],
      ['*', '\\*', true],
      ['x', '\\*', false],
    ];
    for (const [value, pattern, expected] of cases) expect(matchesPattern(value, pattern), `${value} ~ ${pattern}`).to.equal(expected);
  });

  it('fails with States.Runtime when the Variable matches nothing, for every operator but IsPresent', () => {
    for (const rule of [
      { Variable: '$.missing', StringEquals: 'x' },
      { Variable: '$.missing', IsNull: true },
      { Variable: '$.v', NumericEqualsPath: '$.missing' },
    ]) {
      try {
        holds(rule, { v: 1 });
        expect.fail('expected a States.Runtime error');
      } catch (error) {
        expect(error).to.be.instanceOf(StatesError);
        expect((error as StatesError).name).to.equal('States.Runtime');
        expect((error as StatesError).message).to.equal("Invalid path '$.missing': The choice state's condition path references an invalid value.");
      }
    }
  });

  it('fails with States.Runtime, not a crash, on a rule that is not well formed', () => {
    for (const rule of [{ Variable: '$.v' }, { Variable: 'v', IsNull: true }, { Variable: '$.v[', IsNull: true }]) {
      expect(() => holds(rule, { v: 1 })).to.throw(StatesError).with.property('name', 'States.Runtime');
    }
  });

  it('checks rules before running: one operator, an operand of its type, paths that parse', () => {
    for (const rule of [
      { Variable: '$.v', NumericEquals: 1 },
      { Variable: '$$.Execution.Input.x', StringEqualsPath: '$var.field' },
      { Variable: '$x', IsPresent: true },
      { Variable: '$.t', TimestampLessThan: '2016-03-14T01:59:00Z' },
      { Variable: '$.s', StringMatches: 'log-*' },
      { And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.b', IsNull: false } }] },
      { Or: [{ Variable: '$.a[0]', NumericGreaterThanEquals: 0.5 }] },
    ]) {
      expect(() => checkChoiceRule(rule), JSON.stringify(rule)).not.to.throw();
    }
    for (const rule of [
      { Variable: '$.v' },
      { Variable: '$.v', NumericEquals: '1' },
      { Variable: '$.v', NumericEquals: 1, StringEquals: 'x' },
      { Variable: '$.v', TimestampEquals: '2016-03-14' },
      { Variable: '$.v', IsNull: 'yes' },
      { Variable: '$.v', StringEqualsPath: 'v' },
      { Variable: 'v', IsNull: true },
      { And: [] },
      { Not: 'x' },
      [],
    ]) {
      expect(() => checkChoiceRule(rule), JSON.stringify(rule)).to.throw(InvalidChoiceRule);
    }
  });

  it('parses only RFC 3339 timestamps, to the nanosecond', () => {
    expect(parseTimestamp('2016-03-14T01:59:00Z')).to.equal(BigInt(Date.UTC(2016, 2, 14, 1, 59)) * 1_000_000n);
    expect(parseTimestamp('2016-03-14T01:59:00.123-01:00')).to.equal(BigInt(Date.UTC(2016, 2, 14, 2, 59, 0, 123)) * 1_000_000n);
    expect(parseTimestamp('2016-03-14')).to.be.undefined;
    expect(parseTimestamp('2016-03-14t01:59:00z')).to.be.undefined;
    expect(parseTimestamp(5)).to.be.undefined;
    expect(holds({ Variable: '$.v', TimestampLessThan: '2016-03-14T01:59:00.123456790Z' }, { v: '2016-03-14T01:59:00.123456789Z' })).to.be.true;
  });
});

import { expect } from 'chai';
import { StatesError } from '../../../engine/errors.ts';
import { evaluateIntrinsic } from '../../../engine/jsonpath/intrinsics.ts';
import type { PathScope } from '../../../engine/jsonpath/scope.ts';

const scope = (input: unknown, variables: Record<string, unknown> = {}): PathScope => ({
  input,
  context: { StateMachine: { Id: 'arn:aws:states:us-east-1:111111111111:stateMachine:my-machine', Name: 'my-machine' } },
  variables,
});

const run = (text: string, input: unknown = {}, variables: Record<string, unknown> = {}): unknown =>
  evaluateIntrinsic(text, scope(input, variables), 'f.$');

/** The StatesError a call fails with; AWS names bad arguments States.Runtime, "Invalid arguments in States.X". */
function failure(text: string, input: unknown = {}): StatesError {
  try {
    run(text, input);
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('engine/jsonpath/intrinsics calls', () => {
  it('reads \\n, \\t and \\r in a string as control characters, \\" as a quote and \\\\ as a backslash', () => {
    expect(run(String.raw`States.StringSplit('a\nb\tc', '\n\t')`)).to.deep.equal(['a', 'b', 'c']);
    expect(run(String.raw`States.Format('say \"{}\"', 'hi')`)).to.equal('say "hi"');
    expect(run(String.raw`States.StringToJson('{"t":"say \\"hi\\""}')`)).to.deep.equal({ t: 'say "hi"' });
  });

  it('fails with States.Runtime for a call that does not parse or names an unknown function', () => {
    expect(failure('States.Array(1').name).to.equal('States.Runtime');
    expect(failure('States.Nope()').name).to.equal('States.Runtime');
    expect(failure('States.Array($.a[x])').name).to.equal('States.Runtime');
  });

  it('words a bad argument as AWS does', () => {
    const error = failure("States.MathAdd('1', 2)");
    expect(error.name).to.equal('States.Runtime');
    expect(error.message).to.equal('Invalid arguments in States.MathAdd');
  });
});

describe('engine/jsonpath/intrinsics functions', () => {
  it('States.Format fills {} in order and renders objects, arrays and null as AWS does', () => {
    expect(run("States.Format('a={} b={}.', $.a, $.b)", { a: '', b: 1.1 })).to.equal('a= b=1.1.');
    expect(run("States.Format('{}', $$.StateMachine)")).to.equal('{Id=arn:aws:states:us-east-1:111111111111:stateMachine:my-machine, Name=my-machine}');
    expect(run("States.Format('{} {} {}', $.l, $.n, $.t)", { l: ['x', 1, [true]], n: null, t: false })).to.equal('[x, 1, [true]] null false');
    expect(run("States.Format('\\{literal\\} {}', 1)")).to.equal('{literal} 1');
    expect(run('States.Format($t, 7)', {}, { t: "It's {}!" })).to.equal("It's 7!");
    for (const bad of ["States.Format('{} {}', 1)", "States.Format('{}', 1, 2)", "States.Format('Hello {', 1)", "States.Format('}')", "States.Format('{{}}', 1)"]) {
      expect(failure(bad).message).to.equal('Invalid arguments in States.Format');
    }
  });

  it('States.StringToJson parses JSON; an empty string gives null', () => {
    expect(run('States.StringToJson($.s)', { s: '{"a":[1,true]}' })).to.deep.equal({ a: [1, true] });
    expect(run('States.StringToJson($.s)', { s: '' })).to.equal(null);
    expect(run('States.StringToJson($.s)', { s: '-0' })).to.equal(0);
    expect(failure('States.StringToJson($.s)', { s: '{' }).name).to.equal('States.Runtime');
    expect(failure('States.StringToJson($.s)', { s: 123 }).name).to.equal('States.Runtime');
  });

  it('States.JsonToString serialises compactly', () => {
    expect(run('States.JsonToString($.v)', { v: { a: [1, 'x'] } })).to.equal('{"a":[1,"x"]}');
    expect(run('States.JsonToString($.v)', { v: null })).to.equal('null');
    expect(run('States.JsonToString($.v)', { v: 'HelloWorld' })).to.equal('"HelloWorld"');
  });

  it('States.Array, ArrayPartition, ArrayContains, ArrayGetItem, ArrayLength, ArrayUnique', () => {
    expect(run('States.Array()')).to.deep.equal([]);
    expect(run("States.Array(1, 'a', $.x)", { x: { y: 1 } })).to.deep.equal([1, 'a', { y: 1 }]);
    expect(run('States.ArrayPartition($.a, 2)', { a: [0, 1, 2] })).to.deep.equal([[0, 1], [2]]);
    expect(run('States.ArrayPartition($.a, 4)', { a: [] })).to.deep.equal([]);
    expect(run('States.ArrayPartition($.a, 2.6)', { a: [1, 2, 3, 4, 5] })).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(failure('States.ArrayPartition($.a, 0.6)', { a: [1] }).name).to.equal('States.Runtime');
    expect(failure('States.ArrayPartition($.a, -1)', { a: [1] }).name).to.equal('States.Runtime');
    expect(run('States.ArrayContains($.a, $.v)', { a: [{ 1: 2, 2: [] }], v: { 1: 2, 2: [] } })).to.equal(true);
    expect(run('States.ArrayContains($.a, null)', { a: [[1, 2, 3], 2] })).to.equal(false);
    expect(run('States.ArrayGetItem($.a, 5)', { a: [1, 2, 3, 4, 5, 6, 7] })).to.equal(6);
    expect(run('States.ArrayGetItem($.a, 1.2)', { a: [10, 20, 30] })).to.equal(20);
    expect(failure('States.ArrayGetItem($.a, 3)', { a: [10, 20, 30] }).name).to.equal('States.Runtime');
    expect(failure('States.ArrayGetItem($.a, -1)', { a: [10, 20, 30] }).name).to.equal('States.Runtime');
    expect(run('States.ArrayGetItem($.a, 999)', { a: [] })).to.equal(null);
    expect(run('States.ArrayLength($.a)', { a: [1, 2, 3] })).to.equal(3);
    expect(run('States.ArrayUnique($.a)', { a: [1, 1, 'x', { a: 1 }, { a: 1 }, [null], [null], null, null] })).to.deep.equal([
      1,
      'x',
      { a: 1 },
      [null],
      null,
    ]);
  });

  it('States.ArrayRange includes the end when the step reaches it, drops fractions, and allows at most 1000 items', () => {
    expect(run('States.ArrayRange(0, 9, 3)')).to.deep.equal([0, 3, 6, 9]);
    expect(run('States.ArrayRange(0, 10, 3)')).to.deep.equal([0, 3, 6, 9]);
    expect(run('States.ArrayRange(1, 9, 9)')).to.deep.equal([1]);
    expect(run('States.ArrayRange(5, 1, -2)')).to.deep.equal([5, 3, 1]);
    expect(run('States.ArrayRange(5, 1, 1)')).to.deep.equal([]);
    expect(run('States.ArrayRange(1.4, 5.6, 2.2)')).to.deep.equal([1, 3, 5]);
    expect(run('States.ArrayRange(5.4, -0.6, -2.4)')).to.deep.equal([5, 3, 1]);
    expect(run('States.ArrayRange(1000, 1, -1)')).to.have.length(1000);
    expect(failure('States.ArrayRange(0, 1000, 1)').message).to.equal('Invalid arguments in States.ArrayRange');
    expect(failure('States.ArrayRange(1, 10, 0.49)').name).to.equal('States.Runtime');
    expect(failure("States.ArrayRange('a', 5, 1)").name).to.equal('States.Runtime');
  });

  it('States.Base64Encode and Base64Decode, leniently and up to 10,000 characters', () => {
    expect(run('States.Base64Encode($.s)', { s: 'Data to encode' })).to.equal('RGF0YSB0byBlbmNvZGU=');
    expect(run('States.Base64Decode($.s)', { s: 'RGF0YSB0byBlbmNvZGU=' })).to.equal('Data to encode');
    expect(run("States.Base64Encode('')")).to.equal('');
    expect(run("States.Base64Decode('4pyT')")).to.equal('✓');
    expect(run("States.Base64Decode(' YWJjZA== ')")).to.equal('abcd');
    expect(failure('States.Base64Encode($.s)', { s: 'x'.repeat(10_001) }).name).to.equal('States.Runtime');
    expect(failure('States.Base64Decode($.s)', { s: 'A'.repeat(10_001) }).name).to.equal('States.Runtime');
    expect(failure('States.Base64Decode(123)').name).to.equal('States.Runtime');
  });

  it('States.Hash with each algorithm AWS names', () => {
    expect(run("States.Hash('input data', 'MD5')")).to.equal('812f45842bc6d66ee14572ce20db8e86');
    expect(run("States.Hash('input data', 'SHA-1')")).to.equal('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(run("States.Hash('input data', 'SHA-384')")).to.equal(
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    );
    expect(run("States.Hash('', 'SHA-256')")).to.have.length(64);
    expect(run("States.Hash('', 'SHA-512')")).to.have.length(128);
    expect(run("States.Hash('hello', 'SHA-256')")).to.equal('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(run("States.Hash(123, 'MD5')")).to.equal(run("States.Hash('123', 'MD5')"));
    for (const algorithm of ['SHA-3', 'sha-256', 'SHA256', '']) {
      expect(failure(`States.Hash('x', '${algorithm}')`).name).to.equal('States.Runtime');
    }
    expect(failure('States.Hash($.s, $.a)', { s: 'a'.repeat(10_001), a: 'MD5' }).name).to.equal('States.Runtime');
  });

  it('States.JsonMerge merges shallowly, the second object winning, and refuses only a deep merge', () => {
    const input = { a: { x: { a1: 1 }, b: 2, d: 3 }, b: { x: { a3: 1 }, c: 3, d: 4 } };
    expect(run('States.JsonMerge($.a, $.b, false)', input)).to.deep.equal({ x: { a3: 1 }, b: 2, c: 3, d: 4 });
    expect(failure('States.JsonMerge($.a, $.b, true)', input).name).to.equal('States.Runtime');
    expect(run("States.JsonMerge($.a, $.b, 'false')", input)).to.deep.equal({ x: { a3: 1 }, b: 2, c: 3, d: 4 });
    expect(failure('States.JsonMerge($.a, null, false)', input).name).to.equal('States.Runtime');
    expect(run("States.JsonMerge(States.StringToJson('{\"k\": \"false\"}'), $.b, false)", input)).to.deep.equal({ k: 'false', x: { a3: 1 }, c: 3, d: 4 });
  });

  it('States.MathAdd rounds each argument half upward, as Java does, within 32-bit integers', () => {
    expect(run('States.MathAdd(-9, 3)')).to.equal(-6);
    expect(run('States.MathAdd(2.5, 0)')).to.equal(3);
    expect(run('States.MathAdd(1.5, 0)')).to.equal(2);
    expect(run('States.MathAdd(-2.5, 0)')).to.equal(-2);
    expect(run('States.MathAdd($.a, $.b)', { a: 1.6, b: 2.7 })).to.equal(5);
    expect(run('States.MathAdd(2147483646, 1)')).to.equal(2147483647);
    expect(failure('States.MathAdd(2147483647, 1)').name).to.equal('States.Runtime');
    expect(failure('States.MathAdd(-3000000000, 1)').name).to.equal('States.Runtime');
    expect(failure('States.MathAdd(true, 1)').name).to.equal('States.Runtime');
  });

  it('States.MathRandom gives an integer from the start up to the end excluded; with a seed, always the same one', () => {
    for (let i = 0; i < 50; i += 1) {
      const n = run('States.MathRandom(12.5, 44.51)') as number;
      expect(Number.isInteger(n)).to.be.true;
      expect(n).to.be.at.least(12).and.below(44);
    }
    expect(run('States.MathRandom(1, 2)')).to.equal(1);
    expect(run('States.MathRandom(0, 999, 3)')).to.equal(run('States.MathRandom(0, 999, 3)'));
    for (const bad of ['States.MathRandom(1, 1)', 'States.MathRandom(10, 5)', 'States.MathRandom(1.4, 1.6)', 'States.MathRandom(1, 10, null)']) {
      expect(failure(bad).name).to.equal('States.Runtime');
    }
  });

  it('States.StringSplit splits on each delimiter character and drops empty pieces', () => {
    expect(run('States.StringSplit($.s, $.d)', { s: ', , ,', d: ',' })).to.deep.equal([' ', ' ']);
    expect(run('States.StringSplit($.s, $.d)', { s: ' ', d: ',' })).to.deep.equal([' ']);
    expect(run("States.StringSplit('This.is+a,test=string', '.+,=')")).to.deep.equal(['This', 'is', 'a', 'test', 'string']);
    expect(run("States.StringSplit('a\nb', '\n')")).to.deep.equal(['a', 'b']);
    expect(run("States.StringSplit('', ',')")).to.deep.equal([]);
    expect(failure("States.StringSplit($.s, ',')", { s: null }).name).to.equal('States.Runtime');
  });

  it('States.UUID gives a version 4 UUID', () => {
    expect(run('States.UUID()')).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('nested calls see the context object', () => {
    expect(run("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))")).to.equal('machine');
  });

  it('a path argument that matches nothing is States.Runtime naming the field', () => {
    const error = failure('States.Array($.missing)', { a: 1 });
    expect(error.name).to.equal('States.Runtime');
    expect(error.message).to.equal("The JSONPath '$.missing' specified for the field 'f.$' could not be found in the input '{\"a\":1}'");
  });
});

import { expect } from 'chai';
import { StatesError } from '../../../engine/errors.ts';
import type { PathScope } from '../../../engine/jsonpath/scope.ts';
import { checkExpression, checkPayloadTemplate, evaluatePayloadTemplate, InvalidPayloadTemplate, resolveValue } from '../../../engine/jsonpath/template.ts';

const scope: PathScope = {
  input: { name: 'Ada', list: [1, 2, 3], nested: { deep: true } },
  context: { Execution: { Id: 'arn:exec', Input: { x: 1 } }, State: { Name: 'S' }, Map: { Item: { Index: 0, Value: 'v' } } },
  variables: { greeting: 'hello', obj: { field: 'f', items: ['a', 'b'] } },
};

function failure(fn: () => unknown): StatesError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error('expected a StatesError');
}

describe('engine/jsonpath/template resolveValue', () => {
  it('reads the input, the context object and variables', () => {
    expect(resolveValue('$.name', scope, 'InputPath')).to.equal('Ada');
    expect(resolveValue('$', scope, 'InputPath')).to.equal(scope.input);
    expect(resolveValue('$$.Execution.Id', scope, 'x.$')).to.equal('arn:exec');
    expect(resolveValue('$$', scope, 'x.$')).to.equal(scope.context);
    expect(resolveValue('$greeting', scope, 'x.$')).to.equal('hello');
    expect(resolveValue('$obj.field', scope, 'x.$')).to.equal('f');
    expect(resolveValue('$obj.items[1]', scope, 'x.$')).to.equal('b');
  });

  it('evaluates an intrinsic call', () => {
    expect(resolveValue("States.Format('{} {}', $greeting, $.name)", scope, 'x.$')).to.equal('hello Ada');
  });

  it('words a path with no match in InputPath/OutputPath as Jayway does', () => {
    const error = failure(() => resolveValue('$.no.such', scope, 'OutputPath'));
    expect(error.name).to.equal('States.Runtime');
    expect(error.message).to.equal("Invalid path '$.no.such' : Missing property in path $['no']");
  });

  it('names the field and quotes the input for a path with no match elsewhere', () => {
    const error = failure(() => resolveValue('$.ErrorX', { ...scope, input: { a: 1 } }, 'ErrorPath'));
    expect(error.name).to.equal('States.Runtime');
    expect(error.message).to.equal("The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{\"a\":1}'");
  });

  it('reports an ItemsPath with no match as States.ReferencePathConflict naming the missing step', () => {
    const error = failure(() => resolveValue('$.discovery.objects', { ...scope, input: { discovery: { statusCode: 500 } } }, 'ItemsPath'));
    expect(error.name).to.equal('States.ReferencePathConflict');
    expect(error.message).to.equal('Unable to apply step "objects" to input {"discovery":{"statusCode":500}}');
  });

  it('fails with States.Runtime for an undefined variable', () => {
    expect(failure(() => resolveValue('$nope', scope, 'x.$')).name).to.equal('States.Runtime');
  });
});

describe('engine/jsonpath/template evaluatePayloadTemplate', () => {
  it('resolves `.$` keys, copies other values, recurses into objects and arrays', () => {
    const template = {
      'who.$': '$.name',
      literal: 'stays $.name',
      'count.$': 'States.ArrayLength($.list)',
      nested: { 'item.$': '$$.Map.Item.Value', n: 1, none: null },
      list: [{ 'v.$': '$greeting' }, 2],
    };
    expect(evaluatePayloadTemplate(template, scope, 'Parameters')).to.deep.equal({
      who: 'Ada',
      literal: 'stays $.name',
      count: 3,
      nested: { item: 'v', n: 1, none: null },
      list: [{ v: 'hello' }, 2],
    });
  });

  it('leaves scalars and the template itself untouched', () => {
    const template = { a: { b: 1 } };
    const out = evaluatePayloadTemplate(template, scope, 'Parameters');
    expect(out).to.deep.equal(template);
    expect(out).not.to.equal(template);
    expect(evaluatePayloadTemplate('x', scope, 'Parameters')).to.equal('x');
  });

  it('fails with AWS\'s States.Runtime cause when a path matches nothing', () => {
    const error = failure(() => evaluatePayloadTemplate({ 'x.$': '$.x' }, { ...scope, input: { y: 2 } }, 'Parameters'));
    expect(error.name).to.equal('States.Runtime');
    expect(error.message).to.equal("The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{\"y\":2}'");
  });

  it('returns an empty list for an indefinite path with no match', () => {
    expect(evaluatePayloadTemplate({ 'item.$': '$[*]' }, { ...scope, input: {} }, 'Parameters')).to.deep.equal({ item: [] });
  });
});

describe('engine/jsonpath/template evaluation, template after template', () => {
  it('names each output field after its own key, and reads each reference from its own source', () => {
    const first = evaluatePayloadTemplate({ 'a.$': '$.name', 'b.$': '$$.State.Name', 'c.$': '$greeting', d: { 'a.$': '$obj.field' } }, scope, 'Parameters');
    expect(first).to.deep.equal({ a: 'Ada', b: 'S', c: 'hello', d: { a: 'f' } });
    // The same references read into other sources, and the same keys under other names.
    const second = evaluatePayloadTemplate({ 'ab.$': '$.name', 'a.$': '$$.Execution.Id', '__proto__.$': '$.nested' }, { ...scope, input: { name: 'Grace', nested: 1 } }, 'Parameters');
    expect(JSON.stringify(second)).to.equal('{"ab":"Grace","a":"arn:exec","__proto__":1}');
    expect(resolveValue('$greeting', { ...scope, variables: { greeting: 'bye' } }, 'x.$')).to.equal('bye');
    expect(resolveValue('$.greeting', { ...scope, input: { greeting: 'input' } }, 'x.$')).to.equal('input');
    expect(resolveValue('$$.greeting', { ...scope, context: { greeting: 'context' } }, 'x.$')).to.equal('context');
  });
});

describe('engine/jsonpath/template checks before running', () => {
  it('accepts templates whose `.$` fields are paths and intrinsic calls that parse', () => {
    expect(() =>
      checkPayloadTemplate({
        'a.$': '$.x[0]',
        'b.$': '$$.Map.Item.Value',
        'c.$': '$var.field',
        'd.$': "States.Format('{}', States.ArrayGetItem($.l, 0))",
        nested: [{ 'e.$': '$' }, 'literal $.not.checked'],
      }),
    ).not.to.throw();
    expect(() => checkExpression('$.items[1:]', 'ItemsPath')).not.to.throw();
  });

  it('refuses, naming the field, a `.$` value that is not a path or a known intrinsic call', () => {
    for (const template of [
      { 'a.$': 'x' },
      { 'a.$': 1 },
      { 'a.$': '$.a[' },
      { nested: { 'a.$': 'States.Nope()' } },
      { 'a.$': "States.Format('x'" },
      { 'a.$': 'States.Array($.a[x])' },
    ]) {
      expect(() => checkPayloadTemplate(template), JSON.stringify(template)).to.throw(InvalidPayloadTemplate, "'a.$'");
    }
  });
});

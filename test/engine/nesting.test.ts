import { expect } from 'chai';
import { checkDefinition, DefinitionError, MAX_JSON_DEPTH } from '../../engine/index.ts';
import { jsonByteLength, jsonDepth, tooDeep } from '../../engine/payload.ts';
import { machine, run, types } from './run.ts';

/** `[[…[leaf]…]]`, `depth` arrays deep, built without recursion. */
function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `{"x":{"x":…}}`, `depth` objects deep. */
function nestedObjects(depth: number, leaf: unknown = 'end'): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { x: value };
  return value;
}

const text = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('engine: JSON nested deeper than the engine accepts', () => {
  it('is measured without recursion, in bytes and depth, at 100,000 levels', () => {
    const arrays = nestedArrays(100_000);
    expect(jsonDepth(arrays)).to.equal(100_000);
    expect(jsonByteLength(arrays)).to.equal(200_001);
    const objects = nestedObjects(100_000);
    expect(jsonDepth(objects)).to.equal(100_000);
    expect(jsonByteLength(objects)).to.equal(100_000 * '{"x":}'.length + '"end"'.length);
    expect(jsonDepth(JSON.parse(text(100_000)))).to.equal(100_000);
  });

  it('is a depth counted in objects and arrays, refused only beyond MAX_JSON_DEPTH', () => {
    expect([jsonDepth(1), jsonDepth('s'), jsonDepth(null), jsonDepth([]), jsonDepth({ a: [1, { b: [] }] })]).to.deep.equal([0, 0, 0, 1, 4]);
    expect(MAX_JSON_DEPTH).to.equal(1000);
    expect(tooDeep(nestedArrays(MAX_JSON_DEPTH))).to.be.false;
    expect(tooDeep(nestedArrays(MAX_JSON_DEPTH + 1))).to.be.true;
    // The deep part anywhere, after shallow siblings.
    expect(tooDeep({ a: 1, b: [2, 3], c: nestedObjects(MAX_JSON_DEPTH) })).to.be.true;
  });

  it('keeps its exact depth for a list consumed from the front', () => {
    const deep = nestedArrays(MAX_JSON_DEPTH);
    const list = [deep, ...Array.from({ length: 20 }, (_, i) => i)];
    expect(jsonDepth(list)).to.equal(MAX_JSON_DEPTH + 1);
    // Without its deep first item the list is shallow: not refused for what it held before.
    expect(tooDeep(list.slice(1))).to.be.false;
    expect(jsonByteLength(list.slice(1))).to.equal(Buffer.byteLength(JSON.stringify(list.slice(1))));
  });

  it('refuses a definition by name: a Pass Result nested 5,000 deep, and 100,000 deep', () => {
    for (const depth of [5_000, 100_000]) {
      const definition = machine({ Type: 'Pass', Result: nestedArrays(depth), End: true });
      expect(() => checkDefinition(definition)).to.throw(DefinitionError, `The definition is nested more than ${MAX_JSON_DEPTH} levels deep`);
    }
  });

  it('fails an execution whose input is too deep with States.Runtime, before anything walks it', async () => {
    for (const depth of [5_000, 100_000]) {
      const result = await run(machine({ Type: 'Pass', End: true }), { x: nestedArrays(depth) });
      expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
      expect(result.cause).to.equal(`The execution input is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`);
      expect(types(result)).to.deep.equal(['ExecutionFailed']);
    }
  });

  it('fails States.StringToJson of a 3,000-deep string with States.Runtime', async () => {
    const definition = machine({ Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.s)' }, End: true });
    for (const depth of [3_000, 100_000]) {
      const result = await run(definition, { s: text(depth) });
      expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
      expect(result.cause).to.contain(`The JSON that States.StringToJson parsed is nested more than ${MAX_JSON_DEPTH} levels deep`);
      // Nothing in the history holds the deep value: every event can be serialized.
      expect(() => JSON.stringify(result.history)).to.not.throw();
    }
    // Once serialized again, as a nested intrinsic call would.
    const again = await run(machine({ Type: 'Pass', Parameters: { 'v.$': 'States.JsonToString(States.StringToJson($.s))' }, End: true }), { s: text(3_000) });
    expect(again).to.include({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('fails JSONata $parse of a deep string as an evaluation error', async () => {
    const definition = machine({ Type: 'Pass', Output: '{% $parse($states.input.s) %}', End: true }, {}, { QueryLanguage: 'JSONata' });
    const result = await run(definition, { s: text(5_000) });
    expect(result).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(result.cause).to.contain(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('fails a state that builds a value too deep from an input within the limit, with States.Runtime', async () => {
    const input = { x: nestedArrays(MAX_JSON_DEPTH - 2) };
    // The template nests the input two levels further, its ResultPath one more.
    const parameters = await run(machine({ Type: 'Pass', Parameters: { a: { 'b.$': '$' } }, ResultPath: '$.r', End: true }), input);
    expect(parameters).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(parameters.cause).to.contain(`A value the state/task 'S' produced is nested more than ${MAX_JSON_DEPTH} levels deep`);
    const assigned = await run(machine({ Type: 'Pass', Assign: { v: { 'w.$': '$' } }, End: true }), input);
    expect(assigned).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(assigned.cause).to.contain(`A value the state/task 'S' produced is nested more than ${MAX_JSON_DEPTH} levels deep`);
    // The Assign object itself is the level the limit counts last: at exactly the limit, it runs.
    const assignedAtLimit = await run(machine({ Type: 'Pass', Assign: { v: { 'w.$': '$.x' } }, End: true }), input);
    expect(assignedAtLimit.status).to.equal('SUCCEEDED');
    // Within the limit, it runs.
    const within = await run(machine({ Type: 'Pass', Parameters: { 'b.$': '$.x' }, End: true }), input);
    expect(within.status).to.equal('SUCCEEDED');
  });

  it('runs JSONPath over an input at the limit, a deep scan included', async () => {
    const input = nestedObjects(MAX_JSON_DEPTH, 'end');
    const result = await run(machine({ Type: 'Pass', Parameters: { 'count.$': 'States.ArrayLength($..x)' }, OutputPath: '$.count', End: true }), input);
    expect(result).to.include({ status: 'SUCCEEDED', output: MAX_JSON_DEPTH });
  });

  it('compares deep values without recursion (States.ArrayContains, States.ArrayUnique)', async () => {
    const deep = nestedObjects(MAX_JSON_DEPTH - 3, 1);
    const other = nestedObjects(MAX_JSON_DEPTH - 3, 2);
    const definition = machine({
      Type: 'Pass',
      Parameters: { 'has.$': 'States.ArrayContains($.list, $.probe)', 'count.$': 'States.ArrayLength(States.ArrayUnique($.list))' },
      End: true,
    });
    const result = await run(definition, { list: [deep, other, deep], probe: nestedObjects(MAX_JSON_DEPTH - 3, 1) });
    expect(result.output).to.deep.equal({ has: true, count: 2 });
  });

  it('fails a distributed Map whose ItemReader reads an item too deep with States.ItemReaderFailed', async () => {
    const definition = machine({
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: {} },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      End: true,
    });
    const result = await run(definition, {}, { dispatch: async () => [1, nestedArrays(100_000)] });
    expect(result).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(result.cause).to.equal(`Item 1 the ItemReader read is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`);
  });

  it('ends an execution FAILED with States.Runtime on any internal exception, rather than rejecting', async () => {
    const result = await run(machine({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f', Retry: [{ ErrorEquals: ['States.ALL'] }], End: true }), {}, {
      dispatch: () => Promise.reject(new Error('boom')),
      retryDelay: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).to.equal('The execution stopped on an internal error of the local engine: RangeError: Maximum call stack size exceeded');
    expect(types(result).at(-1)).to.equal('ExecutionFailed');
  });
});

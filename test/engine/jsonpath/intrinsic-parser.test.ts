import { expect } from 'chai';
import { InvalidIntrinsic, isIntrinsic, parseIntrinsic } from '../../../engine/jsonpath/intrinsic-parser.ts';

describe('engine/jsonpath/intrinsic-parser', () => {
  it('parses nested calls, literals, paths with brackets and escaped quotes', () => {
    const call = parseIntrinsic("States.Format('it\\'s {}', States.ArrayGetItem($.a[0,1], 0), -1.5, true, null, $$.Execution.Id, $var.x)");
    expect(call.name).to.equal('States.Format');
    expect(call.args.map((a) => a.kind)).to.deep.equal(['string', 'call', 'literal', 'literal', 'literal', 'path', 'path']);
    expect(call.args[0]).to.include({ value: "it's {}" });
    expect(call.args.slice(2, 5)).to.deep.equal([
      { kind: 'literal', value: -1.5 },
      { kind: 'literal', value: true },
      { kind: 'literal', value: null },
    ]);
    expect(call.args.slice(5)).to.deep.equal([
      { kind: 'path', path: '$$.Execution.Id' },
      { kind: 'path', path: '$var.x' },
    ]);
  });

  it('keeps a path argument whole, with its brackets, quotes, filters and functions', () => {
    const call = parseIntrinsic("States.Array($.a[?(@.b == 'x, y')], $['k,)'].length(), $)");
    expect(call.args).to.deep.equal([
      { kind: 'path', path: "$.a[?(@.b == 'x, y')]" },
      { kind: 'path', path: "$['k,)'].length()" },
      { kind: 'path', path: '$' },
    ]);
  });

  it('keeps escaped braces apart from {} placeholders for States.Format', () => {
    const [template] = parseIntrinsic("States.Format('\\{a\\} {}', 1)").args;
    expect(template).to.deep.equal({ kind: 'string', value: '{a} {}', raw: '\\{a\\} {}' });
  });

  it('caches parsed calls by text', () => {
    expect(parseIntrinsic('States.UUID()')).to.equal(parseIntrinsic('States.UUID()'));
  });

  it('rejects malformed calls with InvalidIntrinsic', () => {
    for (const text of ["States.Format('x'", 'States.Array(1) extra', 'States.Array(1,)', 'Array(1)', 'States.Array(x)']) {
      expect(() => parseIntrinsic(text), text).to.throw(InvalidIntrinsic);
    }
  });

  it('tells an intrinsic call from a path', () => {
    expect(isIntrinsic('States.UUID()')).to.be.true;
    expect(isIntrinsic('$.States')).to.be.false;
  });
});

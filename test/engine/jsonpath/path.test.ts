import { expect } from 'chai';
import { StatesError } from '../../../engine/errors.ts';
import { compilePath, InvalidPath, isReferencePath, PathNotFound, readPath, writeResultPath } from '../../../engine/jsonpath/path.ts';
import { thrown } from '../../helpers.ts';

const store = {
  book: [
    { category: 'reference', title: 'Sayings', price: 8.95 },
    { category: 'fiction', title: 'Sword', price: 12.99, isbn: '0-553' },
    { category: 'fiction', title: 'Moby', price: 8.99, isbn: '0-395' },
  ],
  bicycle: { color: 'red', price: 19.95 },
};

describe('engine/jsonpath/path readPath', () => {
  it('reads `$` as the whole document', () => {
    expect(readPath('$', { a: 1 })).to.deep.equal({ a: 1 });
  });

  it('reads names in dot and bracket notation, including names with dashes and spaces', () => {
    const data = { a: { 'b-c': { 'd e': 5 } } };
    expect(readPath('$.a.b-c', data)).to.deep.equal({ 'd e': 5 });
    expect(readPath("$['a']['b-c']['d e']", data)).to.equal(5);
    expect(readPath('$["a"]', data)).to.equal(data.a);
  });

  it('keeps a backslash in a bracketed name as it is, as AWS does, while it still keeps the next quote from closing the name', () => {
    // As AWS recorded it: $['Test\""Name"'] reads the key Test\""Name" (a backslash, then two quotes).
    const data = { 'Test\\""Name"': 'Value"\\', "it\\'s": 1, 'a\\\\b': 2 };
    expect(readPath(`$['Test\\""Name"']`, data)).to.equal('Value"\\');
    expect(readPath(`$['it\\'s']`, data)).to.equal(1);
    expect(readPath(`$['a\\\\b']`, data)).to.equal(2);
    expect(thrown(() => readPath(`$['Test""Name"']`, data))).to.be.instanceOf(PathNotFound);
  });

  it('reads an index, a negative index counting from the end', () => {
    expect(readPath('$.List[0]', { List: ['x', 'y', 'z'] })).to.equal('x');
    expect(readPath('$.List[-1]', { List: ['x', 'y', 'z'] })).to.equal('z');
    expect(readPath('$.items[10].item_key', { items: Array.from({ length: 11 }, (_, i) => ({ item_key: i })) })).to.equal(10);
  });

  it('returns the matches of slices as a list, clamped to the array', () => {
    const data = { List: [0, 1, 2, 3, 4] };
    expect(readPath('$.List[1:]', data)).to.deep.equal([1, 2, 3, 4]);
    expect(readPath('$.List[:2]', data)).to.deep.equal([0, 1]);
    expect(readPath('$.List[1:3]', data)).to.deep.equal([1, 2]);
    expect(readPath('$.List[-2:]', data)).to.deep.equal([3, 4]);
    expect(readPath('$.List[3:99]', data)).to.deep.equal([3, 4]);
    expect(readPath('$.List[1:]', { List: [0] })).to.deep.equal([]);
    expect(readPath('$.List[1:]', { List: 'text' })).to.deep.equal([]);
    expect(readPath('$.List[::2]', data)).to.deep.equal([0, 2, 4]);
    expect(readPath('$.nested[0].List[1:3]', { nested: [data] })).to.deep.equal([1, 2]);
  });

  it('returns an empty list, not an error, when an indefinite path matches nothing (as AWS records)', () => {
    expect(readPath('$[*]', {})).to.deep.equal([]);
    expect(readPath('$.item.items[:1]', {})).to.deep.equal([]);
  });

  it('reads wildcards over arrays and objects, and unions of indexes', () => {
    expect(readPath('$.book[*].title', store)).to.deep.equal(['Sayings', 'Sword', 'Moby']);
    expect(readPath('$.bicycle.*', store)).to.deep.equal(['red', 19.95]);
    expect(readPath('$.book[0,2].title', store)).to.deep.equal(['Sayings', 'Moby']);
  });

  it('merges several bracketed names at the end of a path into one object, as Jayway does', () => {
    expect(readPath("$.bicycle['color','price']", store)).to.deep.equal({ color: 'red', price: 19.95 });
  });

  it('deep-scans with `..` in document order', () => {
    expect(readPath('$..price', store)).to.deep.equal([8.95, 12.99, 8.99, 19.95]);
    expect(readPath('$..book[1].title', store)).to.deep.equal(['Sword']);
  });

  it('filters with comparisons, existence, && and ||', () => {
    expect(readPath('$.book[?(@.price < 9)].title', store)).to.deep.equal(['Sayings', 'Moby']);
    expect(readPath('$.book[?(@.isbn)].title', store)).to.deep.equal(['Sword', 'Moby']);
    expect(readPath("$.book[?(@.category == 'fiction' && @.price > 10)].title", store)).to.deep.equal(['Sword']);
    expect(readPath("$.book[?(@.price > 12 || @.category == 'reference')].title", store)).to.deep.equal(['Sayings', 'Sword']);
    expect(readPath('$.book[?(!(@.isbn))].title', store)).to.deep.equal(['Sayings']);
    expect(readPath('$.book[?(@.price > $.bicycle.price)]', store)).to.deep.equal([]);
    expect(readPath('$.users[?(@.status == 0)]', { users: [{ year: 1997, status: 0 }, { year: 1998, status: 1 }] })).to.deep.equal([
      { year: 1997, status: 0 },
    ]);
  });

  it('compares a number and its text as equal, as Jayway does, but orders only like types', () => {
    expect(readPath("$.a[?(@.v == '1')]", { a: [{ v: 1 }, { v: 2 }] })).to.deep.equal([{ v: 1 }]);
    expect(readPath("$.a[?(@.v == 'x')]", { a: [{ v: 1 }] })).to.deep.equal([]);
    expect(readPath('$.a[?(@.v > 0)]', { a: [{ v: '5' }] })).to.deep.equal([]);
    expect(readPath('$.a[?(@.v == true)]', { a: [{ v: 'true' }] })).to.deep.equal([]);
  });

  it('supports the in, nin and =~ filter operators', () => {
    expect(readPath("$.book[?(@.category in ['reference'])].title", store)).to.deep.equal(['Sayings']);
    expect(readPath("$.book[?(@.category nin ['reference'])].title", store)).to.deep.equal(['Sword', 'Moby']);
    expect(readPath('$.book[?(@.title =~ /S.*/)].title', store)).to.deep.equal(['Sayings', 'Sword']);
    expect(readPath('$.book[?(@.title =~ /S/)].title', store)).to.deep.equal([]);
    expect(readPath('$.book[?(@.title =~ /moby/i)].title', store)).to.deep.equal(['Moby']);
  });

  it('applies a trailing function to what the path selects, as Jayway does', () => {
    expect(readPath('$.book.length()', store)).to.equal(3);
    expect(readPath('$.book[*].price.length()', store)).to.equal(3);
    expect(readPath('$..price.max()', store)).to.equal(19.95);
    expect(readPath('$.book[?(@.isbn)].price.sum()', store)).to.be.closeTo(21.98, 1e-9);
    expect(isReferencePath('$.book.length()')).to.be.false;
    expect(() => readPath('$.nope.length()', store)).to.throw(PathNotFound);
  });

  it('throws PathNotFound with Jayway\'s message when a definite path matches nothing', () => {
    const missingLeaf = thrown(() => readPath('$.a.b', { a: {} }));
    expect(missingLeaf).to.be.instanceOf(PathNotFound);
    expect((missingLeaf as PathNotFound).detail).to.equal("No results for path: $['a']['b']");
    const missingStep = thrown(() => readPath('$.no.such.result.path', {}));
    expect((missingStep as PathNotFound).detail).to.equal("Missing property in path $['no']");
    const outOfRange = thrown(() => readPath('$.List[3]', { List: [1] }));
    expect((outOfRange as PathNotFound).detail).to.equal("No results for path: $['List'][3]");
  });

  it('rejects malformed paths with InvalidPath', () => {
    expect(thrown(() => readPath('a.b', {}))).to.be.instanceOf(InvalidPath);
    expect(thrown(() => readPath('$.a[', {}))).to.be.instanceOf(InvalidPath);
    expect(thrown(() => readPath('$.a[x]', {}))).to.be.instanceOf(InvalidPath);
    expect(thrown(() => readPath('$.a[?(@.b =~ /(/)]', {}))).to.be.instanceOf(InvalidPath);
  });

  it('caches the parsed form by text', () => {
    expect(compilePath('$.List[1:]')).to.equal(compilePath('$.List[1:]'));
    expect(compilePath('$.List[0]').definite).to.be.true;
    expect(compilePath('$.List[1:]').definite).to.be.false;
  });

  it('tells reference paths (names and indexes only) from the rest', () => {
    expect(isReferencePath('$.a.b[0]')).to.be.true;
    expect(isReferencePath('$')).to.be.true;
    expect(isReferencePath('$.a[*]')).to.be.false;
    expect(isReferencePath('$..a')).to.be.false;
    expect(isReferencePath('nope')).to.be.false;
  });
});

describe('engine/jsonpath/path writeResultPath', () => {
  it('replaces the input with `$` and keeps the input with null', () => {
    expect(writeResultPath({ a: 1 }, '$', 'r')).to.equal('r');
    const input = { a: 1 };
    expect(writeResultPath(input, null, 'r')).to.equal(input);
  });

  it('adds the result at a path, creating the missing objects, without touching the input', () => {
    const input = { a: { keep: 1 }, other: [1] };
    const output = writeResultPath(input, '$.a.b.c', 'r') as Record<string, unknown>;
    expect(output).to.deep.equal({ a: { keep: 1, b: { c: 'r' } }, other: [1] });
    expect(input).to.deep.equal({ a: { keep: 1 }, other: [1] });
    expect(output.other).to.equal(input.other);
  });

  it('replaces an existing value and an existing array element', () => {
    expect(writeResultPath({ a: 1 }, '$.a', 2)).to.deep.equal({ a: 2 });
    expect(writeResultPath({ a: [1, 2] }, '$.a[1]', 'x')).to.deep.equal({ a: [1, 'x'] });
  });

  it('keeps a key named __proto__ as data', () => {
    const output = writeResultPath({}, '$.__proto__', 1) as Record<string, unknown>;
    expect(Object.keys(output)).to.deep.equal(['__proto__']);
    expect(Object.getPrototypeOf(output)).to.equal(Object.prototype);
  });

  it('fails with States.ReferencePathConflict, worded as AWS reports it, when the input cannot hold the result', () => {
    const error = thrown(() => writeResultPath('input1', '$.someTaskResult', 1));
    expect(error).to.be.instanceOf(StatesError);
    expect(error.name).to.equal('States.ReferencePathConflict');
    expect(error.message).to.equal('Unable to apply ReferencePath $.someTaskResult to input "input1"');
    for (const [input, path] of [
      [{ a: 'text' }, '$.a.b'],
      [{ a: [] }, '$.a[0]'],
      [[1], '$.a'],
    ] as const) {
      const failure = thrown(() => writeResultPath(input, path, 1));
      expect(failure.name).to.equal('States.ReferencePathConflict');
      expect(failure.message).to.equal(`Unable to apply ReferencePath ${path} to input ${JSON.stringify(input)}`);
    }
  });

  it('refuses a path that is not a reference path', () => {
    expect(thrown(() => writeResultPath({ a: [1] }, '$.a[*]', 1)).name).to.equal('States.ReferencePathConflict');
  });
});

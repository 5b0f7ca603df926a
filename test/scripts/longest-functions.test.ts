import { expect } from 'chai';
import { functionLengths } from '../../scripts/longest-functions.ts';

describe('scripts/longest-functions', () => {
  it('measures declarations, methods and arrow functions from their first line to their last', () => {
    const text = ['function a() {', '  return 1;', '}', 'const b = () =>', '  2;', 'class C {', '  m() {}', '}'].join('\n');
    expect(functionLengths('x.ts', text).map(({ name, lines }) => [name, lines])).to.deep.equal([
      ['a', 3],
      ['b', 2],
      ['m', 1],
    ]);
  });
});

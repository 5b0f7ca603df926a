import { expect } from 'chai';
import { leaveParsedBody, parsedBody } from '../../local/services/fast-path.ts';

describe('local/services/fast-path: a request body parsed once', () => {
  it('gives the fast path the value the door left for that very body, once', () => {
    const body = Buffer.from('{"TableName":"t","Key":{"MessageId":{"S":"a"}}}');
    const value = JSON.parse(body.toString()) as unknown;
    leaveParsedBody(body, value);
    expect(parsedBody(body)).to.equal(value);
    // Taken: a retried request with the same body is read afresh.
    const again = parsedBody(body);
    expect(again).to.not.equal(value);
    expect(again).to.deep.equal(value);
  });

  it('reads another body itself, dropping the value left for the first', () => {
    const first = Buffer.from('{"a":1}');
    const other = Buffer.from('{"b":2}');
    const left = { a: 1 };
    leaveParsedBody(first, left);
    expect(parsedBody(other)).to.deep.equal({ b: 2 });
    expect(parsedBody(first)).to.not.equal(left);
  });

  it('throws as JSON.parse does for a body that is not JSON', () => {
    expect(() => parsedBody(Buffer.from('{"a":'))).to.throw(SyntaxError);
  });
});

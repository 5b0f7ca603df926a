import { expect } from 'chai';
import { compileTypes, type TypeSpec } from '../../local/services/dynalite-types.ts';
import { validations } from '../../local/services/dynalite-modules.ts';
import { OPERATIONS, random, requestOf, typesOf } from './dynalite-requests.ts';

const { checkTypes } = validations as { checkTypes(data: unknown, types: Record<string, TypeSpec>): Record<string, unknown> };

/** checkTypes' outcome as text: the JSON of its result (key order included), or that it threw. */
function outcome(check: () => unknown): string {
  try {
    return JSON.stringify(check());
  } catch {
    return 'threw';
  }
}

describe('local/dynalite-types: dynalite\'s checkTypes, compiled', () => {
  it('returns what checkTypes returns, key order included, and throws where it throws, on random requests of every operation', () => {
    let accepted = 0;
    let refused = 0;
    for (const operation of OPERATIONS) {
      const types = typesOf(operation);
      const compiled = compileTypes(types);
      for (let seed = 1; seed <= 400; seed++) {
        const request = requestOf(types, random(seed * 7919 + operation.length));
        const expected = outcome(() => checkTypes(structuredClone(request), types));
        const actual = outcome(() => compiled(structuredClone(request)));
        expect(actual, `${operation}, seed ${seed}: ${JSON.stringify(request)}`).to.equal(expected);
        if (expected === 'threw') refused += 1;
        else accepted += 1;
      }
    }
    // Both kinds of case are many: the comparison is not of refusals alone.
    expect(accepted).to.be.above(4000);
    expect(refused).to.be.above(2000);
  });

  it('returns checkTypes\' result for the requests the workflows make', () => {
    const item = (id: string) => ({ MessageId: { S: id }, Message: { S: `Message ${id}` }, ExpiresAt: { N: '1797161656' } });
    const requests: [string, Record<string, unknown>][] = [
      ['getItem', { TableName: 'transfer-records-table', Key: { MessageId: { S: 'abc-0001' } }, ConsistentRead: true }],
      ['batchGetItem', { RequestItems: { 'transfer-records-table': { Keys: [{ MessageId: { S: 'a' } }, { MessageId: { S: 'b' } }], ConsistentRead: true } } }],
      ['batchWriteItem', { RequestItems: { 'transfer-records-table': ['a', 'b', 'c'].map((id) => ({ PutRequest: { Item: item(id) } })) } }],
    ];
    for (const [operation, request] of requests) {
      const types = typesOf(operation);
      const expected = checkTypes(structuredClone(request), types);
      expect(JSON.stringify(compileTypes(types)(structuredClone(request)))).to.equal(JSON.stringify(expected));
    }
  });
});

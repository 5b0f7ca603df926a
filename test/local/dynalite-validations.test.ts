import { expect } from 'chai';
import { validations } from '../../local/services/dynalite-modules.ts';
import type { TypeSpec } from '../../local/services/dynalite-types.ts';
import { compileValidations, type ValidationSpec } from '../../local/services/dynalite-validations.ts';
import { OPERATIONS, random, requestOf, typesOf } from './dynalite-requests.ts';

const dynalite = validations as {
  checkTypes(data: unknown, types: Record<string, TypeSpec>): Record<string, unknown>;
  checkValidations(data: unknown, types: Record<string, TypeSpec>, custom: unknown, store: unknown): void;
};

/** Whether dynalite's checkValidations, without a custom check, accepts the request. */
function dynaliteAccepts(request: Record<string, unknown>, types: Record<string, TypeSpec>): boolean {
  try {
    dynalite.checkValidations(request, types, undefined, undefined);
    return true;
  } catch {
    return false;
  }
}

/** The compiled check's verdict; a throw counts as a refusal, as the fast path takes it. */
function compiledAccepts(request: Record<string, unknown>, types: Record<string, TypeSpec>): boolean {
  try {
    return compileValidations(types as Record<string, ValidationSpec>)(request);
  } catch {
    return false;
  }
}

describe("local/dynalite-validations: dynalite's checkValidations, compiled to a verdict", () => {
  it('accepts and refuses what checkValidations does, on random requests of every operation, as checkTypes leaves them and as sent', () => {
    let accepted = 0;
    let refused = 0;
    for (const operation of OPERATIONS) {
      const types = typesOf(operation);
      for (let seed = 1; seed <= 400; seed++) {
        const raw = requestOf(types, random(seed * 104_729 + operation.length));
        let checked: Record<string, unknown> | undefined;
        try {
          checked = dynalite.checkTypes(structuredClone(raw), types);
        } catch {
          checked = undefined;
        }
        for (const request of checked === undefined ? [raw] : [checked, raw]) {
          const expected = dynaliteAccepts(structuredClone(request), types);
          expect(compiledAccepts(structuredClone(request), types), `${operation}, seed ${seed}: ${JSON.stringify(request)}`).to.equal(expected);
          if (expected) accepted += 1;
          else refused += 1;
        }
      }
    }
    // Both verdicts are many: the comparison is not of refusals alone.
    expect(accepted).to.be.above(2000);
    expect(refused).to.be.above(2000);
  });

  it('accepts the requests the workflows make, and refuses each constraint they could break', () => {
    const item = (id: string) => ({ MessageId: { S: id }, Message: { S: `Message ${id}` }, ExpiresAt: { N: '1797161656' } });
    const cases: [string, Record<string, unknown>, boolean][] = [
      ['getItem', { TableName: 'transfer-records-table', Key: { MessageId: { S: 'abc-0001' } }, ConsistentRead: true }, true],
      ['getItem', { TableName: 'tr', Key: { MessageId: { S: 'a' } } }, false],
      ['getItem', { TableName: 'transfer records', Key: { MessageId: { S: 'a' } } }, false],
      ['getItem', { TableName: 'transfer-records-table' }, false],
      ['getItem', { TableName: 'transfer-records-table', Key: { MessageId: { S: 'a' } }, ReturnConsumedCapacity: 'SOME' }, false],
      ['batchWriteItem', { RequestItems: { 'transfer-records-table': ['a', 'b'].map((id) => ({ PutRequest: { Item: item(id) } })) } }, true],
      ['batchWriteItem', { RequestItems: { 'transfer-records-table': Array.from({ length: 26 }, (_, index) => ({ PutRequest: { Item: item(`${index}`) } })) } }, false],
      ['batchWriteItem', { RequestItems: { tr: [{ PutRequest: { Item: item('a') } }] } }, false],
      ['batchWriteItem', { RequestItems: { 'transfer-records-table': [{ PutRequest: {} }] } }, false],
      ['batchWriteItem', { RequestItems: {} }, false],
      ['batchGetItem', { RequestItems: { 'transfer-records-table': { Keys: [{ MessageId: { S: 'a' } }], ConsistentRead: true } } }, true],
      ['batchGetItem', { RequestItems: { 'transfer-records-table': { Keys: [] } } }, false],
    ];
    for (const [operation, request, accepts] of cases) {
      const types = typesOf(operation);
      expect(dynaliteAccepts(structuredClone(request), types), `dynalite, ${operation}: ${JSON.stringify(request)}`).to.equal(accepts);
      expect(compiledAccepts(structuredClone(request), types), `compiled, ${operation}: ${JSON.stringify(request)}`).to.equal(accepts);
    }
  });
});

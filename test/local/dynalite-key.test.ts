// dynalite's storage key, computed at once for a lone string hash key: the same string as
// dynalite's own createKey, for every kind of string; other key schemas are dynalite's.
import { expect } from 'chai';
import sinon from 'sinon';
import { storageKey, type KeyedTable } from '../../local/services/dynalite-key.ts';
import { db } from '../../local/services/dynalite-modules.ts';

type Item = Record<string, Record<string, unknown>>;
const dynalite = db as { createKey(item: Item, table: KeyedTable): string };

const table = (keys: [string, 'HASH' | 'RANGE', 'S' | 'N' | 'B'][]): KeyedTable => ({
  KeySchema: keys.map(([AttributeName, KeyType]) => ({ AttributeName, KeyType })),
  AttributeDefinitions: keys.map(([AttributeName, , AttributeType]) => ({ AttributeName, AttributeType })),
});

// ASCII, the workflows' ids, multi-byte UTF-8, a surrogate pair, lone surrogates, control
// characters, the separator dynalite uses, and the longest hash key DynamoDB takes (2,048 bytes).
const STRINGS = [
  'a', '3f2a9c1b7e04-0001', 'Outliers', 'café ünï', '数据', '😀 emoji', '\uD800', 'x\uDFFFy', '\u0000\u001f\n\t"\\',
  'a/b/c', ' ', 'é'.repeat(1024), 'k'.repeat(2048),
];

describe('dynalite storage key', () => {
  afterEach(() => sinon.restore());

  it("is dynalite's createKey for a lone string hash key, whatever the string", () => {
    const messages = table([['MessageId', 'HASH', 'S']]);
    for (const value of STRINGS) {
      const item = { MessageId: { S: value }, Message: { S: 'body' } };
      expect(storageKey(item, messages), JSON.stringify(value)).to.equal(dynalite.createKey(item, messages));
    }
  });

  it('computes that key itself, and leaves a number, binary or composite key to dynalite', () => {
    const createKey = sinon.spy(dynalite, 'createKey');
    const hashOnly = table([['id', 'HASH', 'S']]);
    storageKey({ id: { S: 'a' } }, hashOnly);
    expect(createKey.callCount).to.equal(0);
    const others: [KeyedTable, Item][] = [
      [table([['id', 'HASH', 'N']]), { id: { N: '-12.5' } }],
      [table([['id', 'HASH', 'B']]), { id: { B: 'AAEC' } }],
      [table([['id', 'HASH', 'S'], ['at', 'RANGE', 'N']]), { id: { S: 'a' }, at: { N: '7' } }],
    ];
    for (const [keyed, item] of others) {
      const key = storageKey(item, keyed);
      expect(createKey.lastCall.returnValue).to.equal(key);
    }
    expect(createKey.callCount).to.equal(3);
  });
});

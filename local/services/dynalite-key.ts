// dynalite's storage key of an item (its createKey), computed in one hashing call for the key the
// workflows' tables have: a lone string hash key. dynalite prefixes a key with six hex digits of
// MD5 over "Outliers" and the key's UTF-8 bytes, through a hash object and three updates per
// key, then the bytes in hex: at a million records, two million keys (written, then read). Any
// other key schema is left to dynalite's own function.
import { hash } from 'node:crypto';
import { db as dynaliteDb } from './dynalite-modules.ts';

type Item = Record<string, Record<string, unknown>>;

export interface KeyedTable {
  KeySchema: unknown[];
  AttributeDefinitions?: unknown[];
}

const db = dynaliteDb as { createKey(item: Item, table: KeyedTable): string };

/** The attribute of a lone string hash key; undefined for any other key schema. */
function stringHashKey(table: KeyedTable): string | undefined {
  const [hashKey, ...rest] = table.KeySchema as { AttributeName?: unknown; KeyType?: unknown }[];
  if (hashKey === undefined || rest.length > 0 || hashKey.KeyType !== 'HASH') return undefined;
  const definition = (table.AttributeDefinitions as { AttributeName?: unknown; AttributeType?: unknown }[] | undefined)?.find(
    ({ AttributeName }) => AttributeName === hashKey.AttributeName,
  );
  return definition?.AttributeType === 'S' && typeof hashKey.AttributeName === 'string' ? hashKey.AttributeName : undefined;
}

// A table's description is the store's shared object until the table changes.
const keyAttributes = new WeakMap<KeyedTable, string | null>();

/** dynalite's createKey(item, table), the same string; the item's key attributes already validated. */
export function storageKey(item: Item, table: KeyedTable): string {
  let attribute = keyAttributes.get(table);
  if (attribute === undefined) {
    attribute = stringHashKey(table) ?? null;
    keyAttributes.set(table, attribute);
  }
  const value = attribute === null ? undefined : item[attribute]?.S;
  if (typeof value !== 'string') return db.createKey(item, table);
  return `${hash('md5', `Outliers${value}`, 'hex').slice(0, 6)}/${Buffer.from(value, 'utf8').toString('hex')}/`;
}

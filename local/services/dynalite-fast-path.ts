// dynalite's BatchWriteItem, BatchGetItem and GetItem, answered at once for the requests the
// workflows make. dynalite runs each item of a batch as its own chain of callbacks (the table read
// and parsed again, a lock, the old item read, the new one written, a turn of the event loop each):
// 25 chains a BatchWriteItem, 100 a BatchGetItem, one a GetItem. This path answers the same request
// in one turn, with dynalite's own functions: its request checks (checkTypes and checkValidations,
// compiled from its own descriptions in dynalite-types.ts and dynalite-validations.ts, and the
// operation's custom check), its item and key checks, its storage keys (computed at once for a
// string hash key: dynalite-key.ts) and its size limit; the items go to, and come from, the very
// store dynalite reads (dynalite-store.ts). It takes only the requests it can answer exactly as
// dynalite would: every other request, and every request dynalite would refuse, goes to dynalite
// itself, which answers it, errors included. So a call's answer and its effect stay dynalite's;
// only the time it takes changes.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { actionValidations, db as dynaliteDb } from './dynalite-modules.ts';
import { storageKey, type KeyedTable } from './dynalite-key.ts';
import { compileTypes, type TypeCheck, type TypeSpec } from './dynalite-types.ts';
import { compileValidations, type ValidationCheck, type ValidationSpec } from './dynalite-validations.ts';
import { parsedBody, type FastAnswer, type FastRequest } from './fast-path.ts';

/** DynamoDB names itself in every answer, `Server: Server` (recorded in Step Functions' results); dynalite sends none. */
export const DYNAMODB_SERVER = { header: 'Server', value: 'Server' } as const;

type Item = Record<string, Record<string, unknown>>;

interface TableDescription extends KeyedTable {
  TableStatus?: string;
  GlobalSecondaryIndexes?: unknown[];
  LocalSecondaryIndexes?: unknown[];
}

/** What the fast path reads of the store dynalite uses (dynalite-store.ts). */
export interface FastPathStore {
  /** A value as the store holds it, a fresh copy; undefined when absent. */
  get(key: string): unknown;
  /** The same value, shared: to be read, never changed. */
  getShared(key: string): unknown;
  /** Writes every entry, or none. */
  putAll(entries: [string, unknown][]): void;
  /** dynalite's per-table lock is held on the key: an item write of dynalite's own is under way. */
  isLocked(tableName: string, key: string): boolean;
  /** The database has closed: dynalite answers with its own error. */
  closed(): boolean;
  /** dynalite's maxItemSize option, in bytes. */
  maxItemSize: number;
  /** dynalite's own store, which its request checks are given. */
  dynalite: unknown;
}

interface ActionValidation {
  types: Record<string, TypeSpec>;
  /** The operation's own check, after the generic ones: a message when it refuses. */
  custom?: (data: Record<string, unknown>, store: unknown) => string | undefined;
}

interface DynaliteDb {
  validateItem(item: Item, table: TableDescription): unknown;
  validateKey(key: Item, table: TableDescription): unknown;
  itemSize(item: Item): number;
  validateKeyPaths(nestedPaths: unknown, table: TableDescription): unknown;
  mapPaths(paths: unknown[], item: Item): Item;
}

const db = dynaliteDb as DynaliteDb;
const { batchWriteItem, batchGetItem, getItem } = actionValidations as Record<'batchWriteItem' | 'batchGetItem' | 'getItem', ActionValidation>;

// dynalite's limits: the request body it reads, and what one BatchGetItem answer may hold.
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const batchGetBytes = (maxItemSize: number) => 1024 * 1024 + maxItemSize - 3;

interface Operation {
  validation: ActionValidation;
  /** dynalite's checkTypes of the operation's types, compiled. */
  checkTypes: TypeCheck;
  /** Whether dynalite's checkValidations passes the checked request, its custom check aside. */
  passes: ValidationCheck;
  answer: (data: Record<string, unknown>, store: FastPathStore) => object | undefined;
}

const operation = (validation: ActionValidation, answer: Operation['answer']): Operation => ({
  validation,
  checkTypes: compileTypes(validation.types),
  passes: compileValidations(validation.types as Record<string, ValidationSpec>),
  answer,
});

/** Per operation: dynalite's checks of its request, and the answer the fast path gives, if it can. */
const OPERATIONS: Record<string, Operation> = {
  'DynamoDB_20120810.BatchWriteItem': operation(batchWriteItem, writeBatch),
  'DynamoDB_20120810.BatchGetItem': operation(batchGetItem, readBatch),
  'DynamoDB_20120810.GetItem': operation(getItem, readItem),
};
const JSON_TYPES = new Set(['application/x-amz-json-1.0', 'application/json']);
const AUTHORIZATION_PARAMETERS = ['Credential', 'Signature', 'SignedHeaders'];

// Random bytes drawn for many request ids at once: one system call per POOL_IDS answers.
const ID_BYTES = 39;
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A 52-character request id of upper-case letters and digits, as dynalite's (39 random bytes in base64). */
function requestId(): string {
  if (poolOffset >= pool.length) {
    pool = randomBytes(ID_BYTES * POOL_IDS);
    poolOffset = 0;
  }
  // Encoded in place: a subarray would make a Buffer object for each id.
  const id = pool.toString('base64', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id.toUpperCase().replace(/[+/]/g, '0');
}

// A client signs every call alike within a second: the last Authorization header's verdict is kept.
let lastAuthorization = '';
let lastAuthorizationPasses = false;

/** Whether an Authorization header names the parameters dynalite requires of a signed request. */
function authorizationPasses(authorization: string): boolean {
  if (authorization === lastAuthorization) return lastAuthorizationPasses;
  const given = new Map(
    authorization
      .split(/,| /)
      .slice(1)
      .filter(Boolean)
      .map((pair) => {
        const [name, value] = pair.trim().split('=');
        return [name, value] as const;
      }),
  );
  lastAuthorization = authorization;
  lastAuthorizationPasses = AUTHORIZATION_PARAMETERS.every((name) => given.get(name));
  return lastAuthorizationPasses;
}

/**
 * Whether dynalite would take the request to its operation: a signed POST of JSON to a known
 * target, without CORS or query-string signing (dynalite's other answers are left to it).
 */
function passesDynaliteChecks(request: FastRequest): boolean {
  const { method, url = '/', headers, body } = request;
  if (method !== 'POST' || url.includes('?') || headers.origin !== undefined) return false;
  if (body.length === 0 || body.length > MAX_REQUEST_BYTES) return false;
  const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!JSON_TYPES.has(contentType)) return false;
  const authorization = headers.authorization;
  if (typeof authorization !== 'string' || authorization.trim().slice(0, 5) !== 'AWS4-') return false;
  if (!authorizationPasses(authorization)) return false;
  return headers['x-amz-date'] !== undefined || headers.date !== undefined;
}

function parse(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value = parsedBody(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** dynalite's checks of the request's shape and values; undefined where it would refuse it. */
function validated(data: Record<string, unknown>, { validation, checkTypes, passes }: Operation, store: FastPathStore): Record<string, unknown> | undefined {
  try {
    const checked = checkTypes(data);
    if (!passes(checked) || validation.custom?.(checked, store.dynalite)) return undefined;
    return checked;
  } catch {
    return undefined;
  }
}

/** A table's description as dynalite stores it; undefined if absent (dynalite answers that itself). */
function tableNamed(store: FastPathStore, name: string): TableDescription | undefined {
  const table = store.getShared(tableKey(name)) as TableDescription | undefined;
  return typeof table === 'object' && table !== null && table.TableStatus ? table : undefined;
}

/** The one table a request names; undefined if not exactly one, or absent. */
function onlyTable(store: FastPathStore, requestItems: unknown): { name: string; table: TableDescription } | undefined {
  const names = Object.keys(requestItems as object);
  if (names.length !== 1) return undefined;
  const table = tableNamed(store, names[0]!);
  return table && { name: names[0]!, table };
}

const wantsCapacity = (data: Record<string, unknown>) => data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';

/** Where dynalite stores a table's items: under this prefix, then each item's key. */
export const tableItemsPrefix = (tableName: string) => `item-${tableName}~`;
/** Where dynalite stores a table's description. */
export const tableKey = (tableName: string) => `table~${tableName}`;

const itemKey = (tableName: string, key: string) => tableItemsPrefix(tableName) + key;

/** Puts only, into a table without indexes, no capacity asked: dynalite answers `{"UnprocessedItems":{}}`. */
function writeBatch(data: Record<string, unknown>, store: FastPathStore): object | undefined {
  if (wantsCapacity(data)) return undefined;
  const target = onlyTable(store, data.RequestItems);
  if (!target) return undefined;
  const { name, table } = target;
  if (table.GlobalSecondaryIndexes?.length || table.LocalSecondaryIndexes?.length) return undefined;
  const requests = (data.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: unknown }[]>)[name]!;
  const entries: [string, unknown][] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    const item = request.PutRequest?.Item;
    if (item === undefined || request.DeleteRequest !== undefined) return undefined;
    if (db.validateItem(item, table) != null) return undefined;
    const key = storageKey(item, table);
    if (seen.has(key) || store.isLocked(name, key)) return undefined;
    seen.add(key);
    entries.push([itemKey(name, key), item]);
  }
  store.putAll(entries);
  return { UnprocessedItems: {} };
}

/** A ProjectionExpression as dynalite's checks parsed it (checkValidations sets `_projection`). */
interface Projection {
  paths: unknown[];
  nestedPaths?: unknown;
}

const WHOLE = (item: Item): Item => item;

/**
 * How dynalite's getItem returns an item: whole, or the attributes a ProjectionExpression names,
 * picked by its own mapPaths. Undefined where dynalite answers itself: the legacy AttributesToGet,
 * and a projection into a key attribute, which it refuses.
 */
function itemShape(request: Record<string, unknown>, table: TableDescription): ((item: Item) => Item) | undefined {
  if (request.AttributesToGet !== undefined) return undefined;
  const projection = request._projection as Projection | undefined;
  if (projection === undefined) return request.ProjectionExpression === undefined ? WHOLE : undefined;
  if (db.validateKeyPaths(projection.nestedPaths, table) != null) return undefined;
  return (item) => db.mapPaths(projection.paths, item);
}

/** Items by their keys, no capacity asked, all within one answer's size: dynalite answers them all, in any order. */
function readBatch(data: Record<string, unknown>, store: FastPathStore): object | undefined {
  if (wantsCapacity(data)) return undefined;
  const target = onlyTable(store, data.RequestItems);
  if (!target) return undefined;
  const { name, table } = target;
  const request = (data.RequestItems as Record<string, Record<string, unknown>>)[name]!;
  const shape = itemShape(request, table);
  if (shape === undefined) return undefined;
  const items: Item[] = [];
  let bytes = 0;
  for (const key of request.Keys as Item[]) {
    if (db.validateKey(key, table) != null) return undefined;
    const stored = store.get(itemKey(name, storageKey(key, table))) as Item | undefined;
    if (stored === undefined) continue;
    // dynalite counts the answer's size over the items as it returns them, projected.
    const item = shape(stored);
    bytes += db.itemSize(item);
    items.push(item);
  }
  // Past the limit dynalite leaves keys unprocessed, depending on its shuffle: its own to answer.
  if (bytes > batchGetBytes(store.maxItemSize)) return undefined;
  // dynalite shuffles the answer: BatchGetItem returns items in no particular order.
  for (let i = items.length - 1; i >= 1; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return { Responses: { [name]: items }, UnprocessedKeys: {} };
}

/** An item by its key, no capacity asked: dynalite answers `{"Item": …}`, or `{}` when there is none. */
function readItem(data: Record<string, unknown>, store: FastPathStore): object | undefined {
  if (wantsCapacity(data)) return undefined;
  const name = data.TableName as string;
  const table = tableNamed(store, name);
  if (table === undefined) return undefined;
  const shape = itemShape(data, table);
  if (shape === undefined) return undefined;
  const key = data.Key as Item;
  if (db.validateKey(key, table) != null) return undefined;
  const item = store.get(itemKey(name, storageKey(key, table))) as Item | undefined;
  return item === undefined ? {} : { Item: shape(item) };
}

/**
 * dynalite's answer to the request when the fast path can give it; undefined to hand the
 * request to dynalite (whose answer it then is, with nothing changed here).
 */
export function fastAnswer(request: FastRequest, store: FastPathStore): FastAnswer | undefined {
  const target = request.headers['x-amz-target'];
  const call = typeof target === 'string' && Object.hasOwn(OPERATIONS, target) ? OPERATIONS[target]! : undefined;
  if (call === undefined || store.closed() || !passesDynaliteChecks(request)) return undefined;
  const data = parse(request.body);
  if (data === undefined) return undefined;
  const checked = validated(data, call, store);
  if (checked === undefined) return undefined;
  const answer = call.answer(checked, store);
  if (answer === undefined) return undefined;
  const body = JSON.stringify(answer);
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
  return {
    statusCode: 200,
    headers: [
      ['x-amzn-RequestId', requestId()],
      ['x-amz-crc32', String(crc32(body))],
      [DYNAMODB_SERVER.header, DYNAMODB_SERVER.value],
      ['Content-Type', contentType],
      ['Content-Length', String(Buffer.byteLength(body, 'utf8'))],
    ],
    body,
  };
}

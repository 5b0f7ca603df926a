// dynalite's storage, replaced. dynalite keeps every table, item, index entry and tag in one
// memory-level database (a persistent red-black tree of Buffers, JSON-encoded values) behind
// promise-returning calls, each answered through a tracked promise and a setImmediate. In a
// profile of 100,000 records that layer took about a seventh of the seed's CPU (three store calls
// an item written: the table, the old item, the new one), and an item kept 599 B
// (bench/emulator-costs.ts; 364 B in this store). The store below keeps the same keys and JSON
// values in a Map of strings and answers the same calls, in the same order (a setImmediate each),
// with the same results: values are JSON copies, missing keys read as undefined, key streams and
// value streams run in the order memory-level sorts keys (their UTF-8 bytes), honour the same range
// options, and read the store as it was when they opened, as memory-level's snapshots do. dynalite's
// validation, conditions, capacity and errors are its own, unchanged: only where it stores changes.
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { tableItemsPrefix, tableKey, type FastPathStore } from './dynalite-fast-path.ts';
import { db as dynaliteDb, dynalite as dynaliteServer } from './dynalite-modules.ts';
import { bound, compareUtf8 } from './utf8-order.ts';

type Callback = (error: Error | null, value?: unknown) => void;

interface RangeOptions {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  /** -1 or absent: no limit. */
  limit?: number;
}

interface BatchOperation {
  type: 'put' | 'del';
  key: string;
  value?: unknown;
}

/** The calls dynalite's prefixed sub-databases make on its main database (db/index.js). */
interface MainDatabase {
  put(key: string, value: unknown, callback: Callback): void;
  get(key: string, callback: Callback): void;
  del(key: string, callback: Callback): void;
  batch(operations: BatchOperation[], callback: Callback): void;
  createKeyStream(options?: RangeOptions): Readable;
  createValueStream(options?: RangeOptions): Readable;
}

/** The parts of the store dynalite's db.create returns that the replacement reads. */
interface DynaliteStore {
  db: MainDatabase;
  lifecycleManager?: { getState(): string };
  options: { maxItemSize: number };
  getItemDb(tableName: string): { lock: { isLocked(key: string): boolean } };
}

interface DynaliteDbModule {
  create(options: unknown): DynaliteStore;
}

function mergeSorted(sorted: readonly string[], added: string[]): string[] {
  added.sort(compareUtf8);
  const merged = new Array<string>(sorted.length + added.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < sorted.length && j < added.length) merged[k++] = compareUtf8(sorted[i]!, added[j]!) <= 0 ? sorted[i++]! : added[j++]!;
  while (i < sorted.length) merged[k++] = sorted[i++]!;
  while (j < added.length) merged[k++] = added[j++]!;
  return merged;
}

export class InvalidStoreValue extends Error {
  override name = 'InvalidStoreValue';
}

/** A value's JSON, as memory-level's json encoding stores it; undefined has none (level refuses it too). */
function encode(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new InvalidStoreValue('Value cannot be null or undefined');
  return json;
}

export class DatabaseClosed extends Error {
  // dynalite's own message for a call after its database closed.
  constructor() {
    super('Database is closed');
  }
}

/**
 * An ordered map of JSON values. A stream reads a snapshot: the sorted keys of the moment it
 * opened and the entries then, which the next write copies before changing while a stream holds
 * them.
 */
export class OrderedJsonStore {
  private entries = new Map<string, string>();
  /** getShared's values, with the JSON each was parsed from. */
  private shared = new Map<string, { json: string; value: unknown }>();
  /** The keys in order, less those added since (in `added`); undefined after a delete. */
  private sorted: string[] | undefined = [];
  private added: string[] = [];
  /** Streams reading the current `entries`. */
  private readers = 0;

  get size(): number {
    return this.entries.size;
  }

  get(key: string): unknown {
    const json = this.entries.get(key);
    return json === undefined ? undefined : JSON.parse(json);
  }

  /**
   * A value to read, never to change: parsed once per stored JSON and shared by every reader until
   * its key is written again. A table's description is read on every item call.
   */
  getShared(key: string): unknown {
    const json = this.entries.get(key);
    if (json === undefined) return undefined;
    const kept = this.shared.get(key);
    if (kept !== undefined && kept.json === json) return kept.value;
    const value: unknown = JSON.parse(json);
    this.shared.set(key, { json, value });
    return value;
  }

  put(key: string, value: unknown): void {
    this.putJson(key, encode(value));
  }

  del(key: string): void {
    if (!this.entries.has(key)) return;
    this.shared.delete(key);
    this.beforeWrite();
    this.entries.delete(key);
    this.sorted = undefined;
    this.added = [];
  }

  batch(operations: readonly BatchOperation[]): void {
    // Encoded first: one value that cannot be stored fails the batch with nothing written.
    const encoded = operations.map((op) => (op.type === 'put' ? encode(op.value) : undefined));
    operations.forEach((op, index) => (op.type === 'put' ? this.putJson(String(op.key), encoded[index]!) : this.del(String(op.key))));
  }

  /** The JSON text of every value whose key starts with `prefix`, in the order their keys were first written. */
  jsonWithPrefix(prefix: string): string[] {
    const texts: string[] = [];
    for (const [key, json] of this.entries) if (key.startsWith(prefix)) texts.push(json);
    return texts;
  }

  /** The keys within the range, in order, and a reader of the entries as they are now. */
  range(options: RangeOptions = {}): { keys: string[]; read(key: string): string | undefined; close(): void } {
    const keys = this.sortedKeys();
    let start = 0;
    let end = keys.length;
    if (options.gte !== undefined) start = bound(keys, options.gte, false);
    if (options.gt !== undefined) start = Math.max(start, bound(keys, options.gt, true));
    if (options.lte !== undefined) end = bound(keys, options.lte, true);
    if (options.lt !== undefined) end = Math.min(end, bound(keys, options.lt, false));
    let selected = keys.slice(start, Math.max(start, end));
    if (options.reverse) selected.reverse();
    if (options.limit !== undefined && options.limit >= 0) selected = selected.slice(0, options.limit);
    const entries = this.entries;
    this.readers += 1;
    let open = true;
    return {
      keys: selected,
      read: (key) => entries.get(key),
      close: () => {
        if (!open) return;
        open = false;
        if (this.entries === entries) this.readers -= 1;
      },
    };
  }

  private putJson(key: string, json: string): void {
    this.beforeWrite();
    if (!this.entries.has(key)) this.added.push(key);
    this.entries.set(key, json);
  }

  private beforeWrite(): void {
    if (this.readers === 0) return;
    // A stream still reads these entries: it keeps them, the store writes to a copy.
    this.entries = new Map(this.entries);
    this.readers = 0;
  }

  private sortedKeys(): string[] {
    if (this.sorted === undefined) {
      this.sorted = [...this.entries.keys()].sort(compareUtf8);
      this.added = [];
    } else if (this.added.length > 0) {
      // A new array: a stream that opened before holds the old one.
      this.sorted = mergeSorted(this.sorted, this.added);
      this.added = [];
    }
    return this.sorted;
  }
}

function stream(store: OrderedJsonStore, options: RangeOptions | undefined, values: boolean): Readable {
  const { keys, read, close } = store.range(options);
  let next = 0;
  return new Readable({
    objectMode: true,
    read() {
      while (next < keys.length) {
        const key = keys[next++]!;
        const json = read(key);
        if (json !== undefined && !this.push(values ? JSON.parse(json) : key)) return;
      }
      close();
      this.push(null);
    },
    destroy(error, callback) {
      close();
      callback(error);
    },
  });
}

/**
 * A table's items as dynalite stores them, read in process: each one's JSON text (attribute values
 * in DynamoDB's JSON), for the caller to parse as it goes; undefined when there is no such table.
 */
export type TableItemsJson = (tableName: string) => string[] | undefined;

/**
 * Puts the store behind the main database's calls, answering each as dynalite's wrapper does: on
 * a later turn. Returns what the fast path (dynalite-fast-path.ts) reads and writes of it, and a
 * reader of a table's items.
 */
function replaceStorage(store: DynaliteStore): { fastPath: FastPathStore; tableItemsJson: TableItemsJson } {
  const data = new OrderedJsonStore();
  const closed = () => store.lifecycleManager?.getState() === 'closed';
  // A write answers (error) alone, a read (error, value), as dynalite's wrapper calls back.
  const answer = (callback: Callback, work: () => unknown, reads: boolean) => {
    if (closed()) {
      setImmediate(callback, new DatabaseClosed());
      return;
    }
    let value: unknown;
    try {
      value = work();
    } catch (error) {
      setImmediate(callback, error as Error);
      return;
    }
    if (reads) setImmediate(callback, null, value);
    else setImmediate(callback, null);
  };
  const db = store.db;
  db.put = (key, value, callback) => answer(callback, () => data.put(String(key), value), false);
  db.get = (key, callback) => answer(callback, () => data.get(String(key)), true);
  db.del = (key, callback) => answer(callback, () => data.del(String(key)), false);
  db.batch = (operations, callback) => answer(callback, () => data.batch(operations), false);
  db.createKeyStream = (options) => stream(data, options, false);
  db.createValueStream = (options) => stream(data, options, true);
  const fastPath: FastPathStore = {
    get: (key) => data.get(key),
    getShared: (key) => data.getShared(key),
    putAll: (entries) => data.batch(entries.map(([key, value]) => ({ type: 'put', key, value }))),
    isLocked: (tableName, key) => store.getItemDb(tableName).lock.isLocked(key),
    closed,
    maxItemSize: store.options.maxItemSize,
    dynalite: store,
  };
  const tableItemsJson: TableItemsJson = (tableName) =>
    closed() || data.get(tableKey(tableName)) === undefined ? undefined : data.jsonWithPrefix(tableItemsPrefix(tableName));
  return { fastPath, tableItemsJson };
}

/** dynalite's own options (it ships no type declarations). */
export interface DynaliteOptions {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}

type Replaced = ReturnType<typeof replaceStorage>;
type DynaliteFactory = (options: DynaliteOptions & { [STORE_OPTION]?: (replaced: Replaced) => void }) => Server;

// The option that asks db.create for the replaced store; dynalite hands its options to db.create unchanged.
const STORE_OPTION = Symbol.for('transfer-records.dynalite-store');

/**
 * dynalite's server, its data kept in OrderedJsonStore, with what the fast path needs of that
 * store and a reader of a table's items (`stock: true`: dynalite as it ships, its data in
 * memory-level, which the tests compare with). dynalite's server builds its store with its db
 * module's create, read at each call: wrapped once, it replaces the storage of the servers that
 * ask for it and leaves any other as it was.
 */
export function createDynalite(options: DynaliteOptions, { stock = false } = {}): { server: Server; store?: FastPathStore; tableItemsJson?: TableItemsJson } {
  const dbModule = dynaliteDb as DynaliteDbModule & { [STORE_OPTION]?: true };
  if (!dbModule[STORE_OPTION]) {
    const create = dbModule.create.bind(dbModule);
    dbModule.create = (createOptions) => {
      const store = create(createOptions);
      const replacement = (createOptions as { [STORE_OPTION]?: (replaced: Replaced) => void })[STORE_OPTION];
      replacement?.(replaceStorage(store));
      return store;
    };
    dbModule[STORE_OPTION] = true;
  }
  const dynalite = dynaliteServer as DynaliteFactory;
  if (stock) return { server: dynalite({ ...options }) };
  let replaced: Replaced | undefined;
  const server = dynalite({ ...options, [STORE_OPTION]: (storage: Replaced) => (replaced = storage) });
  return { server, store: replaced!.fastPath, tableItemsJson: replaced!.tableItemsJson };
}

import { expect } from 'chai';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { createDynalite, OrderedJsonStore } from '../../local/services/dynalite-store.ts';
import { compareUtf8 } from '../../local/services/utf8-order.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';

interface Level {
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  get(key: string): Promise<unknown>;
  iterator(options: object): { all(): Promise<[string, unknown][]> };
  open(): Promise<void>;
  close(): Promise<void>;
}
// The store dynalite ships with, the one OrderedJsonStore replaces.
const { MemoryLevel } = createRequire(import.meta.url)('memory-level') as { MemoryLevel: new (options: object) => Level };

// Keys that JavaScript's `<` and UTF-8 order differently (a surrogate pair against U+E000..U+FFFF),
// with prefixes as dynalite's keys have, multi-byte letters and prefixes of one another.
const KEYS = ['item-t~a', 'item-t~ab', 'item-t~b', 'item-t~é', 'item-t~\u{1F600}', 'item-t~\uE000', 'item-t~\uFFFF', 'item-t~', 'index-t~x', 'table~t', 'item-t~a/1', 'item-t~a~'];

describe('local/dynalite-store: dynalite\'s storage, replaced', () => {
  describe('OrderedJsonStore against memory-level', () => {
    it('orders keys as memory-level does, by their UTF-8 bytes', () => {
      const bytewise = [...KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect([...KEYS].sort(compareUtf8)).to.deep.equal(bytewise);
      // JavaScript's own order differs on these keys: the comparison is not a plain `<`.
      expect([...KEYS].sort()).to.not.deep.equal(bytewise);
    });

    it('answers gets and every range option as memory-level does, across puts, updates and deletes', async () => {
      const level = new MemoryLevel({ valueEncoding: 'json' });
      await level.open();
      const store = new OrderedJsonStore();
      const apply = async (key: string, value: unknown) => {
        if (value === undefined) {
          await level.del(key);
          store.del(key);
        } else {
          await level.put(key, value);
          store.put(key, value);
        }
      };
      const ranges = [
        {},
        { gt: 'item-t~' },
        { gte: 'item-t~a', lt: 'item-t~b' },
        { gte: 'item-t~a', lte: 'item-t~a~' },
        { gt: 'item-t~a', lte: 'item-t~\uFFFF', reverse: true },
        { lt: 'item-t~é', limit: 3 },
        { gte: 'item-t~', lt: 'item-t~\xFF', reverse: true, limit: 2 },
        { limit: -1, gt: 'item-t~\u{1F600}' },
        { gte: 'z' },
      ];
      const compare = async () => {
        for (const options of ranges) {
          const expected = await level.iterator(options).all();
          const { keys, read, close } = store.range(options);
          const actual = keys.map((key) => [key, JSON.parse(read(key)!)]);
          close();
          expect(actual, JSON.stringify(options)).to.deep.equal(expected);
        }
        for (const key of [...KEYS, 'missing']) expect(store.get(key), key).to.deep.equal(await level.get(key));
      };
      for (const [index, key] of KEYS.entries()) await apply(key, { n: index, nested: { list: [index, 'é'] } });
      await compare();
      await apply('item-t~ab', { updated: true });
      await apply('item-t~b', undefined);
      await apply('item-t~c', 'a string');
      await compare();
      await level.close();
    });

    it('hands out copies: changing a value read does not change the store', () => {
      const store = new OrderedJsonStore();
      const value = { list: [1] };
      store.put('k', value);
      value.list.push(2);
      (store.get('k') as { list: number[] }).list.push(3);
      expect(store.get('k')).to.deep.equal({ list: [1] });
    });

    it('shares one parsed value per stored JSON, and a new one once the key is written or deleted', () => {
      const store = new OrderedJsonStore();
      store.put('table', { status: 'CREATING' });
      const first = store.getShared('table');
      expect(store.getShared('table')).to.equal(first);
      store.put('table', { status: 'ACTIVE' });
      expect(store.getShared('table')).to.deep.equal({ status: 'ACTIVE' });
      store.batch([{ type: 'put', key: 'table', value: { status: 'DELETING' } }]);
      expect(store.getShared('table')).to.deep.equal({ status: 'DELETING' });
      store.del('table');
      expect(store.getShared('table')).to.equal(undefined);
      expect(store.getShared('absent')).to.equal(undefined);
    });

    it('reads a range as the store was when the range opened, as memory-level\'s iterators do', () => {
      const store = new OrderedJsonStore();
      store.put('a', 1);
      store.put('b', 2);
      const { keys, read, close } = store.range();
      store.put('b', 20);
      store.put('c', 3);
      store.del('a');
      expect(keys.map((key) => [key, read(key)])).to.deep.equal([
        ['a', '1'],
        ['b', '2'],
      ]);
      close();
      const now = store.range();
      expect(now.keys.map((key) => [key, now.read(key)])).to.deep.equal([
        ['b', '20'],
        ['c', '3'],
      ]);
      now.close();
    });

    it('writes a batch whole or not at all', () => {
      const store = new OrderedJsonStore();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() =>
        store.batch([
          { type: 'put', key: 'a', value: 1 },
          { type: 'put', key: 'b', value: cyclic },
        ]),
      ).to.throw(TypeError);
      expect(store.size).to.equal(0);
      expect(() => store.put('u', undefined)).to.throw('Value cannot be null or undefined');
    });
  });

  describe('dynalite on the replaced store answers every call as stock dynalite does', () => {
    const servers: Server[] = [];
    const clients: DynamoDBClient[] = [];

    before(async () => {
      for (const stock of [true, false]) {
        const { server } = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }, { stock });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        servers.push(server);
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        clients.push(new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 }));
      }
    });

    after(async () => {
      for (const client of clients) client.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    });

    // A table's creation time and id differ from one table to the next.
    const VARYING = new Set(['CreationDateTime', 'LastUpdateToPayPerRequestDateTime', 'TableId']);

    // What a call returned, without what differs from one call to the next (request ids, creation times).
    const outcome = async (client: DynamoDBClient, command: object): Promise<unknown> => {
      try {
        const output: object = await client.send(command as never);
        return JSON.parse(JSON.stringify({ ...output, $metadata: undefined }, (key, value: unknown) => (VARYING.has(key) ? '<varies>' : value)));
      } catch (error) {
        const { name, message, $metadata } = error as Error & { $metadata: { httpStatusCode?: number } };
        return { error: name, message, status: $metadata?.httpStatusCode };
      }
    };

    // BatchGetItem answers in any order (dynalite shuffles): sorted, the answers compare.
    const sortResponses = (result: unknown): unknown => {
      const responses = (result as { Responses?: Record<string, Record<string, AttributeValue>[]> }).Responses;
      for (const items of Object.values(responses ?? {})) items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      return result;
    };

    const both = async (command: object, shuffled = false) => {
      const [stock, replaced] = [await outcome(clients[0]!, command), await outcome(clients[1]!, command)];
      const expected = shuffled ? sortResponses(stock) : stock;
      expect(shuffled ? sortResponses(replaced) : replaced, command.constructor.name).to.deep.equal(expected);
      return expected;
    };

    const item = (id: string, body: string) => ({ MessageId: { S: id }, Message: { S: body } });
    const ids = ['a', 'é', '\u{1F600}', '\uE000', 'b', 'ab', ...Array.from({ length: 30 }, (_, i) => `id-${i}`)];

    it('tables, batch writes and their errors, reads, updates, deletes, scans, queries and tags', async () => {
      await both(
        new CreateTableCommand({
          TableName: 'records',
          KeySchema: [{ AttributeName: 'MessageId', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'MessageId', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await both(
        new CreateTableCommand({
          TableName: 'pairs',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'N' },
            { AttributeName: 'g', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await both(new DescribeTableCommand({ TableName: 'pairs' }));
      const puts = (from: number, to: number) => ids.slice(from, to).map((id) => ({ PutRequest: { Item: item(id, `body of ${id}`) } }));
      await both(new BatchWriteItemCommand({ RequestItems: { records: puts(0, 25) }, ReturnConsumedCapacity: 'TOTAL' }));
      await both(new BatchWriteItemCommand({ RequestItems: { records: [...puts(25, 36), { DeleteRequest: { Key: { MessageId: { S: 'b' } } } }] } }));
      // Errors: a duplicate key, a key missing, a key of the wrong type, too many requests, no such table.
      await both(new BatchWriteItemCommand({ RequestItems: { records: [...puts(0, 1), ...puts(0, 1)] } }));
      await both(new BatchWriteItemCommand({ RequestItems: { records: [{ PutRequest: { Item: { Message: { S: 'x' } } } }] } }));
      await both(new BatchWriteItemCommand({ RequestItems: { records: [{ PutRequest: { Item: { MessageId: { N: '1' } } } }] } }));
      await both(new BatchWriteItemCommand({ RequestItems: { records: [...puts(0, 26)] } }));
      await both(new BatchWriteItemCommand({ RequestItems: { nowhere: puts(0, 1) } }));
      for (let sk = 0; sk < 12; sk += 1) {
        await both(new PutItemCommand({ TableName: 'pairs', Item: { pk: { S: sk % 2 ? 'odd' : 'even' }, sk: { N: String(sk * 7 - 20) }, g: { S: `g${sk % 3}` } } }));
      }
      await both(new PutItemCommand({ TableName: 'records', Item: item('a', 'again'), ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }));
      await both(new PutItemCommand({ TableName: 'records', Item: item('a', 'refused'), ConditionExpression: 'attribute_not_exists(MessageId)' }));
      await both(new GetItemCommand({ TableName: 'records', Key: { MessageId: { S: 'a' } }, ConsistentRead: true }));
      await both(new GetItemCommand({ TableName: 'records', Key: { MessageId: { S: 'missing' } }, ReturnConsumedCapacity: 'TOTAL' }));
      await both(new GetItemCommand({ TableName: 'records', Key: { MessageId: { S: 'é' } }, ProjectionExpression: 'Message' }));
      await both(new GetItemCommand({ TableName: 'records', Key: { Message: { S: 'a' } } }));
      const keys = (list: string[]) => list.map((id) => ({ MessageId: { S: id } }));
      await both(new BatchGetItemCommand({ RequestItems: { records: { Keys: keys(['a', 'b', '\uE000', 'id-3', 'none']), ConsistentRead: true } }, ReturnConsumedCapacity: 'TOTAL' }), true);
      await both(new BatchGetItemCommand({ RequestItems: { records: { Keys: keys(['a', 'a']) } } }));
      await both(new BatchGetItemCommand({ RequestItems: { nowhere: { Keys: keys(['a']) } } }));
      await both(new UpdateItemCommand({ TableName: 'records', Key: { MessageId: { S: 'id-4' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }));
      await both(new DeleteItemCommand({ TableName: 'records', Key: { MessageId: { S: 'id-5' } }, ReturnValues: 'ALL_OLD' }));
      // Scans in pages, filtered and in segments: the same items, in the same order.
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = (await both(new ScanCommand({ TableName: 'records', Limit: 7, ExclusiveStartKey: start }))) as { LastEvaluatedKey?: Record<string, AttributeValue> };
        start = page.LastEvaluatedKey;
      } while (start);
      await both(new ScanCommand({ TableName: 'records', FilterExpression: 'begins_with(Message, :b)', ExpressionAttributeValues: { ':b': { S: 'body of id-1' } } }));
      await both(new ScanCommand({ TableName: 'records', Segment: 1, TotalSegments: 3 }));
      await both(new QueryCommand({ TableName: 'pairs', KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':p': { S: 'even' }, ':a': { N: '-20' }, ':b': { N: '30' } } }));
      await both(new QueryCommand({ TableName: 'pairs', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'odd' } }, ScanIndexForward: false, Limit: 2 }));
      await both(new QueryCommand({ TableName: 'pairs', IndexName: 'by-g', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'g1' } } }));
      await both(new ListTablesCommand({ Limit: 1 }));
      await both(new ListTablesCommand({ ExclusiveStartTableName: 'pairs' }));
      const arn = ((await both(new DescribeTableCommand({ TableName: 'records' }))) as { Table: { TableArn: string } }).Table.TableArn;
      await both(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] }));
      await both(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      await both(new DeleteTableCommand({ TableName: 'records' }));
      await both(new ListTablesCommand({}));
      await both(new GetItemCommand({ TableName: 'records', Key: { MessageId: { S: 'a' } } }));
    });
  });
  describe('a table\'s items, read in process as JSON texts', () => {
    it('are the items a Scan returns, numbers as dynalite keeps them, of that table alone; none for an empty table; undefined for one that is not there', async () => {
      const { server, tableItemsJson } = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
      try {
        const table = (name: string) =>
          client.send(
            new CreateTableCommand({
              TableName: name,
              KeySchema: [{ AttributeName: 'MessageId', KeyType: 'HASH' }],
              AttributeDefinitions: [{ AttributeName: 'MessageId', AttributeType: 'S' }],
              BillingMode: 'PAY_PER_REQUEST',
            }),
          );
        // A name that is the start of another's, and an empty table.
        for (const name of ['records', 'rec', 'empty']) await table(name);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const item = (id: string) => ({ MessageId: { S: id }, Message: { S: `body of ${id}` }, Size: { N: '0012.50' } });
        const puts = (list: string[]) => list.map((id) => ({ PutRequest: { Item: item(id) } }));
        const ids = Array.from({ length: 30 }, (_, i) => `id-${i}`);
        // Written by the fast path (batches) and by dynalite itself (a put, an update, a delete).
        await client.send(new BatchWriteItemCommand({ RequestItems: { records: puts(ids.slice(0, 25)) } }));
        await client.send(new BatchWriteItemCommand({ RequestItems: { records: puts([...ids.slice(25), 'é', '\u{1F600}']), rec: puts(['other']) } }));
        await client.send(new PutItemCommand({ TableName: 'records', Item: item('put') }));
        await client.send(new UpdateItemCommand({ TableName: 'records', Key: { MessageId: { S: 'id-4' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
        await client.send(new DeleteItemCommand({ TableName: 'records', Key: { MessageId: { S: 'id-5' } } }));
        const scanned = async (name: string) => {
          const items: Record<string, AttributeValue>[] = [];
          let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
          do {
            const page = await client.send(new ScanCommand({ TableName: name, Limit: 7, ExclusiveStartKey }));
            items.push(...(page.Items ?? []));
            ExclusiveStartKey = page.LastEvaluatedKey;
          } while (ExclusiveStartKey);
          return items;
        };
        const byId = (items: readonly object[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        const tableItems = (name: string) => tableItemsJson!(name)?.map((json) => JSON.parse(json) as object);
        for (const name of ['records', 'rec', 'empty']) {
          expect(byId(tableItems(name)!), name).to.deep.equal(byId(await scanned(name)));
        }
        expect(tableItems('records')).to.have.length(32);
        expect(tableItems('empty')).to.deep.equal([]);
        expect(tableItems('nowhere')).to.equal(undefined);
      } finally {
        client.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});

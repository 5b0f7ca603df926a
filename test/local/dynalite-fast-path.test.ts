import { expect } from 'chai';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fastAnswer, type FastPathStore } from '../../local/services/dynalite-fast-path.ts';
import { createDynalite } from '../../local/services/dynalite-store.ts';
import { startEmulators, type Emulators } from '../../local/services/emulators.ts';
import { postJson, type RawAnswer } from './raw-call.ts';

// dynalite does not check signatures: a well-formed Authorization header is what it reads.
const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20261206T000000Z',
  'content-type': 'application/x-amz-json-1.0',
};

const post = async (endpoint: string, operation: string, body: unknown, headers: Record<string, string> = SIGNED): Promise<RawAnswer> =>
  (await postJson(endpoint, `DynamoDB_20120810.${operation}`, body, headers)).answer;

// The checksum dynalite computes, with its own library.
const dynaliteCrc32 = createRequire(createRequire(import.meta.url).resolve('dynalite'))('buffer-crc32') as { unsigned(text: string): number };

// A request id is 52 upper-case letters and digits, as dynalite's.
const REQUEST_ID = /^[A-Z0-9]{52}$/;

describe('local/dynalite-fast-path: BatchWriteItem, BatchGetItem and GetItem answered at once, as dynalite answers them', () => {
  let stock: Server;
  let stockEndpoint: string;
  let emulators: Emulators;

  before(async () => {
    ({ server: stock } = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }, { stock: true }));
    await new Promise<void>((resolve) => stock.listen(0, '127.0.0.1', resolve));
    stockEndpoint = `http://127.0.0.1:${(stock.address() as AddressInfo).port}`;
    emulators = await startEmulators({ region: 'us-east-1', accountId: '000000000000' });
  });

  after(async () => {
    await emulators.stop();
    await new Promise((resolve) => stock.close(resolve));
  });

  // The answers of stock dynalite and of the emulator, compared; BatchGetItem's items sorted (both answer in any order).
  const both = async (operation: string, body: unknown, headers?: Record<string, string>): Promise<RawAnswer> => {
    // The emulator adds the Server header DynamoDB answers with, which stock dynalite does not send.
    const stockAnswer = await post(stockEndpoint, operation, body, headers);
    const expected = { ...stockAnswer, headers: { ...stockAnswer.headers, server: 'Server' } };
    const actual = await post(emulators.endpoints.dynamodb, operation, body, headers);
    const label = `${operation} ${JSON.stringify(body).slice(0, 120)}`;
    if (operation === 'BatchGetItem' && expected.status === 200) {
      const sorted = (answer: RawAnswer) => {
        const parsed = JSON.parse(answer.body) as { Responses: Record<string, unknown[]> };
        for (const items of Object.values(parsed.Responses)) items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        return { ...answer, headers: { ...answer.headers, 'x-amz-crc32': '<of the order>' }, body: parsed };
      };
      expect(sorted(actual), label).to.deep.equal(sorted(expected));
    } else {
      expect(actual, label).to.deep.equal(expected);
    }
    return actual;
  };

  // Tables are made on both alike (their ids and creation times differ), and become ACTIVE on a later turn.
  const createTable = async (body: object) => {
    const answers = await Promise.all([post(stockEndpoint, 'CreateTable', body), post(emulators.endpoints.dynamodb, 'CreateTable', body)]);
    expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  };

  const table = (name: string, extra: object = {}) => ({
    TableName: name,
    KeySchema: [{ AttributeName: 'MessageId', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'MessageId', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...extra,
  });
  const item = (id: string) => ({ MessageId: { S: id }, Message: { S: `Message ${id}` }, Size: { N: '0012.50' } });
  const puts = (ids: string[]) => ids.map((id) => ({ PutRequest: { Item: item(id) } }));
  const keys = (ids: string[]) => ids.map((id) => ({ MessageId: { S: id } }));
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `id-${from + i}`);

  it('answers the at-scale workflow\'s calls and every error as dynalite does, with the same items stored', async () => {
    await createTable(table('records'));
    await createTable({
      ...table('indexed'),
      AttributeDefinitions: [
        { AttributeName: 'MessageId', AttributeType: 'S' },
        { AttributeName: 'Message', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'by-message', KeySchema: [{ AttributeName: 'Message', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
    // What the seed writes and the children read, also with application/json, which dynalite answers in kind.
    await both('BatchWriteItem', { RequestItems: { records: puts(ids(0, 25)) } });
    await both('BatchWriteItem', { RequestItems: { records: puts(ids(25, 50)) }, ReturnConsumedCapacity: 'NONE' }, { ...SIGNED, 'content-type': 'application/json' });
    await both('BatchWriteItem', { RequestItems: { records: puts(['id-3', 'é', '\u{1F600}']) } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys([...ids(0, 60), 'é', '\u{1F600}']), ConsistentRead: true } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(ids(40, 45)) } } }, { ...SIGNED, 'content-type': 'application/json' });
    // Projections, as the at-scale children read their records: the attributes named, by name or
    // placeholder, nested paths, attributes no item has, and what dynalite refuses.
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { ...item('n-1'), Deep: { M: { a: { L: [{ S: 'x' }, { N: '2' }] }, b: { BOOL: true } } } } } }] } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2', 'id-4', 'none']), ConsistentRead: true, ProjectionExpression: 'MessageId, Message' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2', 'n-1']), ProjectionExpression: '#m, #s', ExpressionAttributeNames: { '#m': 'Message', '#s': 'Size' } } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['n-1', 'id-3']), ProjectionExpression: 'Deep.a[1], Deep.b, Missing, MessageId' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), ProjectionExpression: 'Missing' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), ProjectionExpression: 'MessageId.x' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), ProjectionExpression: 'Message, Message' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), ProjectionExpression: '#u', ExpressionAttributeNames: { '#u': 'Message', '#v': 'Size' } } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), ProjectionExpression: 'Message', AttributesToGet: ['Message'] } } });
    await both('GetItem', { TableName: 'records', Key: { MessageId: { S: 'n-1' } }, ProjectionExpression: 'Deep.a, #m', ExpressionAttributeNames: { '#m': 'Message' } });
    await both('GetItem', { TableName: 'records', Key: { MessageId: { S: 'absent' } }, ProjectionExpression: 'Message' });
    await both('GetItem', { TableName: 'records', Key: { MessageId: { S: 'n-1' } }, ProjectionExpression: 'MessageId[0]' });
    // What dynalite answers itself: capacity asked, deletes, indexes, the legacy AttributesToGet, two tables.
    await both('BatchWriteItem', { RequestItems: { records: puts(['c-1']) }, ReturnConsumedCapacity: 'TOTAL' });
    await both('BatchWriteItem', { RequestItems: { records: [...puts(['d-1']), { DeleteRequest: { Key: { MessageId: { S: 'id-1' } } } }] } });
    await both('BatchWriteItem', { RequestItems: { indexed: puts(['i-1', 'i-2']) } });
    await both('BatchWriteItem', { RequestItems: { records: puts(['t-1']), indexed: puts(['t-2']) } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2', 'id-1']) } }, ReturnConsumedCapacity: 'TOTAL' });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2', 'id-4']), ProjectionExpression: 'Message' } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']), AttributesToGet: ['MessageId'] } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-2']) }, indexed: { Keys: keys(['i-1']) } } });
    // Errors: duplicates, keys missing or of the wrong type, too many, no table, bad values, bad requests.
    await both('BatchWriteItem', { RequestItems: { records: [...puts(['x']), ...puts(['x'])] } });
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { Message: { S: 'no key' } } } }] } });
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { MessageId: { N: '1' } } } }] } });
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { MessageId: { S: '' } } } }] } });
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { MessageId: { S: 'a', N: '1' } } } }] } });
    await both('BatchWriteItem', { RequestItems: { records: puts(ids(100, 126)) } });
    await both('BatchWriteItem', { RequestItems: { nowhere: puts(['a']) } });
    await both('BatchWriteItem', { RequestItems: {} });
    await both('BatchWriteItem', { RequestItems: { records: [{ PutRequest: { Item: { MessageId: { S: 'big' }, Body: { S: 'x'.repeat(400 * 1024) } } } }] } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['x', 'x']) } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(ids(0, 101)) } } });
    await both('BatchGetItem', { RequestItems: { records: { Keys: [{ Message: { S: 'a' } }] } } });
    await both('BatchGetItem', { RequestItems: { nowhere: { Keys: keys(['a']) } } });
    await both('BatchGetItem', '{"RequestItems": ');
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-0']) } } }, { ...SIGNED, authorization: 'AWS4-HMAC-SHA256 Signature=00' });
    await both('BatchGetItem', { RequestItems: { records: { Keys: keys(['id-0']) } } }, { ...SIGNED, 'content-type': 'text/plain' });
    // GetItem, as the loop reads an item, and what dynalite answers itself: capacity, projections, errors.
    const key = (id: string) => ({ MessageId: { S: id } });
    await both('GetItem', { TableName: 'records', Key: key('id-3') });
    await both('GetItem', { TableName: 'records', Key: key('id-3'), ConsistentRead: true }, { ...SIGNED, 'content-type': 'application/json' });
    await both('GetItem', { TableName: 'records', Key: key('\u{1F600}'), ReturnConsumedCapacity: 'NONE' });
    await both('GetItem', { TableName: 'records', Key: key('absent') });
    await both('GetItem', { TableName: 'records', Key: key('id-1') });
    await both('GetItem', { TableName: 'indexed', Key: key('i-2') });
    await both('GetItem', { TableName: 'records', Key: key('id-3'), ReturnConsumedCapacity: 'TOTAL' });
    await both('GetItem', { TableName: 'records', Key: key('id-3'), ProjectionExpression: 'Message' });
    await both('GetItem', { TableName: 'records', Key: key('id-3'), AttributesToGet: ['Message'] });
    await both('GetItem', { TableName: 'nowhere', Key: key('id-3') });
    await both('GetItem', { TableName: 'records', Key: { Message: { S: 'a' } } });
    await both('GetItem', { TableName: 'records', Key: { MessageId: { N: '1' } } });
    await both('GetItem', { TableName: 'records', Key: key('') });
    await both('GetItem', { TableName: 'records', Key: { ...key('id-3'), Message: { S: 'Message id-3' } } });
    await both('GetItem', { TableName: 'records', Key: { MessageId: { S: 'a', N: '1' } } });
    await both('GetItem', { TableName: 'records' });
    await both('GetItem', { TableName: 'ab', Key: key('id-3') });
    await both('GetItem', { TableName: 'records', Key: key('id-3'), ConsistentRead: 'yes' });
    await both('GetItem', '{"TableName": ');
    await both('GetItem', { TableName: 'records', Key: key('id-3') }, { ...SIGNED, authorization: 'AWS4-HMAC-SHA256 Signature=00' });
    // The tables hold the same items, in the same order.
    for (const name of ['records', 'indexed']) await both('Scan', { TableName: name });
    await both('Query', { TableName: 'indexed', IndexName: 'by-message', KeyConditionExpression: 'Message = :m', ExpressionAttributeValues: { ':m': { S: 'Message i-1' } } });
  });

  it('answers the at-scale calls itself, with a request id and checksum of dynalite\'s form, and leaves the rest to dynalite', async () => {
    await createTable(table('direct'));
    const answer = await post(emulators.endpoints.dynamodb, 'BatchWriteItem', { RequestItems: { direct: puts(['a']) } });
    expect(answer.body).to.equal('{"UnprocessedItems":{}}');
    // A store that records what the path does: it answers what the workflow calls, and nothing else.
    const written: [string, unknown][] = [];
    const description = await post(emulators.endpoints.dynamodb, 'DescribeTable', { TableName: 'direct' });
    const tableJson = JSON.parse(description.body) as { Table: object };
    const store: FastPathStore = {
      get: (key) => (key === 'table~direct' ? structuredClone(tableJson.Table) : written.find(([k]) => k === key)?.[1]),
      getShared: (key) => store.get(key),
      putAll: (entries) => written.push(...entries),
      isLocked: () => false,
      closed: () => false,
      maxItemSize: 400 * 1024,
      dynalite: { options: { maxItemSize: 400 * 1024 } },
    };
    const call = (operation: string, body: unknown) => ({ method: 'POST', url: '/', headers: { ...SIGNED, 'x-amz-target': `DynamoDB_20120810.${operation}` }, body: Buffer.from(JSON.stringify(body)) });
    const write = fastAnswer(call('BatchWriteItem', { RequestItems: { direct: puts(['a', 'b']) } }), store)!;
    expect(write.body).to.equal('{"UnprocessedItems":{}}');
    // Stored as dynalite stores it: its numbers in canonical form.
    const stored = (id: string) => ({ ...item(id), Size: { N: '12.5' } });
    expect(written.map(([, value]) => value)).to.deep.equal([stored('a'), stored('b')]);
    expect(written.every(([key]) => key.startsWith('item-direct~'))).to.equal(true);
    const [id, crc] = write.headers.map(([, value]) => value);
    expect(id).to.match(REQUEST_ID);
    expect(crc).to.equal(String(dynaliteCrc32.unsigned(write.body)));
    const read = fastAnswer(call('BatchGetItem', { RequestItems: { direct: { Keys: keys(['b', 'a', 'none']) } } }), store)!;
    const { Responses, UnprocessedKeys } = JSON.parse(read.body) as { Responses: { direct: unknown[] }; UnprocessedKeys: object };
    expect(Responses.direct).to.have.deep.members([stored('a'), stored('b')]);
    expect(UnprocessedKeys).to.deep.equal({});
    // Left to dynalite: a write while dynalite holds the item's lock, and any call once its database closed.
    expect(fastAnswer(call('BatchWriteItem', { RequestItems: { direct: puts(['a']) } }), { ...store, isLocked: () => true })).to.equal(undefined);
    expect(fastAnswer(call('BatchGetItem', { RequestItems: { direct: { Keys: keys(['a']) } } }), { ...store, closed: () => true })).to.equal(undefined);
    expect(JSON.parse(fastAnswer(call('GetItem', { TableName: 'direct', Key: { MessageId: { S: 'a' } } }), store)!.body)).to.deep.equal({ Item: stored('a') });
    expect(JSON.parse(fastAnswer(call('GetItem', { TableName: 'direct', Key: { MessageId: { S: 'a' } }, ProjectionExpression: 'Message' }), store)!.body)).to.deep.equal({ Item: { Message: stored('a').Message } });
    const projected = fastAnswer(call('BatchGetItem', { RequestItems: { direct: { Keys: keys(['b', 'a']), ProjectionExpression: 'MessageId, #s', ExpressionAttributeNames: { '#s': 'Size' } } } }), store)!;
    expect((JSON.parse(projected.body) as { Responses: { direct: unknown[] } }).Responses.direct).to.have.deep.members(['a', 'b'].map((id) => ({ MessageId: { S: id }, Size: { N: '12.5' } })));
    expect(fastAnswer(call('GetItem', { TableName: 'direct', Key: { MessageId: { S: 'a' } }, AttributesToGet: ['Message'] }), store)).to.equal(undefined);
    expect(fastAnswer(call('PutItem', { TableName: 'direct', Item: item('c') }), store)).to.equal(undefined);
    expect(written).to.have.length(2);
  });
});

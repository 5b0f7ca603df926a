import { expect } from 'chai';
import sinon from 'sinon';
import { BatchWriteItemCommand, DeleteItemCommand, type BatchGetItemCommand, type BatchGetItemInput } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../workflow/transfer-records.ts';

const ITEM = { keyAttribute: TABLE.hashKey, bodyAttribute: TABLE.messageAttribute };
import { readSeededItems } from '../../aws/seeded.ts';
import { fakeAws } from './fake-aws.ts';
import { TABLE_NAME } from './fixtures.ts';
import { startLocalAws, type LocalAws } from './local-aws.ts';

// readSeededItems against the DynamoDB emulator's table, but for unprocessed keys: DynamoDB leaves
// keys unprocessed only under throttling or its 16 MB answer limit, which the emulator never
// reaches, so that case is answered by the fake.
const ids = (count: number) => Array.from({ length: count }, (_, index) => `5d41402abc4b-${String(index + 1).padStart(4, '0')}`);

const keysOf = (table: string) => (command: object) =>
  ((command as BatchGetItemCommand).input as BatchGetItemInput).RequestItems![table]!.Keys!.map((key) => key.MessageId!.S);

describe('cli/seeded readSeededItems', function () {
  this.timeout(30_000);
  let aws: LocalAws;
  let table: string;
  const all = ids(150);

  before(async () => {
    aws = await startLocalAws('aws-seeded');
    table = aws.outputs.tableName!;
    for (let start = 0; start < all.length; start += 25) {
      const puts = all.slice(start, start + 25).map((id) => ({ PutRequest: { Item: { MessageId: { S: id }, Message: { S: `body of ${id}` } } } }));
      await aws.own.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts } }));
    }
  });

  beforeEach(() => aws.reset());
  afterEach(() => sinon.restore());
  after(() => aws.stop());

  it('reads the bodies 100 keys at a time, consistently, in the order of the ids', async () => {
    const sleep = sinon.fake.resolves(undefined);
    const read = await readSeededItems(aws.clients.dynamodb, table, ITEM, all, sleep);
    expect(read.items).to.deep.equal(all.map((messageId) => ({ messageId, body: `body of ${messageId}` })));
    expect(read.unread).to.deep.equal([]);
    const sent = aws.sent('dynamodb');
    expect(sent.map((command) => keysOf(table)(command).length)).to.deep.equal([100, 50]);
    const request = ((sent[0] as BatchGetItemCommand).input as BatchGetItemInput).RequestItems![table]!;
    expect(request.ConsistentRead).to.be.true;
    expect(sleep.called).to.be.false;
  });

  it('asks again for the keys DynamoDB left unprocessed, after a backoff', async () => {
    const some = ids(5);
    const fake = fakeAws({ table: new Map(some.map((id) => [id, id])), unprocessedOnce: 2 });
    const sleep = sinon.fake.resolves(undefined);
    const read = await readSeededItems(fake.clients.dynamodb, TABLE_NAME, ITEM, some, sleep);
    expect(read.unread).to.deep.equal([]);
    expect(fake.sent('dynamodb').map(keysOf(TABLE_NAME))).to.deep.equal([some, some.slice(0, 2)]);
    expect(sleep.callCount).to.equal(1);
  });

  it('reports the ids whose items are not in the table', async () => {
    const missing = ['5d41402abc4b-9998', '5d41402abc4b-9999'];
    await aws.own.dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { MessageId: { S: all[1]! } } }));
    const read = await readSeededItems(aws.clients.dynamodb, table, ITEM, [all[0]!, all[1]!, ...missing], sinon.fake.resolves(undefined));
    expect(read.unread).to.deep.equal([all[1], ...missing]);
    expect(read.items[0]).to.deep.equal({ messageId: all[0], body: `body of ${all[0]}` });
  });

  it('sends nothing when nothing was seeded', async () => {
    const read = await readSeededItems(aws.clients.dynamodb, table, ITEM, [], sinon.fake.resolves(undefined));
    expect(read).to.deep.equal({ items: [], unread: [] });
    expect(aws.sent('dynamodb')).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import type { BatchGetItemCommand, BatchGetItemInput } from '@aws-sdk/client-dynamodb';
import { LOOP } from '../../workflow/transfer-records.ts';
import { readSeededItems } from '../../aws/seeded.ts';
import { fakeAws } from './fake-aws.ts';
import { TABLE_NAME } from './fixtures.ts';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `5d41402abc4b-${String(index + 1).padStart(4, '0')}`);

const keysOf = (command: object) =>
  ((command as BatchGetItemCommand).input as BatchGetItemInput).RequestItems![TABLE_NAME]!.Keys!.map(
    (key) => key.MessageId!.S,
  );

describe('cli/seeded readSeededItems', () => {
  afterEach(() => sinon.restore());

  it('reads the bodies 100 keys at a time, consistently, in the order of the ids', async () => {
    const all = ids(150);
    const table = new Map(all.map((id) => [id, `body of ${id}`]));
    const aws = fakeAws({ table });
    const sleep = sinon.fake.resolves(undefined);
    const read = await readSeededItems(aws.clients.dynamodb, TABLE_NAME, LOOP, all, sleep);
    expect(read.items).to.deep.equal(all.map((messageId) => ({ messageId, body: `body of ${messageId}` })));
    expect(read.unread).to.deep.equal([]);
    const sent = aws.sent('dynamodb');
    expect(sent.map((command) => keysOf(command).length)).to.deep.equal([100, 50]);
    const request = ((sent[0] as BatchGetItemCommand).input as BatchGetItemInput).RequestItems![TABLE_NAME]!;
    expect(request.ConsistentRead).to.be.true;
    expect(sleep.called).to.be.false;
  });

  it('asks again for the keys DynamoDB left unprocessed, after a backoff', async () => {
    const all = ids(5);
    const aws = fakeAws({ table: new Map(all.map((id) => [id, id])), unprocessedOnce: 2 });
    const sleep = sinon.fake.resolves(undefined);
    const read = await readSeededItems(aws.clients.dynamodb, TABLE_NAME, LOOP, all, sleep);
    expect(read.unread).to.deep.equal([]);
    expect(aws.sent('dynamodb').map(keysOf)).to.deep.equal([all, all.slice(0, 2)]);
    expect(sleep.callCount).to.equal(1);
  });

  it('reports the ids whose items are not in the table', async () => {
    const all = ids(3);
    const aws = fakeAws({ table: new Map([[all[0]!, 'kept']]) });
    const read = await readSeededItems(aws.clients.dynamodb, TABLE_NAME, LOOP, all, sinon.fake.resolves(undefined));
    expect(read.unread).to.deep.equal(all.slice(1));
    expect(read.items[0]).to.deep.equal({ messageId: all[0], body: 'kept' });
  });

  it('sends nothing when nothing was seeded', async () => {
    const aws = fakeAws();
    const read = await readSeededItems(aws.clients.dynamodb, TABLE_NAME, LOOP, [], sinon.fake.resolves(undefined));
    expect(read).to.deep.equal({ items: [], unread: [] });
    expect(aws.sent('dynamodb')).to.deep.equal([]);
  });
});

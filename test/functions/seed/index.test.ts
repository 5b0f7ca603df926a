import { expect } from 'chai';
import sinon from 'sinon';
import { InvalidConfiguration } from '../../../workflow/settings.ts';
import { TABLE } from '../../../workflow/transfer-records.ts';
import { createHandler, type SeedHandler } from '../../../functions/seed/index.ts';
import { InvalidInput, SeedWriteIncomplete } from '../../../functions/seed/errors.ts';
import { SENTINEL, WRITE_CONCURRENCY } from '../../../functions/seed/limits.ts';
import { BAD_INPUTS } from './cases.ts';
import { rejection } from '../../helpers.ts';
import { answerLater, requestsIn, requestsOf, stubbedClient, TABLE_NAME, unprocessed, writtenItems } from './fakes.ts';

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:transfer-records-state-machine:run-1';
const CONTEXT = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' };

describe('seed handler', () => {
  let send: sinon.SinonStub;
  let sleep: sinon.SinonStub;
  let handler: SeedHandler;

  beforeEach(() => {
    const fake = stubbedClient();
    send = fake.send;
    sleep = sinon.stub().resolves();
    handler = createHandler({ dynamodb: fake.client, tableName: TABLE_NAME, sleep });
  });

  afterEach(() => sinon.restore());

  it('seeds 10 generated items for {} and returns their MessageIds followed by DONE', async () => {
    const result = await handler({ input: {}, executionId: EXECUTION_ID }, CONTEXT);
    expect(send.callCount).to.equal(1);
    const written = writtenItems(send);
    expect(written).to.have.length(10);
    expect(result).to.deep.equal([...written.map((item) => item.messageId), SENTINEL]);
    expect(new Set(written.map((item) => item.body)).size).to.equal(10);
  });

  it(`keeps ${WRITE_CONCURRENCY} BatchWriteItem calls in flight, no more, and returns the ids in their order`, async () => {
    const calls = answerLater(send);
    const count = 25 * WRITE_CONCURRENCY * 3;
    const result = await handler({ input: { count }, executionId: EXECUTION_ID }, CONTEXT);
    expect(calls.most()).to.equal(WRITE_CONCURRENCY);
    const written = writtenItems(send);
    expect(written).to.have.length(count);
    expect(result).to.deep.equal([...written.map((item) => item.messageId), SENTINEL]);
  });

  it('stamps the items with an expiry counted from the time of the invocation', async () => {
    const fake = stubbedClient();
    const now = Date.UTC(2026, 10, 29, 12);
    await createHandler({ dynamodb: fake.client, tableName: TABLE_NAME, sleep, now: () => now })({ input: { count: 2 } }, CONTEXT);
    const items = requestsOf(fake.send.getCall(0)).map((request) => request.PutRequest!.Item!);
    expect(items.map((item) => item[TABLE.ttlAttribute])).to.deep.equal([
      { N: String(now / 1000 + TABLE.itemTtlSeconds) },
      { N: String(now / 1000 + TABLE.itemTtlSeconds) },
    ]);
  });

  it('seeds count generated items in batches of 25', async () => {
    const result = await handler({ input: { count: 60 }, executionId: EXECUTION_ID }, CONTEXT);
    expect(send.getCalls().map((call) => requestsOf(call).length)).to.deep.equal([25, 25, 10]);
    expect(result).to.have.length(61);
    expect(result.at(-1)).to.equal(SENTINEL);
    expect(result.slice(0, -1)).to.deep.equal(writtenItems(send).map((item) => item.messageId));
    expect(new Set(result).size).to.equal(61);
  });

  it('seeds the given messages, in order, as the items\' Message attribute', async () => {
    const messages = ['first', '{"json": true}', 'third ✓'];
    const result = await handler({ input: { messages }, executionId: EXECUTION_ID }, CONTEXT);
    const written = writtenItems(send);
    expect(written.map((item) => item.body)).to.deep.equal(messages);
    expect(result).to.deep.equal([...written.map((item) => item.messageId), SENTINEL]);
  });

  it('retries UnprocessedItems until every item is written', async () => {
    send.onFirstCall().callsFake(async (command) => unprocessed(requestsIn(command).slice(0, 3)));
    const result = await handler({ input: {}, executionId: EXECUTION_ID }, CONTEXT);
    expect(send.callCount).to.equal(2);
    expect(requestsOf(send.getCall(1))).to.deep.equal(requestsOf(send.getCall(0)).slice(0, 3));
    expect(new Set(writtenItems(send).map((item) => item.messageId))).to.have.property('size', 10);
    expect(result).to.have.length(11);
    expect(sleep.callCount).to.equal(1);
  });

  it('gives up with SeedWriteIncomplete saying how many items were and were not written', async () => {
    send.onFirstCall().callsFake(async (command) => unprocessed(requestsIn(command).slice(0, 3)));
    send.callsFake(async (command) => unprocessed(requestsIn(command)));
    const error = await rejection(handler({ input: {}, executionId: EXECUTION_ID }, CONTEXT));
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    expect(error.name).to.equal('SeedWriteIncomplete');
    expect(error.message).to.contain('wrote 7 item(s) and could not write 3');
    expect(sleep.callCount).to.equal(send.callCount - 1);
  });

  for (const { title, event } of BAD_INPUTS) {
    it(`rejects ${title} with InvalidInput before writing anything`, async () => {
      const error = await rejection(handler(event, CONTEXT));
      expect(error).to.be.instanceOf(InvalidInput);
      expect(error.name).to.equal('InvalidInput');
      expect(send.callCount).to.equal(0);
    });
  }

  it('writes the same keys when an execution\'s invocation is retried, and other keys for another execution', async () => {
    const first = await handler({ input: { count: 3 }, executionId: EXECUTION_ID }, CONTEXT);
    const retried = await handler({ input: { count: 3 }, executionId: EXECUTION_ID }, { awsRequestId: 'another-request' });
    const other = await handler({ input: { count: 3 }, executionId: `${EXECUTION_ID}-2` }, CONTEXT);
    expect(retried).to.deep.equal(first);
    const keys = writtenItems(send).map((item) => item.messageId);
    expect(keys.slice(0, 3)).to.deep.equal(keys.slice(3, 6));
    expect(other.filter((id) => id !== SENTINEL && first.includes(id))).to.deep.equal([]);
  });

  it('derives the ids from the request id when invoked directly', async () => {
    const direct = await handler({ input: { count: 2 } }, CONTEXT);
    const asExecution = await handler({ input: { count: 2 }, executionId: CONTEXT.awsRequestId }, { awsRequestId: 'x' });
    expect(direct).to.deep.equal(asExecution);
  });

  describe('TABLE_NAME', () => {
    const saved = process.env.TABLE_NAME;
    afterEach(() => {
      if (saved === undefined) delete process.env.TABLE_NAME;
      else process.env.TABLE_NAME = saved;
    });

    it('names the table written when none is injected', async () => {
      process.env.TABLE_NAME = TABLE_NAME;
      const fake = stubbedClient();
      await createHandler({ dynamodb: fake.client, sleep })({ input: { count: 1 } }, CONTEXT);
      // requestsOf fails unless the command wrote to TABLE_NAME.
      expect(requestsOf(fake.send.getCall(0))).to.have.length(1);
    });

    it('is required: its absence is an InvalidConfiguration and nothing is written', async () => {
      delete process.env.TABLE_NAME;
      const fake = stubbedClient();
      const error = await rejection(createHandler({ dynamodb: fake.client, sleep })({ input: {} }, CONTEXT));
      expect(error).to.be.instanceOf(InvalidConfiguration);
      expect(error.message).to.contain('TABLE_NAME');
      expect(fake.send.callCount).to.equal(0);
    });
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import type { SeededItem } from '../../../workflow/description.ts';
import { SeedWriteIncomplete } from '../../../functions/seed/errors.ts';
import { backoffDelay, DEFAULT_RETRY, expiryOf, writeItems, type ItemsWriteOptions } from '../../../functions/seed/write.ts';
import { TABLE } from '../../../workflow/transfer-records.ts';
import { rejection } from '../../helpers.ts';
import { answerLater, itemsOf, requestsIn, requestsOf, stubbedClient, TABLE_NAME, unprocessed, writtenItems } from './fakes.ts';

function items(count: number): SeededItem[] {
  return Array.from({ length: count }, (_, index) => ({ messageId: `id-${index}`, body: `body ${index}` }));
}

const itemAt = (index: number): SeededItem => ({ messageId: `id-${index}`, body: `body ${index}` });

describe('seed writes', () => {
  let send: sinon.SinonStub;
  let options: ItemsWriteOptions;

  beforeEach(() => {
    const fake = stubbedClient();
    send = fake.send;
    options = {
      dynamodb: fake.client,
      tableName: TABLE_NAME,
      expiresAt: 1_800_000_000,
      retry: DEFAULT_RETRY,
      sleep: sinon.stub().resolves(),
      random: () => 0.5,
      // One batch at a time, unless a test says otherwise: the order of the calls is then the batches'.
      concurrency: 1,
    };
  });

  afterEach(() => sinon.restore());

  describe('backoffDelay', () => {
    it('doubles from the base delay up to the cap, scaled by the jitter', () => {
      const delays = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(retry, DEFAULT_RETRY, () => 0.5));
      expect(delays).to.deep.equal([25, 50, 100, 200, 400, 800, 1000]);
    });

    it('stays below the capped delay for any jitter', () => {
      expect(backoffDelay(1, DEFAULT_RETRY, () => 0)).to.equal(0);
      expect(backoffDelay(30, DEFAULT_RETRY, () => 0.999999)).to.equal(DEFAULT_RETRY.maxDelayMs - 1);
    });
  });

  it('writes every item with its MessageId and Message, 25 per BatchWriteItem', async () => {
    await writeItems(51, itemAt, options);
    expect(send.getCalls().map((call) => requestsOf(call).length)).to.deep.equal([25, 25, 1]);
    expect(writtenItems(send)).to.deep.equal(items(51));
  });

  it('gives every item the expiry time DynamoDB\'s TTL reads, as a number attribute', async () => {
    await writeItems(30, itemAt, options);
    const expiries = send.getCalls().flatMap((call) => requestsOf(call).map((request) => request.PutRequest!.Item![TABLE.ttlAttribute]));
    expect(expiries).to.have.length(30);
    for (const expiry of expiries) expect(expiry).to.deep.equal({ N: '1800000000' });
  });

  it('expires items a week after they are written, in epoch seconds', () => {
    expect(TABLE.itemTtlSeconds).to.equal(7 * 24 * 3600);
    expect(expiryOf(Date.UTC(2026, 0, 1) + 999)).to.equal(Date.UTC(2026, 0, 1) / 1000 + TABLE.itemTtlSeconds);
  });

  it('sends again exactly what DynamoDB left unprocessed, after a backoff', async () => {
    send.onFirstCall().callsFake(async (command) => unprocessed(requestsIn(command).slice(20)));
    await writeItems(30, itemAt, options);
    const sizes = send.getCalls().map((call) => requestsOf(call).length);
    expect(sizes).to.deep.equal([25, 5, 5]);
    expect(itemsOf(requestsOf(send.getCall(1)))).to.deep.equal(items(25).slice(20));
    expect(options.sleep).to.have.property('callCount', 1);
  });

  it('gives up after the last attempt with the counts of written and unwritten items', async () => {
    send.callsFake(async (command) => unprocessed(requestsIn(command)));
    const error = await rejection(writeItems(10, itemAt, options));
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    expect(error.name).to.equal('SeedWriteIncomplete');
    expect(error.message).to.contain('wrote 0 item(s) and could not write 10');
    expect(send.callCount).to.equal(DEFAULT_RETRY.maxAttempts);
    expect((options.sleep as sinon.SinonStub).args.flat()).to.deep.equal([25, 50, 100, 200, 400, 800, 1000]);
  });

  it('counts the batches written before the one it gave up on, and sends no later batch', async () => {
    send.callsFake(async (command) => {
      const requests = requestsIn(command);
      const stuck = requests.filter((request) => ['id-45', 'id-46', 'id-47'].includes(request.PutRequest?.Item?.MessageId?.S ?? ''));
      return unprocessed(stuck);
    });
    const error = await rejection(writeItems(60, itemAt, options));
    expect(error.message).to.contain('wrote 47 item(s) and could not write 13');
    expect(error).to.include({ written: 47, notWritten: 13 });
    expect(send.callCount).to.equal(1 + DEFAULT_RETRY.maxAttempts);
  });

  it('reports a failed request with the counts and keeps the SDK error as the cause', async () => {
    const denied = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    send.onSecondCall().rejects(denied);
    const error = await rejection(writeItems(60, itemAt, options));
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    expect(error.message).to.contain('wrote 25 item(s) and could not write 35').and.contain('ResourceNotFoundException');
    expect(error.cause).to.equal(denied);
    expect(send.callCount).to.equal(2);
  });

  it('stops retrying before the function would time out', async () => {
    send.callsFake(async (command) => unprocessed(requestsIn(command)));
    const error = await rejection(writeItems(10, itemAt, { ...options, timeLeftMs: () => 1010 }));
    expect(error.message).to.contain('wrote 0 item(s) and could not write 10').and.contain('1010 ms left');
    expect(send.callCount).to.equal(1);
    expect(options.sleep).to.have.property('callCount', 0);
  });

  it('keeps at most the given number of BatchWriteItem calls in flight, and writes every item once', async () => {
    const calls = answerLater(send);
    await writeItems(250, itemAt, { ...options, concurrency: 4 });
    expect(calls.most()).to.equal(4);
    expect(send.callCount).to.equal(10);
    expect(writtenItems(send)).to.deep.equal(items(250));
  });

  it('lets the batches in flight end when one fails, counts what they wrote, and starts no other', async () => {
    const denied = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    send.callsFake(async (command) => {
      const requests = requestsIn(command);
      if (requests.some((request) => request.PutRequest?.Item?.MessageId?.S === 'id-30')) throw denied;
      await new Promise((resolve) => setImmediate(resolve));
      return {};
    });
    const error = await rejection(writeItems(250, itemAt, { ...options, concurrency: 4 }));
    // Batch 2 fails while batches 1, 3 and 4 are in flight: they are written, and counted.
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    expect(error).to.include({ written: 75, notWritten: 175 });
    expect(error.cause).to.equal(denied);
    expect(send.callCount).to.equal(4);
  });
});

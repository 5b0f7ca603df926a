import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import sinon from 'sinon';
import { createAtScaleHandler, type AtScaleHandler } from '../../../functions/seed/at-scale-handler.ts';
import { AT_SCALE_MAX_ITEMS, KEY_LIST_PART_BYTES, UPLOAD_RESERVE_MS, AT_SCALE_WRITE_CONCURRENCY } from '../../../functions/seed/at-scale-limits.ts';
import { isAtScaleEvent } from '../../../functions/seed/at-scale-input.ts';
import { InvalidInput, SeedWriteIncomplete } from '../../../functions/seed/errors.ts';
import { MAX_ITEMS } from '../../../functions/seed/limits.ts';
import { JSONL_CONTENT_TYPE } from '../../../functions/seed/key-list.ts';
import { rejection } from '../../helpers.ts';
import { BAD_INPUTS } from './cases.ts';
import { answerLater, requestsOf, stubbedClient, TABLE_NAME, unprocessed, writtenItems } from './fakes.ts';

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:transfer-records-at-scale:run-1';
const CONTEXT = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' };
const KEY_LIST = { Bucket: 'transfer-records-bucket', Key: 'key-lists/run-1.jsonl' };

/** An S3 client whose send() is a stub that keeps every object and part it is given. */
function stubbedS3(): { client: S3Client; send: sinon.SinonStub; objects: Map<string, string>; parts: string[] } {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const objects = new Map<string, string>();
  const parts: string[] = [];
  const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');
  const send = sinon.stub(client, 'send') as unknown as sinon.SinonStub;
  send.callsFake(async (command: unknown) => {
    if (command instanceof PutObjectCommand) {
      objects.set(`${command.input.Bucket}/${command.input.Key}`, text(command.input.Body));
      return { ETag: '"put"' };
    }
    if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'upload-1' };
    if (command instanceof UploadPartCommand) {
      parts[command.input.PartNumber! - 1] = text(command.input.Body);
      return { ETag: `"part-${command.input.PartNumber}"` };
    }
    if (command instanceof CompleteMultipartUploadCommand) {
      objects.set(`${command.input.Bucket}/${command.input.Key}`, parts.join(''));
      return { Location: 'here' };
    }
    throw new Error(`unexpected S3 command ${(command as object).constructor.name}`);
  });
  return { client, send, objects, parts };
}

function isObjectEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && !Array.isArray(event);
}

function keysIn(jsonl: string): string[] {
  return jsonl
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { MessageId: { S: string } }).MessageId.S);
}

describe('seed handler, at-scale mode', () => {
  let dynamodb: ReturnType<typeof stubbedClient>;
  let s3: ReturnType<typeof stubbedS3>;
  let sleep: sinon.SinonStub;
  let handler: AtScaleHandler;

  beforeEach(() => {
    dynamodb = stubbedClient();
    s3 = stubbedS3();
    sleep = sinon.stub().resolves();
    handler = createAtScaleHandler({ dynamodb: dynamodb.client, s3: s3.client, tableName: TABLE_NAME, sleep });
  });

  afterEach(() => sinon.restore());

  it('writes the items, lists their keys as one JSONL object, and returns where it is and how many keys it holds', async () => {
    const result = await handler({ input: { count: 60 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    expect(result).to.deep.equal({ ...KEY_LIST, Count: 60 });
    const written = writtenItems(dynamodb.send);
    expect(written).to.have.length(60);
    expect(new Set(written.map((item) => item.messageId)).size).to.equal(60);
    const put = s3.send.getCalls().map((call) => call.args[0] as unknown).find((command) => command instanceof PutObjectCommand);
    expect(put?.input.ContentType).to.equal(JSONL_CONTENT_TYPE);
    expect(keysIn(s3.objects.get(`${KEY_LIST.Bucket}/${KEY_LIST.Key}`)!).sort()).to.deep.equal(written.map((item) => item.messageId).sort());
  });

  it('writes the given messages as the items\' bodies', async () => {
    const messages = ['first', '{"json": true}', 'third ✓'];
    await handler({ input: { messages }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    expect(writtenItems(dynamodb.send).map((item) => item.body)).to.deep.equal(messages);
  });

  it(`keeps ${AT_SCALE_WRITE_CONCURRENCY} BatchWriteItem calls in flight, no more`, async () => {
    const calls = answerLater(dynamodb.send);
    await handler({ input: { count: 25 * AT_SCALE_WRITE_CONCURRENCY * 3 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    expect(calls.most()).to.equal(AT_SCALE_WRITE_CONCURRENCY);
    expect(writtenItems(dynamodb.send)).to.have.length(25 * AT_SCALE_WRITE_CONCURRENCY * 3);
  });

  it('retries what DynamoDB leaves unprocessed until every item is written', async () => {
    dynamodb.send.onCall(0).callsFake(async (command: unknown) => unprocessed(requestsOf({ args: [command] } as sinon.SinonSpyCall).slice(20)));
    dynamodb.send.onCall(1).callsFake(async (command: unknown) => unprocessed(requestsOf({ args: [command] } as sinon.SinonSpyCall).slice(3)));
    const result = await handler({ input: { count: 50 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    const ids = new Set(writtenItems(dynamodb.send).map((item) => item.messageId));
    expect(ids.size).to.equal(50);
    expect(result.Count).to.equal(50);
    expect(sleep.called).to.equal(true);
  });

  it('stops in time to keep the key list\'s upload reserve and fails with SeedWriteIncomplete, counting what was written', async () => {
    let left = UPLOAD_RESERVE_MS + 2_000;
    dynamodb.send.callsFake(async (command: unknown) => {
      left -= 500;
      return unprocessed(requestsOf({ args: [command] } as sinon.SinonSpyCall).slice(10));
    });
    const error = await rejection(
      handler({ input: { count: 1000 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, { ...CONTEXT, getRemainingTimeInMillis: () => left }),
    );
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    const incomplete = error as SeedWriteIncomplete;
    expect(incomplete.written + incomplete.notWritten).to.equal(1000);
    expect(incomplete.notWritten).to.be.greaterThan(0);
    expect(incomplete.message).to.match(/left before the function's timeout/);
    expect(s3.send.called).to.equal(false);
  });

  it('fails with SeedWriteIncomplete, naming the error, when BatchWriteItem throws', async () => {
    dynamodb.send.onCall(2).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const error = await rejection(handler({ input: { count: 500 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT));
    expect(error).to.be.instanceOf(SeedWriteIncomplete);
    expect(error.message).to.include('ThrottlingException: Rate exceeded');
    expect(s3.send.called).to.equal(false);
  });

  it('streams a key list larger than one part as a multipart upload', async function () {
    this.timeout(20_000);
    // About 29 bytes a line: this many keys need two parts.
    const count = Math.ceil((KEY_LIST_PART_BYTES * 1.2) / 29);
    const result = await handler({ input: { count }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    expect(result.Count).to.equal(count);
    const commands = s3.send.getCalls().map((call) => (call.args[0] as object).constructor.name);
    expect(commands).to.include.members(['CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    expect(commands).not.to.include('PutObjectCommand');
    expect(s3.parts.length).to.be.at.least(2);
    const keys = keysIn(s3.objects.get(`${KEY_LIST.Bucket}/${KEY_LIST.Key}`)!);
    expect(keys).to.have.length(count);
    expect(new Set(keys).size).to.equal(count);
  });

  it('gives a retried invocation of the same execution the same keys', async () => {
    await handler({ input: { count: 30 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    const first = s3.objects.get(`${KEY_LIST.Bucket}/${KEY_LIST.Key}`);
    await handler({ input: { count: 30 }, executionId: EXECUTION_ID, keyList: KEY_LIST }, CONTEXT);
    expect(s3.objects.get(`${KEY_LIST.Bucket}/${KEY_LIST.Key}`)).to.equal(first);
  });

  it('tells an at-scale event by its keyList', () => {
    expect(isAtScaleEvent({ input: {}, keyList: KEY_LIST })).to.equal(true);
    expect(isAtScaleEvent({ input: {} })).to.equal(false);
  });

  it(`accepts a count above the loop's ${MAX_ITEMS}, up to ${AT_SCALE_MAX_ITEMS}`, async () => {
    const over = await rejection(handler({ input: { count: AT_SCALE_MAX_ITEMS + 1 }, keyList: KEY_LIST }, CONTEXT));
    expect(over).to.be.instanceOf(InvalidInput);
    expect(over.message).to.include(`between 1 and ${AT_SCALE_MAX_ITEMS}`);
    const result = await handler({ input: { count: MAX_ITEMS + 1 }, keyList: KEY_LIST }, CONTEXT);
    expect(result.Count).to.equal(MAX_ITEMS + 1);
  });

  const keyListCases: [string, unknown, string][] = [
    ['a keyList that is not an object', 'bucket/key', 'keyList must be an object'],
    ['a keyList with an unknown field', { ...KEY_LIST, Region: 'x' }, '"Region"'],
    ['a bucket name with capitals', { ...KEY_LIST, Bucket: 'My-Bucket' }, 'keyList.Bucket'],
    ['no key', { Bucket: KEY_LIST.Bucket }, 'keyList.Key'],
    ['an empty key', { ...KEY_LIST, Key: '' }, 'keyList.Key'],
  ];
  for (const [title, keyList, mentions] of keyListCases) {
    it(`rejects ${title} with InvalidInput before writing anything`, async () => {
      const error = await rejection(handler({ input: { count: 3 }, keyList }, CONTEXT));
      expect(error).to.be.instanceOf(InvalidInput);
      expect(error.message).to.include(mentions);
      expect(dynamodb.send.called || s3.send.called).to.equal(false);
    });
  }

  // The loop's rules, but for its maximum: a count or list above it is this mode's to accept.
  const objectEvents = BAD_INPUTS.filter(({ event, mentions }) => isObjectEvent(event) && !mentions.includes(String(MAX_ITEMS)));
  for (const { title, event, mentions } of objectEvents) {
    it(`rejects ${title} with InvalidInput before writing anything`, async () => {
      const error = await rejection(handler({ ...(event as object), keyList: KEY_LIST }, CONTEXT));
      expect(error).to.be.instanceOf(InvalidInput);
      expect(error.message).to.include(mentions);
      expect(dynamodb.send.called || s3.send.called).to.equal(false);
    });
  }
});

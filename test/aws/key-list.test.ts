import { expect } from 'chai';
import sinon from 'sinon';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { keyListLocation, KeyListUnreadable, linesOf, readKeyList } from '../../aws/key-list.ts';
import { keyListChunks } from '../../functions/seed/key-list.ts';
import { stubbedS3 } from './s3-stub.ts';
import { KEY_FIELD } from '../../workflow/transfer-records-at-scale.ts';

// The seed's key list: where the history says it is, and its keys read back as a stream. The
// lines are the seed's own (keyListChunks writes them), so the reader reads what the writer writes.
const BUCKET = 'transfer-records-runs';
const KEY = 'key-lists/run-20261129T120000Z-a1b2c3.jsonl';

let nextId = 1;
function seedSucceeded(payload: unknown): HistoryEvent {
  const output = JSON.stringify({ ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 });
  return { id: nextId++, previousEventId: 0, timestamp: new Date(), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output } };
}

const id = (index: number) => `5d41402abc4b-${String(index + 1).padStart(7, '0')}`;
const jsonl = (count: number) => [...keyListChunks(count, id)].join('');

describe('aws/key-list', () => {
  afterEach(() => sinon.restore());

  describe('keyListLocation', () => {
    it('is what the seed returned through lambda:invoke: {Bucket, Key, Count}', () => {
      expect(keyListLocation([seedSucceeded({ Bucket: BUCKET, Key: KEY, Count: 3 })])).to.deep.equal({ Bucket: BUCKET, Key: KEY, Count: 3 });
    });

    it("is the last one a retried seed returned, and none when the seed never succeeded or returned the classic workflow's list", () => {
      const events = [seedSucceeded({ Bucket: BUCKET, Key: 'first.jsonl', Count: 1 }), seedSucceeded({ Bucket: BUCKET, Key: KEY, Count: 2 })];
      expect(keyListLocation(events)?.Key).to.equal(KEY);
      expect(keyListLocation([])).to.equal(undefined);
      expect(keyListLocation([seedSucceeded(['5d41402abc4b-0001', 'DONE'])])).to.equal(undefined);
    });
  });

  describe('readKeyList', () => {
    it("reads every key of the seed's JSON Lines, in order", async () => {
      const { s3, requested } = stubbedS3({ [`${BUCKET}/${KEY}`]: jsonl(3) });
      expect(await readKeyList(s3, { Bucket: BUCKET, Key: KEY }, KEY_FIELD)).to.deep.equal([id(0), id(1), id(2)]);
      expect(requested()).to.deep.equal([`${BUCKET}/${KEY}`]);
    });

    it('reads a million keys from the stream', async function () {
      this.timeout(20_000);
      const { s3 } = stubbedS3({ [`${BUCKET}/${KEY}`]: jsonl(1_000_000) });
      const keys = await readKeyList(s3, { Bucket: BUCKET, Key: KEY }, KEY_FIELD);
      expect(keys).to.have.length(1_000_000);
      expect(keys[999_999]).to.equal(id(999_999));
    });

    it('splits lines where readline does, whatever the chunks: \\r\\n, \\n and a lone \\r, a break or a character cut in two', async () => {
      const pieces = ['{"MessageId":{"S":"a"}}', '', ' ', 'é€😀', '\r\n', '\n', '\r', '\r\r\n', '\n\r'];
      let seed = 7;
      const random = (below: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % below;
      for (let round = 0; round < 300; round += 1) {
        const text = Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)]).join('');
        const bytes = Buffer.from(text);
        // Cut anywhere, inside a \r\n or a multi-byte character too.
        const cuts = [...new Set(Array.from({ length: random(5) }, () => random(bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...cuts].map((start, index) => bytes.subarray(start, [...cuts, bytes.length][index])).filter((chunk) => chunk.length > 0);
        const expected: string[] = [];
        for await (const line of createInterface({ input: Readable.from([bytes]), crlfDelay: Infinity })) expected.push(line);
        const actual: string[] = [];
        for await (const lines of linesOf(Readable.from(chunks))) actual.push(...lines);
        expect(actual, JSON.stringify({ text, cuts })).to.deep.equal(expected);
      }
    });

    it('skips blank lines, and CRLF line ends do not get into the keys', async () => {
      const { s3 } = stubbedS3({ [`${BUCKET}/${KEY}`]: `{"MessageId":{"S":"a"}}\r\n\n{"MessageId":{"S":"b"}}` });
      expect(await readKeyList(s3, { Bucket: BUCKET, Key: KEY }, KEY_FIELD)).to.deep.equal(['a', 'b']);
    });

    it('names the line that is not JSON, or that holds no MessageId string key', async () => {
      for (const [body, message] of [
        ['{"MessageId":{"S":"a"}}\n{"MessageId":', `line 2 of s3://${BUCKET}/${KEY} is not JSON`],
        ['{"MessageId":{"S":"a"}}\n\n{"Id":{"S":"b"}}\n', `line 3 of s3://${BUCKET}/${KEY} has no MessageId string key ({"MessageId": {"S": ...}})`],
        ['{"MessageId":"a"}\n', `line 1 of s3://${BUCKET}/${KEY} has no MessageId string key ({"MessageId": {"S": ...}})`],
        ['{"MessageId":{"N":"1"}}\n', `line 1 of s3://${BUCKET}/${KEY} has no MessageId string key ({"MessageId": {"S": ...}})`],
        ['null\n', `line 1 of s3://${BUCKET}/${KEY} has no MessageId string key ({"MessageId": {"S": ...}})`],
      ] as const) {
        sinon.restore();
        const { s3 } = stubbedS3({ [`${BUCKET}/${KEY}`]: body });
        const error = await readKeyList(s3, { Bucket: BUCKET, Key: KEY }, KEY_FIELD).catch((raised: unknown) => raised);
        expect(error).to.be.instanceOf(KeyListUnreadable);
        expect((error as Error).message).to.equal(message);
      }
    });
  });
});

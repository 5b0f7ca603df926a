// The S3 emulator's keys, buckets and listings as S3 has them, whatever a request names: its store
// keeps keys out of file paths, its endpoint refuses what S3 refuses, and its listings page.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startS3Emulator, type S3Emulator } from '../../local/services/s3-emulator.ts';
import { keyedStoreClass, listPage } from '../../local/services/s3-store.ts';
import { compareUtf8 } from '../../local/services/utf8-order.ts';
import { keyAsOneSegment, s3RequestProblem } from '../../local/services/s3-request.ts';
import { rejection } from '../helpers.ts';

const BUCKET = 'store-test-bucket';

/** A request whose path is sent as written. */
function rawRequest(endpoint: string, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

describe('local/s3-store: keys, buckets and listings as S3 has them', function () {
  this.timeout(30_000);
  let parent: string;
  let savedTmp: string | undefined;
  let emulator: S3Emulator;
  let client: S3Client;

  before(async () => {
    // The emulator's folder in a folder of the test's own, to see that nothing lands beside it.
    parent = await mkdtemp(join(tmpdir(), 's3-store-test-'));
    await writeFile(join(parent, 'beside.txt'), 'kept');
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = parent;
    emulator = await startS3Emulator([BUCKET]);
    client = new S3Client({ region: 'us-east-1', endpoint: emulator.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  after(async () => {
    client.destroy();
    await emulator.stop();
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(parent, { recursive: true, force: true });
  });

  const put = (Key: string, Body = Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  const get = async (Key: string) => (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString('utf8');

  it('answers InvalidBucketName to a bucket such as "..", and neither lists nor deletes the folder above its own', async () => {
    await put('first');
    for (const method of ['GET', 'DELETE']) {
      // node:http sends the path as written; fetch would resolve it to "/".
      const answer = await rawRequest(emulator.endpoint, method, '/%2E%2E?list-type=2');
      expect(answer.status).to.equal(400);
      expect(answer.body).to.include('<Code>InvalidBucketName</Code><Message>The specified bucket is not valid.</Message><BucketName>..</BucketName>');
    }
    expect(await readdir(parent)).to.include('beside.txt');
    expect(await get('first')).to.equal('first');
  });

  it('keeps every key apart, "../x", "a//b" and a segment longer than a file name included, inside its bucket', async () => {
    const keys = ['../../escape', '..', 'a//b', 'a/b', '/leading', 'folder/', './dot', 'k'.repeat(300), `${'é'.repeat(500)}/x`];
    for (const key of keys) await put(key);
    for (const key of keys) {
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect([await object.Body!.transformToString('utf8'), object.ServerSideEncryption]).to.deep.equal([key, 'AES256']);
    }
    const outside = (await filesUnder(parent)).filter((file) => !file.startsWith(relative(parent, join(emulator.directory, BUCKET))));
    expect(outside).to.deep.equal(['beside.txt']);
  });

  it('answers KeyTooLongError for a key over 1,024 bytes, with its size', async () => {
    const error = await rejection(put('é'.repeat(513)));
    expect(error.name).to.equal('KeyTooLongError');
    expect(error.message).to.equal('Your key is too long.');
    expect((error as unknown as { Size: string; MaxSizeAllowed: string })).to.include({ Size: '1026', MaxSizeAllowed: '1024' });
  });

  it('refuses an upload ID it did not give (NoSuchUpload) and a part number outside 1-10,000 (InvalidArgument)', async () => {
    const part = (UploadId: string, PartNumber: number) => client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'parts', UploadId, PartNumber, Body: 'x' }));
    expect((await rejection(part('../../../escape', 1))).name).to.equal('NoSuchUpload');
    expect((await rejection(part('0123456789abcdef0123456789abcdef', 1))).name).to.equal('NoSuchUpload');
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parts' }));
    const error = await rejection(part(UploadId!, 10_001));
    expect([error.name, error.message]).to.deep.equal(['InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive']);
  });

  it('completes an upload only with parts it has, in ascending order, each but the last of 5 MiB (InvalidPart, InvalidPartOrder, EntityTooSmall)', async () => {
    const Key = 'completed';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    const bodies = ['a'.repeat(5 * 1024 * 1024), 'small;', 'last;'];
    const parts = [];
    for (const [index, Body] of bodies.entries()) {
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: index + 1, Body }));
      parts.push({ ETag, PartNumber: index + 1 });
    }
    const complete = (Parts: { ETag?: string; PartNumber: number }[]) =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts } }));
    expect((await rejection(complete([...parts, { ETag: parts[0]!.ETag, PartNumber: 4 }]))).name).to.equal('InvalidPart');
    expect((await rejection(complete([{ ETag: parts[1]!.ETag, PartNumber: 1 }]))).name).to.equal('InvalidPart');
    expect((await rejection(complete([...parts].reverse()))).name).to.equal('InvalidPartOrder');
    const small = await rejection(complete(parts));
    expect([small.name, small.message]).to.deep.equal(['EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.']);
    expect(small as unknown as Record<string, string>).to.include({ ProposedSize: '6', MinSizeAllowed: String(5 * 1024 * 1024), PartNumber: '2' });
    await complete([parts[0]!, parts[2]!]);
    expect(await get(Key)).to.equal(`${bodies[0]}last;`);
  });

  it('takes a browser-form upload (POST Object), and refuses by name one cut short, with a nameless part or an unknown storage class', async () => {
    const form = (key: string, file: string, end: string) =>
      `--X\r\nContent-Disposition: form-data; name="key"\r\n\r\n${key}\r\n--X\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n${file}${end}`;
    const headers = { 'content-type': 'multipart/form-data; boundary=X' };
    expect((await rawRequest(emulator.endpoint, 'POST', `/${BUCKET}`, form('posted', 'by form', '\r\n--X--\r\n'), headers)).status).to.equal(204);
    expect(await get('posted')).to.equal('by form');
    const code = async (body: string) => {
      const answer = await rawRequest(emulator.endpoint, 'POST', `/${BUCKET}`, body, headers);
      return [answer.status, /<Code>(\w+)<\/Code>/.exec(answer.body)?.[1]];
    };
    expect(await code(form('cut', 'half a fi', ''))).to.deep.equal([400, 'MalformedPOSTRequest']);
    const nameless = `--X\r\nContent-Disposition: form-data\r\n\r\nv\r\n${form('nameless', 'x', '\r\n--X--\r\n')}`;
    expect(await code(nameless)).to.deep.equal([400, 'MalformedPOSTRequest']);
    const storage = `--X\r\nContent-Disposition: form-data; name="x-amz-storage-class"\r\n\r\nBOGUS\r\n${form('stored', 'x', '\r\n--X--\r\n')}`;
    expect(await code(storage)).to.deep.equal([400, 'InvalidStorageClass']);
    for (const key of ['cut', 'nameless', 'stored']) expect((await rejection(get(key))).name).to.equal('NoSuchKey');
  });

  describe('listing', () => {
    const bucket = 'listing-test-bucket';
    const listed = ['a-b', 'a/b', 'a/c/d', 'p/q/r', 'z', '\u{1F600}', '\uFF5E'];

    before(async () => {
      await fetch(`${emulator.endpoint}/${bucket}`, { method: 'PUT' });
      for (const Key of [...listed].reverse()) await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
    });

    const pages = async (input: { Delimiter?: string; MaxKeys: number; Prefix?: string }) => {
      const all: ListObjectsV2CommandOutput[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...input, ContinuationToken }));
        all.push(page);
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken !== undefined);
      return all.map((page) => [...(page.Contents ?? []).map((object) => object.Key), ...(page.CommonPrefixes ?? []).map((prefix) => `${prefix.Prefix} (prefix)`)]);
    };

    it("lists in the order of the keys' UTF-8 bytes, page after page", async () => {
      expect(await pages({ MaxKeys: 3 })).to.deep.equal([['a-b', 'a/b', 'a/c/d'], ['p/q/r', 'z', '\uFF5E'], ['\u{1F600}']]);
    });

    it('rolls keys up into common prefixes, each counted toward MaxKeys and none repeated on the next page', async () => {
      expect(await pages({ Delimiter: '/', MaxKeys: 2 })).to.deep.equal([['a-b', 'a/ (prefix)'], ['z', 'p/ (prefix)'], ['\uFF5E', '\u{1F600}']]);
      expect(await pages({ Delimiter: '/', Prefix: 'a/', MaxKeys: 1000 })).to.deep.equal([['a/b', 'a/c/ (prefix)']]);
    });

    it('refuses a continuation token it did not give, and gives version 1 its NextMarker', async () => {
      const error = await rejection(client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'bm90IG91cnM=' })));
      expect([error.name, error.message]).to.deep.equal(['InvalidArgument', 'The continuation token provided is incorrect']);
      const v1 = await client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 2 }));
      expect([v1.IsTruncated, v1.NextMarker]).to.deep.equal([true, 'a/']);
    });
  });

  it('keeps an object as it was when a write of it fails midway, and a read gets the body it began with, whatever is written after', async () => {
    const [{ default: FilesystemStore }, { default: S3Object }, { default: S3Error }] = await Promise.all([
      import('s3rver/lib/stores/filesystem.js'),
      import('s3rver/lib/models/object.js'),
      import('s3rver/lib/models/error.js'),
    ]);
    const Store = keyedStoreClass({ FilesystemStore, S3Object, S3Error } as unknown as Parameters<typeof keyedStoreClass>[0]);
    const directory = await mkdtemp(join(parent, 'store-'));
    const store = new Store(directory) as unknown as {
      putBucket(bucket: string): Promise<unknown>;
      putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }): Promise<unknown>;
      getObject(bucket: string, key: string): Promise<{ content: Readable } | null>;
    };
    await store.putBucket(BUCKET);
    await store.putObject({ bucket: BUCKET, key: 'kept', content: Buffer.from('first'), metadata: {} });
    const failing = new Readable({
      read() {
        this.push('half');
        this.destroy(new Error('the upload broke'));
      },
    });
    const error = await rejection(store.putObject({ bucket: BUCKET, key: 'kept', content: failing, metadata: {} }));
    expect(error.message).to.equal('the upload broke');
    const object = await store.getObject(BUCKET, 'kept');
    expect(Buffer.concat(await object!.content.toArray()).toString('utf8')).to.equal('first');

    // A read begun before the key is written again, or deleted, reads the body its length tells of.
    const reading = store.getObject(BUCKET, 'kept');
    await store.putObject({ bucket: BUCKET, key: 'kept', content: Buffer.from('second, and longer'), metadata: {} });
    const deleting = store.getObject(BUCKET, 'kept');
    await (store as unknown as { deleteObject(bucket: string, key: string): Promise<void> }).deleteObject(BUCKET, 'kept');
    for (const [read, body] of [[reading, 'first'], [deleting, 'second, and longer']] as const) {
      const { content, metadata } = (await read) as unknown as { content: Readable; metadata: Record<string, string> };
      expect([Buffer.concat(await content.toArray()).toString('utf8'), metadata['content-length']]).to.deep.equal([body, String(body.length)]);
    }
    expect(await store.getObject(BUCKET, 'kept')).to.equal(null);
  });
});

describe('local/s3-store and s3-request, as plain functions', () => {
  it('orders keys by code point, as UTF-8 bytes are, not by UTF-16 code unit', () => {
    expect(['\u{1F600}', '\uFF5E', 'a/', 'a-'].sort(compareUtf8)).to.deep.equal(['a-', 'a/', '\uFF5E', '\u{1F600}']);
  });

  it('starts a page after StartAfter, and skips a common prefix at or before it', () => {
    const sorted = ['a', 'b/1', 'b/2', 'c'];
    expect(listPage(sorted, { startAfter: 'b/', delimiter: '/', maxKeys: 10 })).to.deep.equal({ keys: ['c'], commonPrefixes: [], isTruncated: false, last: 'c' });
    expect(listPage(sorted, { prefix: 'b/', maxKeys: 1 })).to.deep.equal({ keys: ['b/1'], commonPrefixes: [], isTruncated: true, last: 'b/1' });
  });

  it('reads the bucket as written, not as a URL parser resolves "%2E%2E"', () => {
    expect(s3RequestProblem('/%2E%2E/key')?.code).to.equal('InvalidBucketName');
    expect(s3RequestProblem('/Upper_Case')?.code).to.equal('InvalidBucketName');
    expect(s3RequestProblem('/good-bucket/a//b?partNumber=1&uploadId=0123456789abcdef0123456789abcdef')).to.equal(undefined);
  });

  it("gives s3rver's routes the key as one segment", () => {
    expect(keyAsOneSegment('/b/a//b?x-id=PutObject')).to.equal('/b/a%2F%2Fb?x-id=PutObject');
    expect(keyAsOneSegment('/b/folder/')).to.equal('/b/folder%2F');
    expect(keyAsOneSegment('/b/')).to.equal('/b/');
    expect(keyAsOneSegment('/b?list-type=2')).to.equal('/b?list-type=2');
  });
});

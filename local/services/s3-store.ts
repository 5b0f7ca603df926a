// The S3 emulator's store: s3rver's FilesystemStore, with no key in a file's path and each
// object held in an index. s3rver made each segment of a key a folder, so that a key "../x" was
// written outside its bucket, a segment longer than a file name may be ended the process (the
// write's error had no listener), "a//b" was "a/b", and a listing walked the folders in their
// order rather than S3's; its object's body, metadata and MD5 were three files, so a read beside
// a write of the same key could mix two versions. Here each write of a body is a file of its own
// (named by the SHA-256 of its key), made the object's only once whole; the index holds each
// object's file and what S3 tells of it, and lists the keys in S3's order (their UTF-8 bytes), a
// common prefix counting toward MaxKeys as a key does. A read opens the file its entry names in
// the same turn. A multipart upload is completed only from parts it has, in order, each but the
// last of at least 5 MiB, as S3 does. Every write that fails fails its request, not the process.
// s3rver's own code keeps its buckets, their settings, and a multipart upload's start.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, openSync } from 'node:fs';
import { mkdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { bucketNameProblem } from './s3-data.ts';
import { bound, compareUtf8 } from './utf8-order.ts';

/** S3's smallest part of a multipart upload, the last one excepted: 5 MiB. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** The object s3rver's controllers hand the store (models/object.js). */
export interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

/** A part CompleteMultipartUpload names (s3rver's controller: its ETag without quotes). */
export interface UploadedPart {
  number: number;
  etag: string;
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  maxKeys: number;
}

export interface Listing {
  objects: unknown[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix listed: where the next page starts after (s3-listing.ts). */
  last?: string;
}

/** The parts of s3rver's FilesystemStore this store builds on. */
export interface FilesystemStoreBase {
  rootDirectory: string;
  getBucketPath(bucket: string): string;
  getBucket(bucket: string): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, metadata?: Record<string, string>): Promise<unknown>;
  deleteBucket(bucket: string): Promise<void>;
  reset(): void;
}

/** What s3rver's modules give the store: its base class, and its object and error models. */
export interface S3rverModels {
  FilesystemStore: new (rootDirectory: string) => FilesystemStoreBase;
  S3Object: {
    new (bucket: string, key: string, content: Readable | null, metadata: Record<string, string>): StoredObject;
    STORAGE_CLASSES: readonly string[];
    ALLOWED_METADATA: readonly string[];
  };
  S3Error: new (code: string, message: string, detail?: Record<string, string>) => Error;
}

/** One page of `sorted` (S3's listing): the keys, and the common prefixes they roll up into. */
export function listPage(sorted: readonly string[], { prefix = '', delimiter = '', startAfter = '', maxKeys }: ListOptions): { keys: string[]; commonPrefixes: string[]; isTruncated: boolean; last?: string } {
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let index = Math.max(bound(sorted, prefix, false), bound(sorted, startAfter, true));
  for (; index < sorted.length; index += 1) {
    const key = sorted[index]!;
    // The keys under the prefix are one run of the sorted list.
    if (!key.startsWith(prefix)) break;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at === -1 ? key : key.slice(0, at + delimiter.length);
    if (at !== -1 && (entry === last || compareUtf8(entry, startAfter) <= 0)) continue;
    if (keys.length + commonPrefixes.length === maxKeys) return { keys, commonPrefixes, isTruncated: true, last };
    (at === -1 ? keys : commonPrefixes).push(entry);
    last = entry;
  }
  return { keys, commonPrefixes, isTruncated: false, last };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Writes `content` to `path`; resolves with its size and MD5 once written, rejects on any error of either stream. */
function writeContent(path: string, content: Buffer | Readable): Promise<{ size: number; md5: string }> {
  return new Promise((resolve, reject) => {
    const md5 = createHash('md5');
    let size = 0;
    const file = createWriteStream(path);
    file.once('error', reject);
    file.once('finish', () => resolve({ size, md5: md5.digest('hex') }));
    if (Buffer.isBuffer(content)) {
      md5.update(content);
      size = content.length;
      file.end(content);
      return;
    }
    content.once('error', (error) => {
      file.destroy();
      reject(error);
    });
    content.on('data', (chunk: Buffer) => {
      md5.update(chunk);
      size += chunk.length;
    });
    content.pipe(file);
  });
}

/** An object as the store holds it: the file of its current body, and what S3 tells of it. */
interface Entry {
  file: string;
  size: number;
  md5: string;
  /** What S3 keeps with an object: its content headers and x-amz-meta-* (s3rver's ALLOWED_METADATA). */
  metadata: Record<string, string>;
  lastModified: Date;
}

/** The store's class, built on s3rver's modules (loaded at the emulator's first request). */
export function keyedStoreClass({ FilesystemStore, S3Object, S3Error }: S3rverModels) {
  const invalidBucket = (bucket: string) => new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  const noSuchUpload = (uploadId: string) =>
    new S3Error('NoSuchUpload', 'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.', { UploadId: uploadId });
  const kept = (metadata: Record<string, string>) =>
    Object.fromEntries(Object.entries(metadata).filter(([name]) => S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')));
  // What s3rver's models read of a stored object (its FilesystemStore's getMetadata).
  const described = (entry: Entry) => ({
    ...entry.metadata,
    etag: JSON.stringify(entry.md5),
    'last-modified': entry.lastModified.toUTCString(),
    'content-length': String(entry.size),
  });
  const gone = () => undefined;

  return class KeyedStore extends FilesystemStore {
    /** Each bucket's objects by key, and their keys sorted while none is added or removed. */
    readonly #buckets = new Map<string, { entries: Map<string, Entry>; sorted?: string[] }>();

    #bucket(bucket: string) {
      let held = this.#buckets.get(bucket);
      if (held === undefined) {
        held = { entries: new Map() };
        this.#buckets.set(bucket, held);
      }
      return held;
    }

    #entry(bucket: string, key: string): Entry | undefined {
      return this.#buckets.get(bucket)?.entries.get(key);
    }

    /** Makes `entry` the key's object; the body it replaces is removed (a read that opened it keeps it). */
    #set(bucket: string, key: string, entry: Entry): void {
      const held = this.#bucket(bucket);
      const replaced = held.entries.get(key);
      if (replaced === undefined) held.sorted = undefined;
      held.entries.set(key, entry);
      if (replaced !== undefined) void unlink(replaced.file).catch(gone);
    }

    /**
     * Writes a new body of the key to a file of its own, and only then makes it the object: a
     * write that fails leaves the object as it was, and a read never sees a body half written.
     */
    async #write(bucket: string, key: string, content: Buffer | Readable, metadata: Record<string, string>): Promise<Entry> {
      const file = join(this.getBucketPath(bucket), 'objects', `${sha256(key)}.${randomUUID()}`);
      const { size, md5 } = await writeContent(file, content).catch(async (error: unknown) => {
        await unlink(file).catch(gone);
        throw error;
      });
      const entry = { file, size, md5, metadata: kept(metadata), lastModified: new Date() };
      this.#set(bucket, key, entry);
      return entry;
    }

    /** The key's current body, opened at once: what is read is the body its entry tells of, whatever is written after. */
    #open(entry: Entry, start = 0, end = Math.max(0, entry.size - 1)): Readable {
      return createReadStream(entry.file, { fd: openSync(entry.file, 'r'), start, end });
    }

    // A name that is not a bucket's would be a path (".." the folder above the store's).
    override getBucketPath(bucket: string): string {
      if (bucketNameProblem(bucket) !== undefined) throw invalidBucket(bucket);
      return join(this.rootDirectory, bucket);
    }

    override async getBucket(bucket: string): Promise<unknown> {
      return bucketNameProblem(bucket) === undefined ? super.getBucket(bucket) : null;
    }

    // Its objects' folder is made with it, so that a write starts in the tick it is asked, its
    // stream's errors listened to from then on.
    override async putBucket(bucket: string): Promise<unknown> {
      const made = await super.putBucket(bucket);
      await mkdir(join(this.getBucketPath(bucket), 'objects'), { recursive: true });
      return made;
    }

    // A bucket's own resources (its uploads, its CORS settings) keep s3rver's names; an object's
    // (its tags, its ACL) are named by its key's SHA-256.
    override getResourcePath(bucket: string, key: string | undefined, resource: string): string {
      if (key === undefined || key === '') return join(this.getBucketPath(bucket), `._S3rver_${resource}`);
      return join(this.getBucketPath(bucket), 'objects', `${sha256(key)}._S3rver_${resource}`);
    }

    override async getMetadata(bucket: string, key: string): Promise<Record<string, string>> {
      const entry = this.#entry(bucket, key);
      if (entry === undefined) throw Object.assign(new Error(`no object ${key} in ${bucket}`), { code: 'ENOENT' });
      return described(entry);
    }

    async existsObject(bucket: string, key: string): Promise<boolean> {
      return this.#entry(bucket, key) !== undefined;
    }

    async getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown> {
      const entry = this.#entry(bucket, key);
      if (entry === undefined) return null;
      const lastByte = Math.max(0, entry.size - 1);
      const range = { start: options?.start || 0, end: Math.min(options?.end || Infinity, lastByte) };
      const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
      // A range it cannot satisfy gets no body, as in s3rver's own store.
      const satisfiable = range.start >= 0 && range.end >= range.start;
      const object = new S3Object(bucket, key, satisfiable ? this.#open(entry, range.start, range.end) : null, described(entry)) as StoredObject & { range?: object };
      if (ranged) object.range = range;
      return object;
    }

    async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
      const { size, md5 } = await this.#write(object.bucket, object.key, object.content, object.metadata);
      return { size, md5 };
    }

    /** The folder of an upload this store started; NoSuchUpload for any other. */
    async #upload(bucket: string, uploadId: string): Promise<string> {
      const upload = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
      if (!(await stat(upload).then((found) => found.isDirectory(), () => false))) throw noSuchUpload(uploadId);
      return upload;
    }

    async putPart(bucket: string, uploadId: string, partNumber: string, content: Readable): Promise<{ size: number; md5: string }> {
      const upload = await this.#upload(bucket, uploadId);
      const written = await writeContent(join(upload, partNumber), content);
      await writeFile(join(upload, `${partNumber}.md5`), written.md5);
      return written;
    }

    async putObjectMultipart(bucket: string, uploadId: string, parts: UploadedPart[]): Promise<{ size: number; md5: string }> {
      const upload = await this.#upload(bucket, uploadId);
      for (let i = 1; i < parts.length; i += 1) {
        if (!(parts[i]!.number > parts[i - 1]!.number)) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      }
      const md5s = await Promise.all(parts.map((part) => readFile(join(upload, `${part.number}.md5`), 'utf8').catch(gone)));
      if (parts.some((part, i) => md5s[i] !== part.etag)) {
        throw new S3Error('InvalidPart', "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.");
      }
      // S3's smallest part, but for the last.
      const sizes = await Promise.all(parts.slice(0, -1).map((part) => stat(join(upload, String(part.number))).then(({ size }) => size)));
      const small = sizes.findIndex((size) => size < MIN_PART_BYTES);
      if (small !== -1) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
          ProposedSize: String(sizes[small]),
          MinSizeAllowed: String(MIN_PART_BYTES),
          PartNumber: String(parts[small]!.number),
          ETag: parts[small]!.etag,
        });
      }
      const [key, metadata] = await Promise.all([readFile(join(upload, 'key'), 'utf8'), readFile(join(upload, 'metadata'), 'utf8').then((text) => JSON.parse(text) as Record<string, string>)]);
      // One part after another; a part that cannot be read fails the upload, not the process.
      const content = Readable.from(
        (async function* () {
          for (const part of parts) yield* createReadStream(join(upload, String(part.number)));
        })(),
      );
      const written = await this.putObject(new S3Object(bucket, key, content, metadata));
      await rm(upload, { recursive: true, force: true });
      return written;
    }

    override async copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, metadata?: Record<string, string>): Promise<unknown> {
      const source = this.#entry(srcBucket, srcKey);
      if (source === undefined) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
      const copy = await this.#write(destBucket, destKey, this.#open(source), metadata ?? source.metadata);
      return described(copy);
    }

    async deleteObject(bucket: string, key: string): Promise<void> {
      const held = this.#buckets.get(bucket);
      const entry = held?.entries.get(key);
      if (held === undefined || entry === undefined) return;
      held.entries.delete(key);
      held.sorted = undefined;
      await unlink(entry.file).catch(gone);
    }

    override async deleteBucket(bucket: string): Promise<void> {
      await super.deleteBucket(bucket);
      this.#buckets.delete(bucket);
    }

    override reset(): void {
      super.reset();
      this.#buckets.clear();
    }

    async listObjects(bucket: string, options: ListOptions): Promise<Listing> {
      const held = this.#bucket(bucket);
      held.sorted ??= [...held.entries.keys()].sort(compareUtf8);
      const page = listPage(held.sorted, options);
      const objects = page.keys.map((key) => new S3Object(bucket, key, null, described(held.entries.get(key)!)));
      return { objects, commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, ...(page.last === undefined ? {} : { last: page.last }) };
    }
  };
}

// The S3 emulator's store: s3rver's FilesystemStore with no key in a file's path. s3rver made each
// segment of a key a folder, so that a key "../x" was written outside its bucket, a segment longer
// than a file name may be ended the process (the write's error had no listener), "a//b" was
// "a/b", and a listing walked the folders in their order rather than S3's. Here an object's
// files are named by the SHA-256 of its key, in one folder a bucket, and the keys are listed from
// an index in S3's order (their UTF-8 bytes), a common prefix counting toward MaxKeys as a key
// does. A multipart upload is completed only from parts it has, in order, each but the last of
// at least 5 MiB, as S3 does. Every write
// that fails fails its request (InternalError), not the process. s3rver's own code keeps the
// rest: metadata, ETags, ranges, copies, a multipart upload's start.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
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
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, metadata?: Record<string, string>): Promise<unknown>;
  deleteBucket(bucket: string): Promise<void>;
  reset(): void;
}

/** What s3rver's modules give the store: its base class, and its object and error models. */
export interface S3rverModels {
  FilesystemStore: new (rootDirectory: string) => FilesystemStoreBase;
  S3Object: { new (bucket: string, key: string, content: Readable | null, metadata: Record<string, string>): StoredObject; STORAGE_CLASSES: readonly string[] };
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

/** The store's class, built on s3rver's modules (loaded at the emulator's first request). */
export function keyedStoreClass({ FilesystemStore, S3Object, S3Error }: S3rverModels) {
  const invalidBucket = (bucket: string) => new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  const noSuchUpload = (uploadId: string) =>
    new S3Error('NoSuchUpload', 'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.', { UploadId: uploadId });

  return class KeyedStore extends FilesystemStore {
    /** Each bucket's keys, and their sorted list while no key is added or removed. */
    readonly #keys = new Map<string, { keys: Set<string>; sorted?: string[] }>();

    #index(bucket: string) {
      let index = this.#keys.get(bucket);
      if (index === undefined) {
        index = { keys: new Set() };
        this.#keys.set(bucket, index);
      }
      return index;
    }

    #added(bucket: string, key: string): void {
      const index = this.#index(bucket);
      if (!index.keys.has(key)) {
        index.keys.add(key);
        index.sorted = undefined;
      }
    }

    // A name that is not a bucket's would be a path (".." the folder above the store's).
    override getBucketPath(bucket: string): string {
      if (bucketNameProblem(bucket) !== undefined) throw invalidBucket(bucket);
      return join(this.rootDirectory, bucket);
    }

    override async getBucket(bucket: string): Promise<unknown> {
      return bucketNameProblem(bucket) === undefined ? super.getBucket(bucket) : null;
    }

    override getResourcePath(bucket: string, key: string | undefined, resource: string): string {
      // A bucket's own resources (its uploads, its CORS settings) keep s3rver's names.
      if (key === undefined || key === '') return join(this.getBucketPath(bucket), `._S3rver_${resource}`);
      return join(this.getBucketPath(bucket), 'objects', `${sha256(key)}._S3rver_${resource}`);
    }

    // Its objects' folder is made with it, so that a write starts in the tick it is asked, its
    // stream's errors listened to from then on.
    override async putBucket(bucket: string): Promise<unknown> {
      const made = await super.putBucket(bucket);
      await mkdir(join(this.getBucketPath(bucket), 'objects'), { recursive: true });
      return made;
    }

    async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
      const path = this.getResourcePath(object.bucket, object.key, 'object');
      // Written aside and renamed: a write that fails leaves the object as it was.
      const aside = `${path}.${randomUUID()}`;
      const { size, md5 } = await writeContent(aside, object.content).catch(async (error: unknown) => {
        await unlink(aside).catch(() => undefined);
        throw error;
      });
      await rename(aside, path);
      await this.putMetadata(object.bucket, object.key, object.metadata, md5);
      this.#added(object.bucket, object.key);
      return { size, md5 };
    }

    /** The folder of an upload this store started; NoSuchUpload for any other. */
    async #upload(bucket: string, uploadId: string): Promise<string> {
      const upload = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
      if (!(await readdir(upload).then(() => true, () => false))) throw noSuchUpload(uploadId);
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
      const md5s = await Promise.all(parts.map((part) => readFile(join(upload, `${part.number}.md5`), 'utf8').catch(() => undefined)));
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
      const copied = await super.copyObject(srcBucket, srcKey, destBucket, destKey, metadata);
      this.#added(destBucket, destKey);
      return copied;
    }

    async deleteObject(bucket: string, key: string): Promise<void> {
      const gone = (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      };
      await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) => unlink(this.getResourcePath(bucket, key, resource)).catch(gone)));
      const index = this.#keys.get(bucket);
      if (index?.keys.delete(key)) index.sorted = undefined;
    }

    override async deleteBucket(bucket: string): Promise<void> {
      await super.deleteBucket(bucket);
      this.#keys.delete(bucket);
    }

    override reset(): void {
      super.reset();
      this.#keys.clear();
    }

    async listObjects(bucket: string, options: ListOptions): Promise<Listing> {
      const index = this.#index(bucket);
      index.sorted ??= [...index.keys].sort(compareUtf8);
      const page = listPage(index.sorted, options);
      const metadata = await Promise.all(
        page.keys.map((key) =>
          this.getMetadata(bucket, key).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined;
            throw error;
          }),
        ),
      );
      const objects = page.keys.flatMap((key, i) => (metadata[i] === undefined ? [] : [new S3Object(bucket, key, null, metadata[i])]));
      return { objects, commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, ...(page.last === undefined ? {} : { last: page.last }) };
    }
  };
}

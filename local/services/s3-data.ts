// The user's own S3 data (`--s3-bucket NAME`, `--s3-object BUCKET/KEY=FILE`): buckets created and
// objects put on the S3 emulator before the execution starts, for a distributed Map's ItemReader
// to read and its ResultWriter to write. Bucket names follow S3's rules for general purpose buckets.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvalidArguments } from '../../execution/args.ts';

export interface S3ObjectSpec {
  bucket: string;
  key: string;
  /** Absolute path of the file whose bytes are the object's body. */
  file: string;
}

export interface UserS3Data {
  /** Buckets that start empty (an object's bucket is created too). */
  buckets: string[];
  objects: S3ObjectSpec[];
}

/** A bucket name S3 refuses; S3's own error code. */
export class InvalidBucketName extends Error {
  override name = 'InvalidBucketName';
}

// Prefixes and suffixes S3 reserves for its own names (access points, directory and table buckets...).
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** Why S3 would refuse the name for a general purpose bucket, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'it must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'it may hold only lowercase letters, numbers, periods and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'it must begin and end with a letter or a number';
  if (name.includes('..')) return 'it must not hold two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'it must not be formatted as an IP address';
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix !== undefined) return `the prefix ${prefix} is reserved`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix !== undefined) return `the suffix ${suffix} is reserved`;
  return undefined;
}

export function checkBucketName(name: string, option: string): string {
  const problem = bucketNameProblem(name);
  if (problem !== undefined) throw new InvalidBucketName(`${option} "${name}": S3 refuses this bucket name: ${problem}`);
  return name;
}

/**
 * `--s3-object BUCKET/KEY=FILE`: the bucket is the text before the first '/', the file the text
 * after the last '=', the key what lies between (it may hold '/'). The file must exist.
 */
export function parseS3Object(spec: string): S3ObjectSpec {
  const slash = spec.indexOf('/');
  const equals = spec.lastIndexOf('=');
  if (slash < 1 || equals < slash + 2 || equals === spec.length - 1) {
    throw new InvalidArguments(`--s3-object "${spec}" must be BUCKET/KEY=FILE, e.g. my-bucket/data/items.csv=./items.csv`);
  }
  const bucket = checkBucketName(spec.slice(0, slash), '--s3-object');
  const key = spec.slice(slash + 1, equals);
  const keyBytes = Buffer.byteLength(key, 'utf8');
  if (keyBytes > MAX_KEY_BYTES) {
    throw new InvalidArguments(`--s3-object ${bucket}/${key.slice(0, 40)}…: S3 refuses this key: it is ${keyBytes} bytes long, and S3 takes ${MAX_KEY_BYTES} at most`);
  }
  const file = resolve(spec.slice(equals + 1));
  if (!existsSync(file)) throw new InvalidArguments(`--s3-object ${spec.slice(0, equals)}: file ${file} does not exist`);
  return { bucket, key, file };
}

/** The options as given; undefined when neither is. */
export function parseS3Data(buckets: string[] = [], objects: string[] = []): UserS3Data | undefined {
  if (buckets.length === 0 && objects.length === 0) return undefined;
  return { buckets: buckets.map((name) => checkBucketName(name, '--s3-bucket')), objects: objects.map(parseS3Object) };
}

/** Every bucket the data names, once each, in the order given. */
export function userBuckets(data: UserS3Data | undefined): string[] {
  if (data === undefined) return [];
  return [...new Set([...data.objects.map((object) => object.bucket), ...data.buckets])];
}

// The type S3 gives an object uploaded without one (recorded in a GetObject's ContentType); the
// SDK would otherwise send application/octet-stream for it.
const S3_DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** Puts each object, in the order given (a later one with the same key replaces an earlier one, as in S3). */
export async function putUserObjects(client: S3Client, data: UserS3Data | undefined): Promise<void> {
  for (const object of data?.objects ?? []) {
    const Body = await readFile(object.file);
    await client.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body, ContentType: S3_DEFAULT_CONTENT_TYPE }));
  }
}

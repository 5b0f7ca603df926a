// What an S3 request names (path-style: /bucket/key), the requests S3 refuses before it looks at
// its data, and S3's XML error answer. The S3 emulator's endpoint checks every request here first:
// s3rver would otherwise take a bucket such as ".." as a folder (and delete the folder above its
// own on DeleteBucket), and a part number or upload ID as a path.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bucketNameProblem, MAX_KEY_BYTES } from './s3-data.ts';

/** The bucket and key a request names, decoded; '' where it names none. */
export interface S3Target {
  bucket: string;
  key: string;
  query: URLSearchParams;
}

/**
 * A request URL's path and query (with its '?', or ''), read as written: a URL parser would
 * resolve "/%2E%2E" to "/", where s3rver's routes decode "..".
 */
function pathAndQuery(url: string): { path: string; query: string } {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? { path: url, query: '' } : { path: url.slice(0, queryAt), query: url.slice(queryAt) };
}

export function s3Target(url: string): S3Target {
  const { path, query } = pathAndQuery(url);
  const [bucket = '', ...rest] = path.replace(/^\//, '').split('/');
  return { bucket: decodeOrRaw(bucket), key: decodeOrRaw(rest.join('/')), query: new URLSearchParams(query) };
}

// A malformed escape (%zz) is left as written; S3 then finds no such bucket or key.
function decodeOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface S3Refusal {
  code: string;
  message: string;
  /** 400 unless given (AccessDenied: 403). */
  status?: number;
  /** Further elements of the error document, as S3 adds them (BucketName, Size...). */
  detail?: Record<string, string>;
}

/** S3's part numbers: 1 to 10,000. */
const MAX_PART_NUMBER = 10_000;
// The upload IDs the emulator hands out (s3rver: 16 random bytes in hex).
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/**
 * Why S3 refuses the request before reading or writing anything (the error S3 answers), or
 * undefined. A bucket name S3 would refuse is InvalidBucketName whatever the operation.
 */
export function s3RequestProblem(url: string): S3Refusal | undefined {
  const { bucket, key, query } = s3Target(url);
  if (bucket !== '' && bucketNameProblem(bucket) !== undefined) {
    return { code: 'InvalidBucketName', message: 'The specified bucket is not valid.', detail: { BucketName: bucket } };
  }
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) {
    return { code: 'KeyTooLongError', message: 'Your key is too long.', detail: { Size: String(size), MaxSizeAllowed: String(MAX_KEY_BYTES) } };
  }
  const uploadId = query.get('uploadId');
  if (uploadId !== null && !UPLOAD_ID.test(uploadId)) {
    return {
      code: 'NoSuchUpload',
      status: 404,
      message: 'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.',
      detail: { UploadId: uploadId },
    };
  }
  const partNumber = query.get('partNumber');
  if (partNumber !== null && !(/^\d{1,5}$/.test(partNumber) && Number(partNumber) >= 1 && Number(partNumber) <= MAX_PART_NUMBER)) {
    return {
      code: 'InvalidArgument',
      message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      detail: { ArgumentName: 'partNumber', ArgumentValue: partNumber },
    };
  }
  return undefined;
}

/**
 * The request's URL with its key as one path segment (its slashes escaped): s3rver's routes take a
 * key of non-empty segments only, so that "a//b" or "/a" found no route. Its store never reads a
 * key's segments (s3-store.ts).
 */
export function keyAsOneSegment(url: string): string {
  const { path, query } = pathAndQuery(url);
  const slash = path.indexOf('/', 1);
  if (slash === -1 || slash === path.length - 1) return url;
  return `${path.slice(0, slash + 1)}${encodeURIComponent(decodeOrRaw(path.slice(slash + 1)))}${query}`;
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** S3's XML error answer; the SDK reads its Code and Message. */
export function refuseS3(res: ServerResponse, refusal: S3Refusal): void {
  const requestId = randomUUID();
  const status = refusal.status ?? (refusal.code === 'AccessDenied' ? 403 : 400);
  const detail = Object.entries(refusal.detail ?? {})
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>${xmlText(refusal.message)}</Message>${detail}<RequestId>${requestId}</RequestId></Error>`);
}

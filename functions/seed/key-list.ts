// Writes the seeded keys as one JSONL object, one key item per line ({"MessageId": {"S": ...}},
// workflow/key-items.ts), streamed: a single PutObject when it fits one part, a multipart upload
// when larger.
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { keyItem } from '../../workflow/key-items.ts';
import { KEY_FIELD } from '../../workflow/transfer-records-at-scale.ts';
import type { KeyListLocation } from './at-scale-input.ts';
import { KEY_LIST_PART_BYTES, KEY_LIST_PARTS_IN_FLIGHT } from './at-scale-limits.ts';


/** The content type of a JSON Lines object. */
export const JSONL_CONTENT_TYPE = 'application/jsonl';

// Lines per chunk the stream yields: few enough to stay small, many enough to keep calls few.
const LINES_PER_CHUNK = 10_000;

/** The JSONL text of the keys, produced chunk by chunk so a million keys never sit in one string. */
export function* keyListChunks(count: number, idAt: (index: number) => string): Generator<string> {
  for (let start = 0; start < count; start += LINES_PER_CHUNK) {
    const end = Math.min(count, start + LINES_PER_CHUNK);
    let chunk = '';
    for (let index = start; index < end; index += 1) chunk += `${JSON.stringify(keyItem(KEY_FIELD, idAt(index)))}\n`;
    yield chunk;
  }
}

export async function uploadKeyList(
  s3: S3Client,
  location: KeyListLocation,
  count: number,
  idAt: (index: number) => string,
): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: location.Bucket, Key: location.Key, Body: Readable.from(keyListChunks(count, idAt)), ContentType: JSONL_CONTENT_TYPE },
    partSize: KEY_LIST_PART_BYTES,
    queueSize: KEY_LIST_PARTS_IN_FLIGHT,
  });
  await upload.done();
}

// The keys an at-scale execution seeded: the seed function returns where it wrote their list
// ({Bucket, Key, Count}), and the list is one JSONL object in S3, one key item per line
// ({"MessageId": {"S": ...}}, workflow/key-items.ts). The object is read as a stream, line by
// line, so a million keys never sit in one string.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { keyOfItem } from '../workflow/key-items.ts';
import { lambdaResults } from './history.ts';

/** Where the seed wrote the key list, and how many keys it says the list holds. */
export interface KeyListLocation {
  Bucket: string;
  Key: string;
  Count: number;
}

/** A line of the key list is not a JSON object naming its key. */
export class KeyListUnreadable extends Error {
  override name = 'KeyListUnreadable';
}

function isLocation(value: unknown): value is KeyListLocation {
  const { Bucket, Key, Count } = (value ?? {}) as Partial<Record<keyof KeyListLocation, unknown>>;
  return typeof Bucket === 'string' && typeof Key === 'string' && typeof Count === 'number';
}

/** The key list the seed returned; the last one wins (a retried seed). Undefined when it never succeeded. */
export function keyListLocation(events: HistoryEvent[]): KeyListLocation | undefined {
  const location = lambdaResults(events).findLast(isLocation);
  return location === undefined ? undefined : { Bucket: location.Bucket, Key: location.Key, Count: location.Count };
}

/** Reads every key of the list, in its order: each line's key item in `keyField` (the workflow's Reconcile says which). */
export async function readKeyList(s3: S3Client, location: Pick<KeyListLocation, 'Bucket' | 'Key'>, keyField: string): Promise<string[]> {
  const where = `s3://${location.Bucket}/${location.Key}`;
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: location.Bucket, Key: location.Key }));
  if (!(Body instanceof Readable)) throw new KeyListUnreadable(`${where} came back without a readable body`);
  const keys: string[] = [];
  let number = 0;
  for await (const line of createInterface({ input: Body, crlfDelay: Infinity })) {
    number += 1;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new KeyListUnreadable(`line ${number} of ${where} is not JSON`);
    }
    const key = keyOfItem(parsed, keyField);
    if (key === undefined) throw new KeyListUnreadable(`line ${number} of ${where} has no ${keyField} string key ({"${keyField}": {"S": ...}})`);
    keys.push(key);
  }
  return keys;
}

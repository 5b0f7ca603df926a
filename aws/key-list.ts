// The keys an at-scale execution seeded: the seed function returns where it wrote their list
// ({Bucket, Key, Count}), and the list is one JSONL object in S3, one key item per line
// ({"MessageId": {"S": ...}}, workflow/key-items.ts). The object is read as a stream, line by
// line, so a million keys never sit in one string.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
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

// Line breaks as readline reads them: \r\n, \n or a lone \r.
const LINE_BREAK = /\r\n|\n|\r/g;

/**
 * The lines of a stream of UTF-8 text, split where readline splits them, chunk by chunk: readline's
 * async iterator waits on a promise for every line, which at a million lines took seconds.
 */
export async function* linesOf(body: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.write(chunk as Buffer);
    // A \r at the end may be the first half of a \r\n: that break waits for the next chunk.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const lines: string[] = [];
    let start = 0;
    LINE_BREAK.lastIndex = 0;
    for (let found = LINE_BREAK.exec(text); found !== null && found.index < end; found = LINE_BREAK.exec(text)) {
      lines.push(text.slice(start, found.index));
      start = found.index + found[0].length;
    }
    rest = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  rest += decoder.end();
  // What is left holds no break but a last \r; a text that ends with a break ends no line after it.
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** Reads every key of the list, in its order: each line's key item in `keyField` (the workflow's Reconcile says which). */
export async function readKeyList(s3: S3Client, location: Pick<KeyListLocation, 'Bucket' | 'Key'>, keyField: string): Promise<string[]> {
  const where = `s3://${location.Bucket}/${location.Key}`;
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: location.Bucket, Key: location.Key }));
  if (!(Body instanceof Readable)) throw new KeyListUnreadable(`${where} came back without a readable body`);
  const keys: string[] = [];
  let number = 0;
  for await (const lines of linesOf(Body)) {
    for (const line of lines) {
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
  }
  return keys;
}

// Validates the at-scale invocation: the same input rules as the loop's, this workflow's
// maximum, and the S3 location the key list goes to.
import { InvalidInput } from './errors.ts';
import { isObject } from '../../workflow/json.ts';
import { parseExecutionId, parseRequest, rejectUnknownFields, type SeedRequest } from './input.ts';
import { AT_SCALE_MAX_ITEMS } from './at-scale-limits.ts';

/** The fields the at-scale state machine's Payload sets. */
export const AT_SCALE_EVENT_FIELDS = ['input', 'executionId', 'keyList'] as const;
const KEY_LIST_FIELDS = ['Bucket', 'Key'];

/** Where the key list is written: an S3 bucket and object key. */
export interface KeyListLocation {
  Bucket: string;
  Key: string;
}

export interface AtScaleEvent {
  request: SeedRequest;
  executionId?: string;
  keyList: KeyListLocation;
}

// S3's rules: bucket names of 3-63 lowercase letters, digits, dots and hyphens; keys of 1-1024 bytes.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

function parseKeyList(keyList: unknown): KeyListLocation {
  if (!isObject(keyList)) throw new InvalidInput('keyList must be an object {"Bucket": ..., "Key": ...}');
  rejectUnknownFields(keyList, KEY_LIST_FIELDS, 'keyList');
  const { Bucket: bucket, Key: key } = keyList;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw new InvalidInput(`keyList.Bucket must be an S3 bucket name, got ${JSON.stringify(bucket)}`);
  }
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidInput(`keyList.Key must be an S3 object key of 1 to ${MAX_KEY_BYTES} bytes, got ${JSON.stringify(key)}`);
  }
  return { Bucket: bucket, Key: key };
}

/** Whether an event asks for the at-scale mode: it names where the key list goes. */
export function isAtScaleEvent(event: unknown): boolean {
  return isObject(event) && 'keyList' in event;
}

/** Checks the whole event; throws InvalidInput naming the first broken rule. */
export function parseAtScaleEvent(event: unknown): AtScaleEvent {
  if (!isObject(event)) throw new InvalidInput('the event must be a JSON object {"input": ..., "executionId": ..., "keyList": ...}');
  rejectUnknownFields(event, AT_SCALE_EVENT_FIELDS, 'the event');
  if (!('input' in event)) throw new InvalidInput('the event must carry the seed input in its "input" field');
  const executionId = parseExecutionId(event.executionId);
  const keyList = parseKeyList(event.keyList);
  const request = parseRequest(event.input, AT_SCALE_MAX_ITEMS);
  return executionId === undefined ? { request, keyList } : { request, executionId, keyList };
}

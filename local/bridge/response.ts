// Task results shaped as Step Functions returns them. Optimized integrations return the
// service's response plus the HTTP metadata of the call (SdkHttpMetadata, SdkResponseMetadata);
// AWS SDK integrations return the response alone, with member names in the SDK v2 casing
// (MD5OfMessageBody becomes Md5OfMessageBody) and map keys (item attributes, queue attributes)
// left as they are. Binary values are base64 text, as in any JSON state payload.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
}

const httpResponses = new WeakMap<object, HttpResponse>();

/** Keeps each call's HTTP status and headers beside its output, for SdkHttpMetadata. */
export function recordHttpResponses(client: DynamoDBClient | SQSClient): void {
  (client as DynamoDBClient).middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as Partial<HttpResponse>;
      if (typeof result.output === 'object' && result.output !== null && response.statusCode !== undefined) {
        httpResponses.set(result.output, { statusCode: response.statusCode, headers: response.headers ?? {} });
      }
      return result;
    },
    { step: 'deserialize', name: 'recordHttpResponses', priority: 'high' },
  );
}

// The headers AWS's responses carry, with the casing the SDK reports them in; others are dropped.
const HEADER_NAMES: Record<string, string> = {
  connection: 'Connection',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  date: 'Date',
  server: 'Server',
  'x-amz-crc32': 'x-amz-crc32',
  'x-amz-executed-version': 'X-Amz-Executed-Version',
  'x-amz-log-result': 'X-Amz-Log-Result',
  'x-amzn-remapped-content-length': 'x-amzn-Remapped-Content-Length',
  'x-amzn-requestid': 'x-amzn-RequestId',
  'x-amzn-trace-id': 'X-Amzn-Trace-Id',
};

// The order the metadata lists them in, by name without case (Java's case-insensitive order: the
// lower-case names' code units), sorted once. localeCompare gives the same order here, but loads
// ICU's collation at start-up.
const HEADER_ORDER = Object.keys(HEADER_NAMES).sort();

/** Headers a service spells otherwise than HEADER_NAMES does, by lower-case name. */
export type HeaderCasing = Readonly<Record<string, string>>;

// Indexed loops here and in toJson: every task result passes through them, mostly in code V8 has
// not optimized yet, where a for...of allocates an iterator and a result object per element.

export function httpMetadata(statusCode: number, headers: Record<string, string>, requestId: string, casing: HeaderCasing = {}) {
  const kept: Record<string, string> = {};
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const lower = name.toLowerCase();
    if (Object.hasOwn(HEADER_NAMES, lower)) kept[lower] = headers[name]!;
  }
  const httpHeaders: Record<string, string> = {};
  const allHttpHeaders: Record<string, string[]> = {};
  for (let i = 0; i < HEADER_ORDER.length; i += 1) {
    const lower = HEADER_ORDER[i]!;
    const value = kept[lower];
    if (value === undefined) continue;
    const spelled = casing[lower] ?? HEADER_NAMES[lower]!;
    httpHeaders[spelled] = value;
    allHttpHeaders[spelled] = [value];
  }
  return {
    SdkHttpMetadata: { AllHttpHeaders: allHttpHeaders, HttpHeaders: httpHeaders, HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

// The API's member names are few and every response repeats them: each is spelled once.
const memberNames = new Map<string, string>();

/**
 * Member names as the Java SDK v2 spells them: its bean name (the leading run of capitals in lower
 * case, bar the one that starts the next word), capitalized. Recorded: MD5OfMessageBody is
 * Md5OfMessageBody, SSEDescription SseDescription, ETag ETag; ChecksumCRC32 keeps its inner capitals.
 */
export function sdkMemberName(name: string): string {
  let spelled = memberNames.get(name);
  if (spelled === undefined) {
    const upper = (index: number) => index < name.length && name[index]! >= 'A' && name[index]! <= 'Z';
    const lower = (index: number) => index < name.length && name[index]! >= 'a' && name[index]! <= 'z';
    let end = 1;
    while (upper(end) && !lower(end + 1)) end += 1;
    spelled = name.charAt(0).toUpperCase() + name.slice(1, end).toLowerCase() + name.slice(end);
    memberNames.set(name, spelled);
  }
  return spelled;
}

// Plain loops rather than entries/filter/map/fromEntries: every task result passes here, and the
// arrays those allocate were a share of the loop's garbage.
function toJson(value: unknown, rename: boolean, mapFields: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((element) => toJson(element, rename, mapFields));
  const json: Record<string, unknown> = {};
  const members = value as Record<string, unknown>;
  const keys = Object.keys(members);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const member = members[key];
    if (key === '$metadata' || member === undefined) continue;
    const name = rename ? sdkMemberName(key) : key;
    const converted = toJson(member, rename && !mapFields.has(key), mapFields);
    // A data key such as an item attribute may be named __proto__: defined, as fromEntries would, not set.
    if (name === '__proto__') Object.defineProperty(json, name, { value: converted, enumerable: true, writable: true, configurable: true });
    else json[name] = converted;
  }
  return json;
}

// Optimized results keep the SDK's member names, so no member is a map to leave alone; nor has
// any member of an answer that names none (aws-sdk:sfn's).
export const NO_MAP_FIELDS: ReadonlySet<string> = new Set();

/** An optimized integration's result: the response and the call's HTTP metadata, its headers spelled as the service does. */
export function optimizedResponse(output: object, casing?: HeaderCasing): Record<string, unknown> {
  const http = httpResponses.get(output) ?? { statusCode: 200, headers: {} };
  const requestId = (output as { $metadata?: { requestId?: string } }).$metadata?.requestId ?? '';
  // toJson's object is new: the metadata is added to it rather than both spread into a third.
  return Object.assign(toJson(output, false, NO_MAP_FIELDS) as Record<string, unknown>, httpMetadata(http.statusCode, http.headers, requestId, casing));
}

/** An AWS SDK integration's result; mapFields name the members whose keys are data, not names. */
export function sdkResponse(output: object, mapFields: ReadonlySet<string>): Record<string, unknown> {
  return toJson(output, true, mapFields) as Record<string, unknown>;
}

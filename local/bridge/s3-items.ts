// The items a distributed Map's ItemReader makes of what it reads from S3, as AWS's "ItemReader
// (Map)" and "How Step Functions parses input CSV files" describe them: a JSON array, JSON Lines,
// a text delimited file (CSV) with its header in the first row or given in the definition, an S3
// inventory (its manifest.json and CSV files), and a bucket's object list (listObjectsV2). Plain
// data: the S3 calls are in s3.ts. A file that cannot be read so fails with States.ItemReaderFailed.
import { gunzipSync } from 'node:zlib';
import { TaskFailure } from './errors.ts';
import { parseJsonLines } from './s3-objects.ts';

export const ITEM_READER_FAILED = 'States.ItemReaderFailed';

/** ReaderConfig.InputType values AWS accepts; PARQUET is not read offline. */
export const INPUT_TYPES = ['CSV', 'JSON', 'JSONL', 'PARQUET', 'MANIFEST'] as const;
export const CSV_HEADER_LOCATIONS = ['FIRST_ROW', 'GIVEN'] as const;
/** ReaderConfig.CSVDelimiter: the character each name stands for (COMMA by default). */
export const CSV_DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

export interface ReaderConfig {
  InputType?: unknown;
  CSVHeaderLocation?: unknown;
  CSVHeaders?: unknown;
  CSVDelimiter?: unknown;
  ManifestType?: unknown;
}

const failed = (cause: string) => new TaskFailure(ITEM_READER_FAILED, cause);

/**
 * Why a ReaderConfig cannot be read offline, or undefined. AWS refuses values outside its
 * enumerations when the state machine is created; PARQUET and Athena manifests are not read here.
 */
export function readerConfigProblem(config: ReaderConfig, resource: 'getObject' | 'listObjectsV2'): string | undefined {
  const { InputType: inputType, CSVHeaderLocation: location, CSVHeaders: headers, CSVDelimiter: delimiter, ManifestType: manifestType } = config;
  if (resource === 'listObjectsV2') return inputType === undefined ? undefined : 'ReaderConfig.InputType is not used with s3:listObjectsV2';
  // Without an InputType the object is read as a JSON array.
  if (inputType !== undefined && !(INPUT_TYPES as readonly unknown[]).includes(inputType)) return `ReaderConfig.InputType must be one of ${INPUT_TYPES.join(', ')}, got ${JSON.stringify(inputType)}`;
  if (inputType === 'PARQUET') return 'ReaderConfig.InputType PARQUET is not read offline; CSV, JSON, JSONL and MANIFEST are';
  if (inputType === 'MANIFEST' && manifestType !== undefined && manifestType !== 'S3_INVENTORY') {
    return `ReaderConfig.ManifestType ${JSON.stringify(manifestType)} is not read offline; S3_INVENTORY (an S3 inventory's manifest.json) is`;
  }
  if (inputType !== 'CSV') return undefined;
  if (location !== undefined && !(CSV_HEADER_LOCATIONS as readonly unknown[]).includes(location)) {
    return `ReaderConfig.CSVHeaderLocation must be FIRST_ROW or GIVEN, got ${JSON.stringify(location)}`;
  }
  if (location === 'GIVEN' && !(Array.isArray(headers) && headers.length > 0 && headers.every((header) => typeof header === 'string'))) {
    return 'ReaderConfig.CSVHeaders must be a non-empty array of strings when CSVHeaderLocation is GIVEN';
  }
  if (delimiter !== undefined && (typeof delimiter !== 'string' || !Object.hasOwn(CSV_DELIMITERS, delimiter))) {
    return `ReaderConfig.CSVDelimiter must be one of ${Object.keys(CSV_DELIMITERS).join(', ')}, got ${JSON.stringify(delimiter)}`;
  }
  return undefined;
}

/**
 * Splits delimited text into records. Newlines end records; a field that opens with a double quote
 * may hold the delimiter and newlines up to its closing quote; "" is one quote, in a field quoted or
 * not; a backslash makes the next backslash, quote or delimiter literal and is dropped before any
 * other character. An empty line is no record.
 */
export function delimitedRecords(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let fieldStarted = false;
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (record.length > 1 || record[0] !== '' || lineHasText) records.push(record);
    record = [];
    lineHasText = false;
  };
  // A line of only a quoted empty field ("") is a record; a line with nothing is not.
  let lineHasText = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === '\\' && next !== undefined) {
      if (next === '\\' || next === '"' || next === delimiter) {
        field += next;
        index += 1;
      }
      fieldStarted = true;
      continue;
    }
    if (char === '"') {
      lineHasText = true;
      if (next === '"' && (quoted || fieldStarted)) {
        field += '"';
        index += 1;
      } else if (quoted) quoted = false;
      else if (!fieldStarted) quoted = true;
      else field += '"';
      fieldStarted = true;
      continue;
    }
    if (quoted) {
      field += char;
    } else if (char === delimiter) {
      endField();
      lineHasText = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && next === '\n') index += 1;
      endRecord();
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (fieldStarted || lineHasText || record.length > 0) endRecord();
  return records;
}

/** One item per record, keyed by the headers: a missing field is "", a field past the headers is dropped. */
function recordItems(records: string[][], headers: string[]): Record<string, string>[] {
  return records.map((record) => Object.fromEntries(headers.map((header, index) => [header, record[index] ?? ''])));
}

function checkHeaders(headers: string[]): string[] {
  if (new Set(headers).size < headers.length) throw failed('CSV headers cannot contain duplicates.');
  return headers;
}

/** A CSV object's items: its header from the first row (FIRST_ROW, the default) or the definition (GIVEN). */
export function csvItems(text: string, config: ReaderConfig): Record<string, string>[] {
  const delimiter = CSV_DELIMITERS[typeof config.CSVDelimiter === 'string' ? config.CSVDelimiter : 'COMMA'] ?? ',';
  const records = delimitedRecords(text, delimiter);
  if (config.CSVHeaderLocation === 'GIVEN') return recordItems(records, checkHeaders(config.CSVHeaders as string[]));
  const [header, ...rows] = records;
  return header === undefined ? [] : recordItems(rows, checkHeaders(header));
}

/** A JSON object's items: it must hold an array (AWS's cause otherwise). */
export function jsonItems(text: string, where: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw failed(`${where} is not valid JSON.`);
  }
  if (!Array.isArray(parsed)) throw failed('Attempting to map over non-iterable node.');
  return parsed;
}

/** The items of an object read with s3:getObject, by ReaderConfig.InputType (MANIFEST aside: see inventoryManifest). */
export async function objectItems(text: string, config: ReaderConfig, where: string): Promise<unknown[]> {
  if (config.InputType === 'JSONL') return parseJsonLines(text, where);
  if (config.InputType === 'CSV') return csvItems(text, config);
  return jsonItems(text, where);
}

/** An S3 inventory's manifest.json: where its CSV files are, and the columns they hold. */
export interface InventoryManifest {
  bucket: string;
  keys: string[];
  headers: string[];
}

export function inventoryManifest(text: string, where: string): InventoryManifest {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw failed(`${where} is not valid JSON.`);
  }
  const { destinationBucket, fileFormat, fileSchema, files } = manifest ?? {};
  if (fileFormat !== 'CSV') throw failed(`${where}: only CSV inventories are read, its fileFormat is ${JSON.stringify(fileFormat)}.`);
  if (typeof destinationBucket !== 'string' || typeof fileSchema !== 'string' || !Array.isArray(files)) {
    throw failed(`${where} is not an S3 inventory manifest: it needs destinationBucket, fileSchema and files.`);
  }
  const keys = files.map((file) => (file as { key?: unknown } | null)?.key);
  if (!keys.every((key): key is string => typeof key === 'string')) throw failed(`${where}: every entry of files needs a key.`);
  // destinationBucket is the bucket's ARN (arn:aws:s3:::name).
  return { bucket: destinationBucket.replace(/^arn:[^:]*:s3:::/, ''), keys, headers: fileSchema.split(',').map((name) => name.trim()) };
}

/** One inventory file's items: its rows (no header row) keyed by the manifest's fileSchema; gzip is undone. */
export function inventoryFileItems(body: Uint8Array, headers: string[]): Record<string, string>[] {
  const gzipped = body[0] === 0x1f && body[1] === 0x8b;
  const text = Buffer.from(gzipped ? gunzipSync(body) : body).toString('utf8');
  return recordItems(delimitedRecords(text, ','), headers);
}

/** An object of a listing as S3 gives it to the SDK. */
export interface ListedObject {
  Key?: string;
  ETag?: string;
  LastModified?: Date;
  Size?: number;
  StorageClass?: string;
}

/** An object of a bucket's listing as the ItemReader hands it to a child: LastModified in epoch seconds, the ETag with its quotes. */
export function listedItem(object: ListedObject): { Etag: string; Key: string; LastModified: number; Size: number; StorageClass: string } {
  return {
    Etag: object.ETag ?? '',
    Key: object.Key ?? '',
    LastModified: Math.floor((object.LastModified?.getTime() ?? 0) / 1000),
    Size: object.Size ?? 0,
    StorageClass: object.StorageClass ?? 'STANDARD',
  };
}

// What a distributed Map's ResultWriter left in S3: under <Prefix>/<Map Run id>/, a manifest.json
// listing result files by how their children ended (ResultFiles.SUCCEEDED, FAILED, PENDING), each
// file a JSON array (or JSON Lines) with one entry per child execution. AWS writes each entry as
// the child's metadata with its Input and Output as JSON strings (ExecutionArn, Name, Status,
// Input, Output, Error, Cause, StartDate, StopDate ...), as the offline writer does too; a file
// of the children's outputs alone (WriterConfig.Transformation COMPACT) is read, without the inputs.
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { parsePayload } from '../execution/history.ts';
import { isObject } from '../workflow/json.ts';

export interface S3Location {
  Bucket: string;
  Key: string;
}

/** The result file groups of a manifest, in the order they are read. */
export const RESULT_GROUPS = ['SUCCEEDED', 'FAILED', 'PENDING'] as const;
export type ResultGroup = (typeof RESULT_GROUPS)[number];

/** One child execution as a result file gives it. */
export interface ChildResult {
  /** The manifest's group of the file that listed it. */
  group: ResultGroup;
  /** The child's own status, where the entry carries it (a FAILED file also holds TIMED_OUT and ABORTED children). */
  status?: string;
  name?: string;
  executionArn?: string;
  /** The child's input (its batch), where the entry carries it. */
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** A manifest or result file is not what a ResultWriter writes. */
export class MapRunResultsUnreadable extends Error {
  override name = 'MapRunResultsUnreadable';
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Where the Map state's result says its ResultWriter put the manifest (`{MapRunArn, ResultWriterDetails: {Bucket, Key}}`). */
export function manifestFromOutput(output: unknown): S3Location | undefined {
  const details = isObject(output) ? output.ResultWriterDetails : undefined;
  if (!isObject(details) || typeof details.Bucket !== 'string' || typeof details.Key !== 'string') return undefined;
  return { Bucket: details.Bucket, Key: details.Key };
}

/**
 * Where the manifest of a Map Run goes when the state's result does not say (the run failed):
 * <Prefix>/<Map Run id>/manifest.json, from a ResultWriter whose Bucket and Prefix are literal.
 */
export function manifestFromDefinition(resultWriter: unknown, mapRunArn: string): S3Location | undefined {
  if (!isObject(resultWriter)) return undefined;
  const args = isObject(resultWriter.Arguments) ? resultWriter.Arguments : isObject(resultWriter.Parameters) ? resultWriter.Parameters : {};
  const bucket = text(args.Bucket);
  const prefix = text(args.Prefix) ?? '';
  if (bucket === undefined || bucket.includes('{%') || prefix.includes('{%')) return undefined;
  const runId = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
  return { Bucket: bucket, Key: `${prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`}${runId}/manifest.json` };
}

async function readObject(s3: S3Client, location: S3Location): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: location.Bucket, Key: location.Key }));
  return (await Body?.transformToString('utf8')) ?? '';
}

/** A result file's entries: a JSON array, or JSON Lines (WriterConfig.OutputType JSONL). */
function entriesOf(body: string, where: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(body);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // Not one JSON document: JSON Lines.
  }
  return body.split('\n').filter((line) => line.trim() !== '').map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new MapRunResultsUnreadable(`${where} is neither a JSON array nor JSON Lines (line ${index + 1})`);
    }
  });
}

/** An entry in AWS's form carries the child's metadata; any other entry is the child's output (or its Error and Cause). */
export function childResult(group: ResultGroup, entry: unknown): ChildResult {
  const fields = isObject(entry) ? entry : {};
  const described = 'ExecutionArn' in fields || 'Input' in fields;
  const result: ChildResult = { group };
  const set = <K extends keyof ChildResult>(key: K, value: ChildResult[K] | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  if (described) {
    set('status', text(fields.Status));
    set('name', text(fields.Name));
    set('executionArn', text(fields.ExecutionArn));
    if ('Input' in fields) result.input = typeof fields.Input === 'string' ? parsePayload(fields.Input) : fields.Input;
    if ('Output' in fields) result.output = typeof fields.Output === 'string' ? parsePayload(fields.Output) : fields.Output;
  } else if (group === 'SUCCEEDED') {
    result.output = entry;
  }
  set('error', text(fields.Error));
  set('cause', text(fields.Cause));
  return result;
}

/** Every child the Map Run's results list; undefined when there is no manifest where it should be. */
export async function readMapRunResults(s3: S3Client, manifest: S3Location): Promise<ChildResult[] | undefined> {
  let body: string;
  try {
    body = await readObject(s3, manifest);
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
  const where = `s3://${manifest.Bucket}/${manifest.Key}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MapRunResultsUnreadable(`${where} is not JSON`);
  }
  const files = isObject(parsed) && isObject(parsed.ResultFiles) ? parsed.ResultFiles : undefined;
  if (files === undefined) throw new MapRunResultsUnreadable(`${where} has no ResultFiles`);
  const bucket = isObject(parsed) ? (text(parsed.DestinationBucket) ?? manifest.Bucket) : manifest.Bucket;
  const children: ChildResult[] = [];
  for (const group of RESULT_GROUPS) {
    const listed = files[group] ?? [];
    if (!Array.isArray(listed)) throw new MapRunResultsUnreadable(`${where}: ResultFiles.${group} is not a list`);
    for (const file of listed) {
      const key = isObject(file) ? text(file.Key) : undefined;
      if (key === undefined) throw new MapRunResultsUnreadable(`${where}: a ResultFiles.${group} entry has no Key`);
      const entries = entriesOf(await readObject(s3, { Bucket: bucket, Key: key }), `s3://${bucket}/${key}`);
      for (const entry of entries) children.push(childResult(group, entry));
    }
  }
  return children;
}

// What a distributed Map reads from and writes to S3, as plain data: the items of a JSONL
// object (ItemReader), and the manifest and result files of a ResultWriter. The S3 bridge and
// the in-memory services of the benchmark both use these.
import { TaskFailure } from './errors.ts';

/** Splits a JSON Lines object into its items; a line that is not JSON fails the ItemReader. */
export function parseJsonLines(text: string, where: string): unknown[] {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new TaskFailure('States.ItemReaderFailed', `Line ${index + 1} of ${where} is not valid JSON.`);
    }
  }
  return items;
}

export interface ResultWriterParameters {
  Bucket: string;
  Prefix?: string;
  MapRunArn: string;
  Results: unknown[];
}

export interface StoredObject {
  key: string;
  body: string;
}

/** The Map state's result when a ResultWriter stored the results. */
export interface ResultWriterOutput {
  MapRunArn: string;
  ResultWriterDetails: { Bucket: string; Key: string };
}

function isFailure(result: unknown): boolean {
  return typeof result === 'object' && result !== null && 'Error' in result && 'Cause' in result;
}

/**
 * The objects a ResultWriter stores, as AWS lays them out: under <Prefix>/<Map Run id>/, a
 * SUCCEEDED_0.json and a FAILED_0.json holding the children's results, and a manifest.json
 * listing them; the state's result points at the manifest.
 */
export function resultWriterObjects(params: ResultWriterParameters): { objects: StoredObject[]; output: ResultWriterOutput } {
  const runId = params.MapRunArn.slice(params.MapRunArn.lastIndexOf(':') + 1);
  const base = `${params.Prefix ? `${params.Prefix.replace(/\/+$/, '')}/` : ''}${runId}/`;
  const groups = { SUCCEEDED: params.Results.filter((result) => !isFailure(result)), FAILED: params.Results.filter(isFailure) };
  const objects: StoredObject[] = [];
  const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const [status, results] of Object.entries(groups)) {
    if (results.length === 0) continue;
    const key = `${base}${status}_0.json`;
    const body = JSON.stringify(results);
    objects.push({ key, body });
    files[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${base}manifest.json`;
  objects.push({ key: manifestKey, body: JSON.stringify({ DestinationBucket: params.Bucket, MapRunArn: params.MapRunArn, ResultFiles: files }) });
  return { objects, output: { MapRunArn: params.MapRunArn, ResultWriterDetails: { Bucket: params.Bucket, Key: manifestKey } } };
}

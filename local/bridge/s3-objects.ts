// What a distributed Map reads from and writes to S3, as plain data: the items of a JSONL
// object (ItemReader), and the manifest and result files of a ResultWriter in AWS's format (one
// entry per child execution). The S3 bridge and the in-memory services of the benchmark both use these.
import { awaitTurn, itemsTurnDue, type MapRunExecution } from '../../engine/index.ts';
import { TaskFailure } from './errors.ts';

/** Splits a JSON Lines object into its items, taking turns with the event loop; a line that is not JSON fails the ItemReader. */
export async function parseJsonLines(text: string, where: string): Promise<unknown[]> {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line !== '') {
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new TaskFailure('States.ItemReaderFailed', `Line ${index + 1} of ${where} is not valid JSON.`);
      }
    }
    // A key list of a million lines: timers, Ctrl-C and requests get their turns while it is read.
    if (itemsTurnDue(index + 1)) await awaitTurn();
  }
  return items;
}

/** What the engine hands a ResultWriter: where to write, the Map Run, and each child that ran. */
export interface ResultWriterParameters {
  Bucket: string;
  Prefix?: string;
  MapRunArn: string;
  /** The children's state machine: `…:stateMachine:<machine>/<label>`. */
  StateMachineArn: string;
  Executions: MapRunExecution[];
  WriterConfig?: { OutputType?: unknown; Transformation?: unknown };
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

/** WriterConfig that AWS would refuse: the Map state fails with States.ResultWriterFailed. */
export class InvalidWriterConfig extends Error {
  override name = 'InvalidWriterConfig';
}

// A succeeded child cannot be redriven; an unsuccessful one is redriven with its Map Run.
const SUCCEEDED_REDRIVE = { RedriveStatus: 'NOT_REDRIVABLE', RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' };
const UNSUCCESSFUL_REDRIVE = { RedriveStatus: 'REDRIVABLE_BY_MAP_RUN' };

/**
 * One child as AWS writes it (Transformation NONE): its metadata, its Input and Output as JSON
 * text, Error and Cause where it did not succeed, the dates as ISO 8601; keys in AWS's order.
 */
export function resultEntry(child: MapRunExecution, stateMachineArn: string): Record<string, unknown> {
  const succeeded = child.status === 'SUCCEEDED';
  return {
    ...(succeeded ? {} : { ...(child.cause === undefined ? {} : { Cause: child.cause }), ...(child.error === undefined ? {} : { Error: child.error }) }),
    ExecutionArn: child.executionArn,
    Input: child.input ?? 'null',
    InputDetails: { Included: true },
    Name: child.name,
    ...(succeeded ? { Output: JSON.stringify(child.output ?? null), OutputDetails: { Included: true } } : {}),
    RedriveCount: 0,
    ...(succeeded ? SUCCEEDED_REDRIVE : UNSUCCESSFUL_REDRIVE),
    StartDate: child.startDate.toISOString(),
    StateMachineArn: stateMachineArn,
    Status: child.status,
    StopDate: child.stopDate.toISOString(),
  };
}

/** A result file's body: a JSON array, or JSON Lines (WriterConfig.OutputType JSONL). */
function fileBody(entries: unknown[], outputType: unknown): string {
  if (outputType === undefined || outputType === 'JSON') return `[${entries.map((entry) => JSON.stringify(entry)).join(',')}]`;
  if (outputType === 'JSONL') return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
  throw new InvalidWriterConfig(`WriterConfig.OutputType must be JSON or JSONL, got ${JSON.stringify(outputType)}`);
}

/**
 * The succeeded children as WriterConfig.Transformation asks: NONE (the default when exporting)
 * their whole entries, COMPACT their outputs, FLATTEN their outputs with arrays flattened one level.
 */
function succeededEntries(children: MapRunExecution[], stateMachineArn: string, transformation: unknown): unknown[] {
  if (transformation === undefined || transformation === 'NONE') return children.map((child) => resultEntry(child, stateMachineArn));
  if (transformation === 'COMPACT') return children.map((child) => child.output ?? null);
  if (transformation === 'FLATTEN') return children.flatMap((child) => (Array.isArray(child.output) ? child.output : [child.output ?? null]));
  throw new InvalidWriterConfig(`WriterConfig.Transformation must be NONE, COMPACT or FLATTEN, got ${JSON.stringify(transformation)}`);
}

/**
 * The objects a ResultWriter stores, as AWS lays them out: under <Prefix>/<Map Run id>/, a
 * SUCCEEDED_0.json with the children that succeeded, a FAILED_0.json with those that failed, timed
 * out or were aborted (always in full, whatever the Transformation), a file only for a group that
 * has children, and a manifest.json listing them with their sizes; the state's result points at
 * the manifest.
 */
export function resultWriterObjects(params: ResultWriterParameters): { objects: StoredObject[]; output: ResultWriterOutput } {
  const runId = params.MapRunArn.slice(params.MapRunArn.lastIndexOf(':') + 1);
  const base = `${params.Prefix ? `${params.Prefix.replace(/\/+$/, '')}/` : ''}${runId}/`;
  const config = params.WriterConfig ?? {};
  const succeeded = params.Executions.filter((child) => child.status === 'SUCCEEDED');
  const unsuccessful = params.Executions.filter((child) => child.status !== 'SUCCEEDED');
  const groups = {
    SUCCEEDED: succeeded.length === 0 ? [] : succeededEntries(succeeded, params.StateMachineArn, config.Transformation),
    FAILED: unsuccessful.map((child) => resultEntry(child, params.StateMachineArn)),
  };
  const objects: StoredObject[] = [];
  const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const [status, entries] of Object.entries(groups)) {
    if (entries.length === 0) continue;
    const key = `${base}${status}_0.json`;
    const body = fileBody(entries, config.OutputType);
    objects.push({ key, body });
    files[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${base}manifest.json`;
  objects.push({ key: manifestKey, body: JSON.stringify({ DestinationBucket: params.Bucket, MapRunArn: params.MapRunArn, ResultFiles: files }) });
  return { objects, output: { MapRunArn: params.MapRunArn, ResultWriterDetails: { Bucket: params.Bucket, Key: manifestKey } } };
}

// In-memory stand-ins for the services the at-scale workflow calls, as one engine dispatcher:
// the real seed function (its at-scale mode) over an in-memory table and bucket, the S3
// ItemReader and ResultWriter, BatchGetItem and SendMessageBatch. No emulator, no network: the
// engine alone is measured. Faults make calls leave keys unprocessed or entries failed.
import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import type { Dispatcher, TaskCall } from '../engine/index.ts';
import { createAtScaleHandler } from '../functions/seed/at-scale-handler.ts';
import { parseJsonLines, resultWriterObjects, type ResultWriterParameters } from '../local/bridge/index.ts';

/** A message the in-memory queue holds. */
export interface QueuedMessage {
  body: string;
  messageId: string | undefined;
}

export interface Faults {
  /** The first n BatchGetItem calls leave half their keys unprocessed. */
  unprocessedKeys?: number;
  /** The first n SendMessageBatch calls report their first entry as failed. */
  failedEntries?: number;
}

export interface InMemoryServices {
  dispatch: Dispatcher;
  table: Map<string, Record<string, { S?: string; N?: string }>>;
  queue: QueuedMessage[];
  /** Objects by "bucket/key". */
  objects: Map<string, string>;
  /** Calls by resource ARN. */
  calls: Map<string, number>;
}

type Item = Record<string, { S?: string; N?: string }>;

class ServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** An S3 client whose send() keeps objects in the map, multipart uploads included. */
function inMemoryS3(objects: Map<string, string>): S3Client {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const parts = new Map<string, string[]>();
  const text = (body: unknown) => (typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'));
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof PutObjectCommand) {
      objects.set(`${command.input.Bucket}/${command.input.Key}`, text(command.input.Body));
      return {};
    }
    if (command instanceof CreateMultipartUploadCommand) {
      parts.set(`${command.input.Bucket}/${command.input.Key}`, []);
      return { UploadId: 'in-memory' };
    }
    if (command instanceof UploadPartCommand) {
      parts.get(`${command.input.Bucket}/${command.input.Key}`)![command.input.PartNumber! - 1] = text(command.input.Body);
      return { ETag: `"${command.input.PartNumber}"` };
    }
    if (command instanceof CompleteMultipartUploadCommand) {
      const name = `${command.input.Bucket}/${command.input.Key}`;
      objects.set(name, parts.get(name)!.join(''));
      parts.delete(name);
      return {};
    }
    throw new ServiceError('NotImplemented', `the in-memory bucket does not take ${(command as object).constructor.name}`);
  };
  Object.assign(client, { send });
  return client;
}

export function inMemoryServices(tableName: string, faults: Faults = {}): InMemoryServices {
  const table = new Map<string, Item>();
  const queue: QueuedMessage[] = [];
  const objects = new Map<string, string>();
  const calls = new Map<string, number>();
  const counted = (resource: string) => {
    const count = (calls.get(resource) ?? 0) + 1;
    calls.set(resource, count);
    return count;
  };
  const dynamodb = {
    send: async (command: unknown) => {
      if (!(command instanceof BatchWriteItemCommand)) throw new ServiceError('NotImplemented', 'only BatchWriteItem');
      for (const request of (command.input.RequestItems?.[tableName] ?? []) as WriteRequest[]) {
        const item = request.PutRequest!.Item as Item;
        table.set(item.MessageId!.S!, item);
      }
      return { UnprocessedItems: {} };
    },
  };
  const seed = createAtScaleHandler({ dynamodb, s3: inMemoryS3(objects), tableName, sleep: async () => {} });

  // A ProjectionExpression of top-level attribute names (what the workflow asks for) picks those.
  const projection = (expression: string | undefined) => {
    if (expression === undefined) return (item: Item) => item;
    const names = expression.split(',').map((name) => name.trim());
    if (!names.every((name) => /^[A-Za-z][A-Za-z0-9_]*$/.test(name))) throw new Error(`in-memory BatchGetItem takes attribute names only: ${expression}`);
    return (item: Item) => Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]!]));
  };
  const handlers: Record<string, (params: Record<string, unknown>, call: TaskCall, count: number) => Promise<unknown>> = {
    'arn:aws:states:::lambda:invoke': async (params, call) => ({
      StatusCode: 200,
      Payload: await seed(params.Payload, { awsRequestId: call.execution.executionName }),
    }),
    'arn:aws:states:::s3:getObject': async (params) => {
      const name = `${String(params.Bucket)}/${String(params.Key)}`;
      const text = objects.get(name);
      if (text === undefined) throw new ServiceError('S3.NoSuchKey', `The specified key does not exist: ${name}`);
      return parseJsonLines(text, `s3://${name}`);
    },
    'arn:aws:states:::s3:putObject': async (params) => {
      const writer = params as unknown as ResultWriterParameters;
      const { objects: written, output } = resultWriterObjects(writer);
      for (const object of written) objects.set(`${writer.Bucket}/${object.key}`, object.body);
      return output;
    },
    'arn:aws:states:::aws-sdk:dynamodb:batchGetItem': async (params, _call, count) => {
      const request = params.RequestItems as Record<string, { Keys: Item[]; ProjectionExpression?: string }>;
      const keys = request[tableName]?.Keys ?? [];
      const projected = projection(request[tableName]?.ProjectionExpression);
      if (keys.length > 100) throw new ServiceError('DynamoDb.DynamoDbException', 'Too many items requested for the BatchGetItem call');
      const unprocessed = count <= (faults.unprocessedKeys ?? 0) ? keys.slice(Math.ceil(keys.length / 2)) : [];
      const read = keys.slice(0, keys.length - unprocessed.length);
      const found = read.map((key) => table.get(key.MessageId!.S!)).filter((item): item is Item => item !== undefined).map(projected);
      return {
        Responses: { [tableName]: found },
        UnprocessedKeys: unprocessed.length > 0 ? { [tableName]: { Keys: unprocessed } } : {},
      };
    },
    'arn:aws:states:::aws-sdk:sqs:sendMessageBatch': async (params, _call, count) => {
      const entries = params.Entries as { Id: string; MessageBody: string; MessageAttributes?: { MessageId?: { StringValue?: string } } }[];
      if (entries.length === 0 || entries.length > 10) throw new ServiceError('Sqs.TooManyEntriesInBatchRequestException', `${entries.length} entries`);
      if (new Set(entries.map((entry) => entry.Id)).size !== entries.length) throw new ServiceError('Sqs.BatchEntryIdsNotDistinctException', 'ids repeat');
      const failing = count <= (faults.failedEntries ?? 0) ? new Set([entries[0]!.Id]) : new Set<string>();
      const sent = entries.filter((entry) => !failing.has(entry.Id));
      for (const entry of sent) queue.push({ body: entry.MessageBody, messageId: entry.MessageAttributes?.MessageId?.StringValue });
      return {
        Successful: sent.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, Md5OfMessageBody: '' })),
        Failed: [...failing].map((id) => ({ Id: id, SenderFault: false, Code: 'InternalError', Message: 'injected' })),
      };
    },
  };
  const dispatch: Dispatcher = async (call) => {
    const handler = handlers[call.resource];
    if (!handler) throw new ServiceError('States.Runtime', `no in-memory service for ${call.resource}`);
    return handler(call.parameters as Record<string, unknown>, call, counted(call.resource));
  };
  return { dispatch, table, queue, objects, calls };
}

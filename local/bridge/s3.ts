// S3 for a distributed Map: the ItemReader's arn:aws:states:::s3:getObject (an object read into
// items, see s3-items.ts; an S3 inventory's manifest and its files) and arn:aws:states:::s3:listObjectsV2
// (a bucket's objects), and the ResultWriter's arn:aws:states:::s3:putObject (the results and
// their manifest); and a Task's arn:aws:states:::aws-sdk:s3:<action>, for the actions the S3
// emulator serves. Every object the role touches is checked against its policy first; failures
// are named as the Java SDK v1 names them for the Map (AmazonS3Exception with S3's code in the
// cause), and as SDK v2 names them for aws-sdk (S3.NoSuchKeyException, S3.S3Exception).
import * as S3 from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RequiredPermission } from '../services/iam.ts';
import { s3BucketArn } from '../services/provision.ts';
import { s3ObjectArn } from '../services/s3-door.ts';
import { authorize, commandClass, type CallContext, type ServiceCall } from './context.ts';
import { sdkFailure, serviceFailure, TaskFailure, type ServiceErrors } from './errors.ts';
import { sdkResponse } from './response.ts';
import {
  inventoryFileItems,
  inventoryManifest,
  ITEM_READER_FAILED,
  listedItem,
  objectItems,
  readerConfigProblem,
  type ReaderConfig,
} from './s3-items.ts';
import { resultWriterObjects, type ResultWriterParameters } from './s3-objects.ts';
import type { ServiceDescriptor } from './service.ts';

export const ITEM_READER_RESOURCE = 'arn:aws:states:::s3:getObject';
export const LIST_READER_RESOURCE = 'arn:aws:states:::s3:listObjectsV2';
export const RESULT_WRITER_RESOURCE = 'arn:aws:states:::s3:putObject';

// The Java SDK v1 models no S3 error class of its own: every response is AmazonS3Exception.
export const S3_ERRORS: ServiceErrors = {
  optimized: { prefix: 'S3', generic: 'AmazonS3Exception', service: 'Amazon S3', modeled: new Set() },
  // Its SDK v2 messages name the Extended Request ID too (recorded).
  sdk: { prefix: 'S3', generic: 'S3Exception', service: 'S3', modeled: new Set(['NoSuchBucketException', 'NoSuchKeyException']), extendedRequestId: true },
  accessDenied: { status: 403, name: 'AccessDenied' },
};

/** IAM authorizes an object's reads and writes on arn:aws:s3:::<bucket>/<key>; a multipart upload is a PutObject. */
export function s3Permission(action: 'GetObject' | 'PutObject', bucket: string, key: string): RequiredPermission {
  return { action: `s3:${action}`, resources: [s3ObjectArn(bucket, key)] };
}

function requiredString(params: Record<string, unknown>, field: string, where: string): string {
  const value = params[field];
  if (typeof value !== 'string' || value === '') {
    throw new TaskFailure('States.Runtime', `${where} needs a ${field} string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads one object's bytes (the caller has authorized it). */
async function getObject(client: S3Client, bucket: string, key: string, versionId?: unknown): Promise<Uint8Array> {
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(typeof versionId === 'string' ? { VersionId: versionId } : {}) }));
    return (await output.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    throw sdkFailure(S3_ERRORS, 'optimized', error);
  }
}

/** The ItemReader (s3:getObject): reads the object and returns its items; a MANIFEST reads each inventory file it lists. */
export function s3ItemReader(client: S3Client, context: CallContext): ServiceCall {
  return async (params) => {
    const bucket = requiredString(params, 'Bucket', 'ItemReader');
    const key = requiredString(params, 'Key', 'ItemReader');
    const config = (params.ReaderConfig ?? {}) as ReaderConfig;
    const problem = readerConfigProblem(config, 'getObject');
    if (problem !== undefined) throw new TaskFailure(ITEM_READER_FAILED, problem);
    const where = `s3://${bucket}/${key}`;
    authorize(context, s3Permission('GetObject', bucket, key), S3_ERRORS, 'optimized');
    context.injectFault('s3', 'getObject');
    const text = Buffer.from(await getObject(client, bucket, key, params.VersionId)).toString('utf8');
    if (config.InputType !== 'MANIFEST') return objectItems(text, config, where);
    const manifest = inventoryManifest(text, where);
    const items: unknown[] = [];
    for (const file of manifest.keys) {
      authorize(context, s3Permission('GetObject', manifest.bucket, file), S3_ERRORS, 'optimized');
      for (const item of inventoryFileItems(await getObject(client, manifest.bucket, file), manifest.headers)) items.push(item);
    }
    return items;
  };
}

/** The ItemReader (s3:listObjectsV2): every object of the bucket (under Prefix), each page read in turn. */
export function s3ListReader(client: S3Client, context: CallContext): ServiceCall {
  return async (params) => {
    const bucket = requiredString(params, 'Bucket', 'ItemReader');
    const prefix = typeof params.Prefix === 'string' ? params.Prefix : undefined;
    authorize(context, { action: 's3:ListBucket', resources: [s3BucketArn(bucket)] }, S3_ERRORS, 'optimized');
    context.injectFault('s3', 'listObjectsV2');
    const items: unknown[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix === undefined ? {} : { Prefix: prefix }), ContinuationToken: token }));
        for (const object of page.Contents ?? []) items.push(listedItem(object));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw sdkFailure(S3_ERRORS, 'optimized', error);
    }
    return items;
  };
}

/** The ResultWriter: stores the results and the manifest, and returns where the manifest is. */
export function s3ResultWriter(client: S3Client, context: CallContext): ServiceCall {
  return async (params) => {
    const bucket = requiredString(params, 'Bucket', 'ResultWriter');
    const { objects, output } = resultWriterObjects({ ...(params as unknown as ResultWriterParameters), Bucket: bucket });
    // Every object is authorized before any is written, as AWS checks with a test write first.
    for (const object of objects) authorize(context, s3Permission('PutObject', bucket, object.key), S3_ERRORS, 'optimized');
    context.injectFault('s3', 'putObject');
    try {
      for (const object of objects) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: 'application/json' }));
      }
    } catch (error) {
      throw sdkFailure(S3_ERRORS, 'optimized', error);
    }
    return output;
  };
}

type Params = Record<string, unknown>;

const objectOf = (params: Params) => s3ObjectArn(String(params.Bucket ?? ''), String(params.Key ?? ''));
const bucketOf = (params: Params) => s3BucketArn(String(params.Bucket ?? ''));

/** CopyObject's CopySource, `bucket/key` (URL-encoded, a leading slash and a ?versionId allowed), as the object ARN read. */
function copySourceArn(params: Params): string {
  const source = decodeURIComponent(String(params.CopySource ?? '').replace(/^\//, '').split('?')[0]!);
  const slash = source.indexOf('/');
  return s3ObjectArn(source.slice(0, slash), source.slice(slash + 1));
}

/** The aws-sdk actions the S3 emulator serves, each with the IAM actions and resources it needs (S3's "Actions, resources, and condition keys"). */
const SDK_PERMISSIONS: Record<string, (params: Params) => RequiredPermission[]> = {
  getObject: (params) => [{ action: 's3:GetObject', resources: [objectOf(params)] }],
  headObject: (params) => [{ action: 's3:GetObject', resources: [objectOf(params)] }],
  putObject: (params) => [{ action: 's3:PutObject', resources: [objectOf(params)] }],
  deleteObject: (params) => [{ action: 's3:DeleteObject', resources: [objectOf(params)] }],
  deleteObjects: (params) => {
    const objects = ((params.Delete as { Objects?: { Key?: unknown }[] } | undefined)?.Objects ?? []).map((object) => s3ObjectArn(String(params.Bucket ?? ''), String(object.Key ?? '')));
    return [{ action: 's3:DeleteObject', resources: objects.length > 0 ? objects : [bucketOf(params)] }];
  },
  copyObject: (params) => [
    { action: 's3:GetObject', resources: [copySourceArn(params)] },
    { action: 's3:PutObject', resources: [objectOf(params)] },
  ],
  listObjects: (params) => [{ action: 's3:ListBucket', resources: [bucketOf(params)] }],
  listObjectsV2: (params) => [{ action: 's3:ListBucket', resources: [bucketOf(params)] }],
  headBucket: (params) => [{ action: 's3:ListBucket', resources: [bucketOf(params)] }],
  getBucketLocation: (params) => [{ action: 's3:GetBucketLocation', resources: [bucketOf(params)] }],
  createBucket: (params) => [{ action: 's3:CreateBucket', resources: [bucketOf(params)] }],
  deleteBucket: (params) => [{ action: 's3:DeleteBucket', resources: [bucketOf(params)] }],
  listBuckets: () => [{ action: 's3:ListAllMyBuckets', resources: ['*'] }],
};

/** Whether arn:aws:states:::aws-sdk:s3:<action> runs offline: an action the S3 emulator serves. */
export const isS3SdkAction = (action: string) => Object.hasOwn(SDK_PERMISSIONS, action);

// Members whose keys are the user's own names.
const S3_MAP_FIELDS = new Set(['Metadata']);

type S3Command = Parameters<S3Client['send']>[0];

/**
 * The request a Task's parameters make: putObject's Body is written as its JSON text, whatever its
 * type, a string too (recorded: Body "text data" is stored as `"text data"`, an object as its JSON).
 */
function requestOf(action: string, params: Params): Params {
  return action === 'putObject' && params.Body !== undefined ? { ...params, Body: JSON.stringify(params.Body) } : params;
}

/**
 * arn:aws:states:::aws-sdk:s3:<action>: the response in the SDK's casing, a GetObject's Body as
 * its text. Without an S3 emulator (no bucket given), no bucket exists: S3 answers NoSuchBucket.
 */
export function s3SdkTask(action: string, client: S3Client | undefined, context: CallContext): ServiceCall {
  const Command = commandClass<S3Command>(S3, action)!;
  return async (params) => {
    for (const permission of SDK_PERMISSIONS[action]!(params)) authorize(context, permission, S3_ERRORS, 'sdk');
    context.injectFault('s3', action);
    if (client === undefined) {
      if (action === 'listBuckets') return { Buckets: [] };
      throw serviceFailure(S3_ERRORS, 'sdk', { name: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' });
    }
    try {
      const output = (await client.send(new Command(requestOf(action, params)))) as { Body?: { transformToString(): Promise<string> } };
      const body = output.Body === undefined ? {} : { Body: await output.Body.transformToString() };
      return { ...sdkResponse({ ...output, Body: undefined }, S3_MAP_FIELDS), ...body };
    } catch (error) {
      throw sdkFailure(S3_ERRORS, 'sdk', error);
    }
  };
}

/** S3: a distributed Map's ItemReader and ResultWriter resources, and the aws-sdk:s3 actions its emulator serves. */
export const S3_SERVICE: ServiceDescriptor = {
  name: 's3',
  optimized: [],
  sdkAction: isS3SdkAction,
  errors: S3_ERRORS,
  // S3 answers a request rate it will not take with 503 SlowDown.
  faults: { throttled: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' } },
  call: ({ action, s3, context }) => s3SdkTask(action, s3, context),
  storage: {
    [ITEM_READER_RESOURCE]: s3ItemReader,
    [LIST_READER_RESOURCE]: s3ListReader,
    [RESULT_WRITER_RESOURCE]: s3ResultWriter,
  },
};

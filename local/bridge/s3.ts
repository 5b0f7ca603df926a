// S3 for a distributed Map: the ItemReader's arn:aws:states:::s3:getObject (a JSON or JSONL
// object read into items) and the ResultWriter's arn:aws:states:::s3:putObject (the results and
// their manifest). Every object the role touches is checked against its policy first; failures
// are named as the Java SDK v1 names them, AmazonS3Exception with S3's code in the cause.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RequiredPermission } from '../iam.ts';
import { s3ObjectArn } from '../s3-door.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { sdkFailure, TaskFailure, type ServiceErrors } from './errors.ts';
import { parseJsonLines, resultWriterObjects, type ResultWriterParameters } from './s3-objects.ts';

export const ITEM_READER_RESOURCE = 'arn:aws:states:::s3:getObject';
export const RESULT_WRITER_RESOURCE = 'arn:aws:states:::s3:putObject';

// The Java SDK v1 models no S3 error class of its own: every response is AmazonS3Exception.
export const S3_ERRORS: ServiceErrors = {
  optimized: { prefix: 'S3', generic: 'AmazonS3Exception', service: 'Amazon S3', modeled: new Set() },
  sdk: { prefix: 'S3', generic: 'S3Exception', service: 'S3', modeled: new Set(['NoSuchBucketException', 'NoSuchKeyException']) },
  accessDenied: { status: 403, name: 'AccessDenied' },
};

/** A ReaderConfig the bridge does not read (CSV, MANIFEST): refused when the Map runs. */
export class UnsupportedReaderConfig extends Error {
  override name = 'UnsupportedReaderConfig';
}

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

function itemsOf(text: string, inputType: unknown, where: string): unknown[] {
  if (inputType === 'JSONL') return parseJsonLines(text, where);
  if (inputType === 'JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TaskFailure('States.ItemReaderFailed', `${where} is not valid JSON.`);
    }
    if (!Array.isArray(parsed)) throw new TaskFailure('States.ItemReaderFailed', `${where} does not hold a JSON array.`);
    return parsed;
  }
  throw new UnsupportedReaderConfig(`ReaderConfig.InputType ${JSON.stringify(inputType)} is not read offline; JSON and JSONL are`);
}

/** The ItemReader: reads the object and returns its items. */
export function s3ItemReader(client: S3Client, context: CallContext): ServiceCall {
  return async (params) => {
    const bucket = requiredString(params, 'Bucket', 'ItemReader');
    const key = requiredString(params, 'Key', 'ItemReader');
    const config = (params.ReaderConfig ?? {}) as { InputType?: unknown };
    authorize(context, s3Permission('GetObject', bucket, key), S3_ERRORS, 'optimized');
    context.injectFault('s3', 'getObject');
    let text: string;
    try {
      const output = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(typeof params.VersionId === 'string' ? { VersionId: params.VersionId } : {}) }),
      );
      text = (await output.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw sdkFailure(S3_ERRORS, 'optimized', error);
    }
    return itemsOf(text, config.InputType, `s3://${bucket}/${key}`);
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

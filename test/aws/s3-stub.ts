// An S3 client whose GetObject answers from a map of keys to bodies (sinon stubs its send), for
// what the S3 emulator cannot be made to hold: a ResultWriter's results in AWS's own form, with a
// child that failed. A key not in the map gets S3's NoSuchKey, as the SDK raises it.
import { Readable } from 'node:stream';
import sinon from 'sinon';
import { GetObjectCommand, NoSuchKey, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';

export interface StubbedS3 {
  s3: S3Client;
  /** The keys GetObject was asked for, bucket/key, in order. */
  requested: () => string[];
}

/** A streaming body as the SDK hands it over: a Readable that can also turn itself into a string. */
export function streamBody(text: string): Readable & { transformToString: () => Promise<string> } {
  return Object.assign(Readable.from([Buffer.from(text)]), { transformToString: async () => text });
}

export function stubbedS3(objects: Record<string, string>): StubbedS3 {
  const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const requested: string[] = [];
  sinon.stub(s3, 'send').callsFake(async (command: unknown) => {
    if (!(command instanceof GetObjectCommand)) throw new Error(`unexpected S3 command ${(command as object).constructor.name}`);
    const { Bucket, Key } = command.input as GetObjectCommandInput;
    const path = `${Bucket}/${Key}`;
    requested.push(path);
    const body = objects[path];
    if (body === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: streamBody(body), $metadata: {} };
  });
  return { s3, requested: () => [...requested] };
}

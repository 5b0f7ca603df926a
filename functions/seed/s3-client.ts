import { S3Client } from '@aws-sdk/client-s3';

let client: S3Client | undefined;

/**
 * One client per container. Region and endpoint come from the SDK's environment variables
 * (AWS_REGION, AWS_ENDPOINT_URL_S3); an emulator's endpoint takes path-style addressing, since
 * 127.0.0.1 has no bucket subdomains.
 */
export function defaultS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  client ??= new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL) });
  return client;
}

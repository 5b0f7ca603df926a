import { S3Client } from '@aws-sdk/client-s3';

/**
 * A container's S3 client, made at its first use (see client.ts for why a getter holds it).
 * Region and endpoint come from the SDK's environment variables (AWS_REGION,
 * AWS_ENDPOINT_URL_S3); an emulator's endpoint takes path-style addressing, since 127.0.0.1 has
 * no bucket subdomains.
 */
export function containerS3Client(env: NodeJS.ProcessEnv = process.env): () => S3Client {
  let client: S3Client | undefined;
  return () => (client ??= new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL) }));
}

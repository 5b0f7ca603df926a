// The IAM door in front of the S3 emulator: a call carrying a local role's session token (the
// seed function's) goes through only when the role's policy allows the object action it needs.
// S3 speaks REST, so the action and object come from the method, the path and the query.
import type { IncomingMessage } from 'node:http';
import { AccessDenied, assertPermitted, InvalidSessionToken, principalFromToken, type RequiredPermission } from './iam.ts';
import { s3BucketArn } from './provision.ts';
import { s3Target, type S3Refusal } from './s3-request.ts';

/** The ARN IAM authorizes an object's actions on. */
export function s3ObjectArn(bucket: string, key: string): string {
  return `${s3BucketArn(bucket)}/${key}`;
}

/** What an S3 request needs from IAM; path-style addressing (/bucket/key), as the local clients use. */
export function s3RequestPermission(method: string, url: string): RequiredPermission {
  const { bucket, key, query } = s3Target(url);
  if (key === '') {
    const action = method === 'GET' || method === 'HEAD' ? 's3:ListBucket' : `s3:${method === 'PUT' ? 'CreateBucket' : 'DeleteBucket'}`;
    return { action, resources: [s3BucketArn(bucket)] };
  }
  const object = s3ObjectArn(bucket, key);
  if (method === 'GET' || method === 'HEAD') return { action: 's3:GetObject', resources: [object] };
  if (method === 'DELETE') {
    return { action: query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resources: [object] };
  }
  // PutObject, and the multipart upload's Create, UploadPart and Complete, all need s3:PutObject.
  return { action: 's3:PutObject', resources: [object] };
}

/** Decides on a request with a session token; undefined lets it through. */
export function iamS3Door(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): S3Refusal | undefined {
  const token = req.headers['x-amz-security-token'];
  if (typeof token !== 'string') return undefined;
  try {
    const principal = principalFromToken(token);
    if (!principal) return undefined;
    assertPermitted(principal.policy, principal.arn, s3RequestPermission(req.method ?? 'GET', req.url ?? '/'));
    return undefined;
  } catch (error) {
    if (error instanceof AccessDenied) return { code: 'AccessDenied', message: error.message };
    if (error instanceof InvalidSessionToken) return { code: 'InvalidToken', message: error.message };
    throw error;
  }
}

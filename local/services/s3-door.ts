// The IAM door in front of the S3 emulator: a call carrying a local role's session token (the
// seed function's) goes through only when the role's policy allows the object action it needs.
// S3 speaks REST, so the action and object come from the method, the path and the query.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessDenied, assertPermitted, InvalidSessionToken, principalFromToken, type RequiredPermission } from './iam.ts';
import { s3BucketArn } from './provision.ts';

/** The ARN IAM authorizes an object's actions on. */
export function s3ObjectArn(bucket: string, key: string): string {
  return `${s3BucketArn(bucket)}/${key}`;
}

/** What an S3 request needs from IAM; path-style addressing (/bucket/key), as the local clients use. */
export function s3RequestPermission(method: string, url: string): RequiredPermission {
  const { pathname, searchParams } = new URL(url, 'http://s3.local');
  const [bucket = '', ...rest] = pathname.replace(/^\//, '').split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (key === '') {
    const action = method === 'GET' || method === 'HEAD' ? 's3:ListBucket' : `s3:${method === 'PUT' ? 'CreateBucket' : 'DeleteBucket'}`;
    return { action, resources: [s3BucketArn(bucket)] };
  }
  const object = s3ObjectArn(bucket, key);
  if (method === 'GET' || method === 'HEAD') return { action: 's3:GetObject', resources: [object] };
  if (method === 'DELETE') {
    return { action: searchParams.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resources: [object] };
  }
  // PutObject, and the multipart upload's Create, UploadPart and Complete, all need s3:PutObject.
  return { action: 's3:PutObject', resources: [object] };
}

export interface S3Refusal {
  code: 'AccessDenied' | 'InvalidToken';
  message: string;
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

/** S3's XML error answer; the SDK reads its Code and Message. */
export function refuseS3(res: ServerResponse, refusal: S3Refusal): void {
  const escaped = refusal.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const requestId = randomUUID();
  res.writeHead(refusal.code === 'AccessDenied' ? 403 : 400, { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>${escaped}</Message><RequestId>${requestId}</RequestId></Error>`);
}

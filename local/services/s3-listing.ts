// A bucket listing's pages after the first. s3rver makes a ListObjectsV2 continuation token with
// DES, which OpenSSL 3 (Node 17 and later) refuses: every listing longer than its MaxKeys failed
// with InternalError, a distributed Map's ItemReader over more than 1,000 objects among them.
// This middleware, placed before s3rver's routes, gives tokens of its own (the bucket and the last
// key or common prefix listed, in base64: S3's tokens are opaque), turns one back into where the
// listing starts after, and reads the page's truncation from the store itself, so that s3rver's
// controller never makes one. A version 1 listing's NextMarker is that last entry too, a common
// prefix included, as S3 gives it.
import { s3Target } from './s3-request.ts';
import type { Listing, ListOptions, S3rverModels } from './s3-store.ts';

interface ListingStore {
  listObjects(bucket: string, options: ListOptions): Promise<Listing>;
}

/** The parts of a Koa context (s3rver's) the middleware reads and sets. */
interface ListingContext {
  method: string;
  url: string;
  query: Record<string, string | string[] | undefined>;
  store: ListingStore;
  body: unknown;
}

/** The token for a next page that starts after `last`. */
function continuationToken(bucket: string, last: string): string {
  return Buffer.from(JSON.stringify([bucket, last]), 'utf8').toString('base64');
}

/** Where a token's page starts after; undefined for a token this emulator did not give for `bucket`. */
function tokenStart(token: string, bucket: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === bucket && typeof parsed[1] === 'string') return parsed[1];
  } catch {
    // Not one of ours: refused below.
  }
  return undefined;
}

/** The middleware; S3Error is s3rver's, which its error handler answers as S3 does. */
export function listingPages(S3Error: S3rverModels['S3Error']) {
  return async (ctx: ListingContext, next: () => Promise<void>): Promise<void> => {
    const { bucket, key } = s3Target(ctx.url);
    if (ctx.method !== 'GET' || bucket === '' || key !== '') return next();
    const v2 = ctx.query['list-type'] === '2';
    const given = v2 ? ctx.query['continuation-token'] : undefined;
    const token = typeof given === 'string' && given !== '' ? given : undefined;
    if (token !== undefined) {
      const after = tokenStart(token, bucket);
      if (after === undefined) throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
      const { 'continuation-token': _given, ...query } = ctx.query;
      ctx.query = { ...query, 'start-after': after };
    }
    let page: Listing | undefined;
    const store = ctx.store;
    const listObjects = async (name: string, options: ListOptions): Promise<Listing> => {
      page = await store.listObjects(name, options);
      // Told of no truncation, s3rver's controller makes no token.
      return v2 ? { ...page, isTruncated: false } : page;
    };
    ctx.store = new Proxy(store, {
      get: (target, name) => {
        if (name === 'listObjects') return listObjects;
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    await next();
    const result = (ctx.body as { ListBucketResult?: Record<string, unknown> } | undefined)?.ListBucketResult;
    if (result === undefined || page === undefined) return;
    if (v2) {
      // S3 counts the common prefixes among the keys a page returns.
      result.KeyCount = page.objects.length + page.commonPrefixes.length;
      result.IsTruncated = page.isTruncated;
      result.NextContinuationToken = page.isTruncated && page.last !== undefined ? continuationToken(bucket, page.last) : undefined;
      if (token !== undefined) {
        result.ContinuationToken = token;
        result.StartAfter = undefined;
      }
    } else if (page.isTruncated && result.Delimiter !== undefined) {
      result.NextMarker = page.last;
    }
  };
}

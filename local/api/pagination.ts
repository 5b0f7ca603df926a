// nextToken pagination, stable while the list changes: each item has a position that never
// changes (an execution's start number, an event's id, a child's index), the list is ordered by
// it, and a token carries the last position served, so items added or removed between pages
// are neither repeated nor skip others. A token is bound to the request that made it (the
// operation and every field that shapes the list) and to this endpoint's run: AWS asks that
// all other arguments stay unchanged, and any other token is InvalidToken.
import { createHash, randomUUID } from 'node:crypto';
import { invalidToken } from './errors.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  maxResults: number | undefined;
  nextToken: string | undefined;
  /** The operation and the fields that shape the list: its ARN, filter and order. */
  scope: Record<string, unknown>;
}

/** AWS's default page size where maxResults is absent or 0. */
export const DEFAULT_PAGE_SIZE = 100;

// A token from an earlier run of the endpoint names positions of another list.
const RUN = randomUUID();

/**
 * One page of `all`, which is ordered by `position`, ascending or descending: each item's
 * position is unique and never changes.
 */
export function paginate<T>(all: readonly T[], position: (item: T) => number, order: 'ascending' | 'descending', request: PageRequest): Page<T> {
  const scope = digest(request.scope);
  const size = request.maxResults === undefined || request.maxResults === 0 ? DEFAULT_PAGE_SIZE : request.maxResults;
  let start = 0;
  if (request.nextToken !== undefined) {
    const after = positionIn(request.nextToken, scope);
    const past = (item: T) => (order === 'ascending' ? position(item) > after : position(item) < after);
    start = all.findIndex(past);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + size);
  const last = items.at(-1);
  return start + size < all.length && last !== undefined ? { items, nextToken: tokenOf(scope, position(last)) } : { items };
}

const digest = (scope: Record<string, unknown>) => createHash('sha256').update(JSON.stringify([RUN, scope])).digest('base64url').slice(0, 22);

const tokenOf = (scope: string, after: number) => Buffer.from(JSON.stringify({ scope, after }), 'utf8').toString('base64url');

function positionIn(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { scope?: unknown; after?: unknown };
    if (parsed.scope === scope && typeof parsed.after === 'number' && Number.isInteger(parsed.after)) return parsed.after;
  } catch {
    // falls through to InvalidToken
  }
  throw invalidToken();
}

// nextToken pagination over a list that only grows at its end or is read in a fixed order: the
// token carries the offset of the next page, and a token that is not one of ours is InvalidToken.
import { ApiError } from './errors.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** AWS's default page size where maxResults is absent or 0. */
export const DEFAULT_PAGE_SIZE = 100;

export function paginate<T>(all: readonly T[], maxResults: number | undefined, nextToken: string | undefined): Page<T> {
  const start = nextToken === undefined ? 0 : offsetOf(nextToken);
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
  const items = all.slice(start, start + size);
  const next = start + size;
  return next < all.length ? { items, nextToken: tokenOf(next) } : { items };
}

const tokenOf = (offset: number) => Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');

function offsetOf(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to InvalidToken
  }
  throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
}

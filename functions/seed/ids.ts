import { createHash } from 'node:crypto';

const HASH_CHARS = 12;
const INDEX_DIGITS = 4;

/**
 * `<first 12 hex chars of sha256(executionId)>-<1-based index, 4 digits>`. The same execution
 * always gets the same ids, so a retried invocation overwrites its own items instead of adding
 * more. The hyphen keeps every id distinct from the loop's "DONE" sentinel.
 */
export function messageIds(executionId: string, count: number): string[] {
  const prefix = idPrefix(executionId);
  return Array.from({ length: count }, (_, index) => messageId(prefix, index));
}

/** The part of every id that comes from the execution id. */
export function idPrefix(executionId: string): string {
  return createHash('sha256').update(executionId).digest('hex').slice(0, HASH_CHARS);
}

/** The id of the item at a 0-based index; past 9999 the index simply takes more digits. */
export function messageId(prefix: string, index: number): string {
  return `${prefix}-${String(index + 1).padStart(INDEX_DIGITS, '0')}`;
}

// The order of strings by their UTF-8 bytes, in which both DynamoDB (memory-level's Buffer keys,
// dynalite-store.ts) and S3 (s3-store.ts) keep their keys, and the search of a sorted list in it.

/**
 * UTF-8 byte order, which is code point order. JavaScript's `<` compares UTF-16 code units: it
 * puts a surrogate (a code point above U+FFFF) before U+E000..U+FFFF, UTF-8 after.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

// Surrogates move above U+E000..U+FFFF, keeping the order within each group.
const utf8Rank = (unit: number): number => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);

/** The first index in the sorted keys whose key is not below `key` (or, strictly, above it). */
export function bound(keys: readonly string[], key: string, strictlyAbove: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareUtf8(keys[middle]!, key);
    if (order < 0 || (strictlyAbove && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

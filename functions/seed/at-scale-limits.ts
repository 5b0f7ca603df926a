// The at-scale seed's bounds and pacing, each tied to the AWS limit it respects.

/**
 * The largest count the at-scale workflow takes. Its parent history no longer grows with the
 * count; what bounds it is this function's 15-minute Lambda timeout: a new on-demand table
 * absorbs 4,000 writes/s, so 1,000,000 items take about 250 s of writes and the key list
 * (about 27 MB) a few seconds of upload, leaving room for throttling.
 */
export const AT_SCALE_MAX_ITEMS = 1_000_000;

/** BatchWriteItem calls in flight at once: enough to reach a table's throughput, not to flood it. */
export const AT_SCALE_WRITE_CONCURRENCY = 16;

/**
 * Time kept back for uploading the key list: no new batch starts, and no retry waits, once less
 * than this remains, so a slow table ends in SeedWriteIncomplete with its counts, not a timeout.
 */
export const UPLOAD_RESERVE_MS = 15_000;

/** Multipart part size for the key list: S3's minimum is 5 MiB; 8 MiB keeps 1,000,000 keys to 4 parts. */
export const KEY_LIST_PART_BYTES = 8 * 1024 * 1024;

/** Parts uploaded at once; memory holds at most this many parts. */
export const KEY_LIST_PARTS_IN_FLIGHT = 4;

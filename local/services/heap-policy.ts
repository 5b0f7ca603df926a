// How far V8 lets this process's heap grow between full collections while the emulators run in
// it. By default V8 sizes the next collection's threshold at up to four times what survived the
// last one, a throughput setting for servers with memory to spare. An offline run is the other
// case: a live set that grows with the record count (the emulators' table and queue) under a
// stream of short-lived garbage (SDK requests and responses, JSONata intermediates, history
// payloads). At 100,000 records the default let the heap reach 560 MB around 160 MB live (peak
// RSS 780 MB); growing by half at most kept it under 300 MB (peak RSS 461 MB), by a fifth at most
// the peak RSS is 397 MB (the same run otherwise), for a few more full collections.
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow this many percent past its live size before the next full collection. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Applies the policy to this process; V8 reads the flag at each full collection, so it holds
 * from the next one on.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

// How far V8 lets this process's heap grow between full collections, and when it starts marking for
// one, while the emulators run in it. By default V8 sizes the next collection's threshold at up to
// four times what survived the last one, a throughput setting for servers with memory to spare. An
// offline run is the other case: a live set that grows with the record count (the emulators' table
// and queue) under a stream of short-lived garbage (SDK requests and responses, JSONata
// intermediates, history payloads). At 100,000 records the default let the heap reach 560 MB around
// 160 MB live (peak RSS 780 MB); growing by half at most kept it under 300 MB (peak RSS 461 MB), by
// a fifth at most the peak RSS is 397 MB (the same run otherwise), for a few more full collections.
// A small live set is not worth those collections: the classic loop at 1,763 items made four full
// collections at a fifth, two at twice. So the heap may double while its live set is small, and
// grows by a fifth once a full collection leaves more than SMALL_HEAP_BYTES in use. The bound is
// low enough that the heap it lets a large run reach early (twice the bound, twice again at the
// collection that finds it crossed) stays under that run's own peak: at 100,000 records the peak
// RSS was the same with 48 MB (64 MB gave the same within the runs' spread).
// While the heap is small, V8 also starts marking it later (--incremental-marking-soft-trigger). By
// default V8 starts an incremental full collection once the space left under the limit is no more
// than the young generation's capacity: a 100-item run's start-up (22 MB in use, of a 30 MB limit)
// crossed that mark as its loop began, and the marking and its final pause fell inside the loop.
// Starting past 90% of the limit leaves that run without a full collection: its loop's median went
// from 44 to 36 ms over fifteen runs in turn in a slow spell of the machine, from 33 to 32 ms (mean
// 34.0 to 31.7) over 21 in a fast one; the 1,763-item run still makes its one. A large heap goes
// back to V8's own start: at 100,000 records the two ran alike. The flags are set through
// ../v8-flags.ts: while the HTML report's thread loads, they wait for it.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { V8_FLAGS } from '../v8-flags.ts';

/** The old generation may grow this many percent past its live size before the next full collection. */
export const HEAP_GROWING_PERCENT = 20;

/** The same while the heap in use after a full collection is under SMALL_HEAP_BYTES. */
export const SMALL_HEAP_GROWING_PERCENT = 100;

export const SMALL_HEAP_BYTES = 48 * 1024 * 1024;

/** While the heap is small, incremental marking starts once the old generation reaches this many percent of its limit. */
export const SMALL_HEAP_MARKING_START_PERCENT = 90;

/** V8's flags for a heap that left `usedBytes` in use after a full collection (0 restores V8's own marking start). */
export function heapFlags(usedBytes: number): string {
  const small = usedBytes < SMALL_HEAP_BYTES;
  return `--heap-growing-percent=${heapGrowingPercent(usedBytes)} --incremental-marking-soft-trigger=${small ? SMALL_HEAP_MARKING_START_PERCENT : 0}`;
}

/** The growth allowed after a full collection that left `usedBytes` in use. */
export function heapGrowingPercent(usedBytes: number): number {
  return usedBytes < SMALL_HEAP_BYTES ? SMALL_HEAP_GROWING_PERCENT : HEAP_GROWING_PERCENT;
}

/** What the policy reads and sets: V8's flags, its heap in use, and the full collections as they end. */
export interface HeapControls {
  setFlags(flags: string): void;
  usedBytes(): number;
  /** Calls `collected` after full collections; returns what stops the calls. */
  onFullCollection(collected: () => void): () => void;
}

/** Whether a `gc` performance entry (its `detail` is Node's, not in the entry's type) is a full collection's, not the young generation's. */
export function isFullCollection(entry: object): boolean {
  return (entry as { detail?: { kind?: number } | null }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/** This process's V8. */
export const V8_HEAP_CONTROLS: HeapControls = {
  setFlags: (flags) => V8_FLAGS.change(flags),
  usedBytes: () => getHeapStatistics().used_heap_size,
  onFullCollection(collected) {
    const observer = new PerformanceObserver((list) => {
      if (list.getEntries().some(isFullCollection)) collected();
    });
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  },
};

const applied = new WeakSet<HeapControls>();

/**
 * Applies the policy to this process, once; V8 reads the growth at each full collection and the
 * marking start at each allocation check, so each setting holds from then on. The large heap's
 * setting, once reached, stays.
 */
export function applyHeapPolicy(controls: HeapControls = V8_HEAP_CONTROLS): void {
  if (applied.has(controls)) return;
  applied.add(controls);
  controls.setFlags(heapFlags(0));
  const stop = controls.onFullCollection(() => {
    const used = controls.usedBytes();
    if (used < SMALL_HEAP_BYTES) return;
    controls.setFlags(heapFlags(used));
    stop();
  });
}

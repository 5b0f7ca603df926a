import { expect } from 'chai';
import { constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  HEAP_GROWING_PERCENT,
  heapFlags,
  heapGrowingPercent,
  isFullCollection,
  applyHeapPolicy,
  SMALL_HEAP_BYTES,
  SMALL_HEAP_GROWING_PERCENT,
  SMALL_HEAP_MARKING_START_PERCENT,
  V8_HEAP_CONTROLS,
  type HeapControls,
} from '../../local/services/heap-policy.ts';
import { v8FlagsAnswer } from '../helpers.ts';

/** Controls that record the flags set and let the test say when a full collection ends, with how much in use. */
function fakeControls(): HeapControls & { flags: string[]; collect(usedBytes: number): void; observing: boolean } {
  let used = 0;
  let listener: (() => void) | undefined;
  const controls = {
    flags: [] as string[],
    observing: false,
    setFlags: (flags: string) => void controls.flags.push(flags),
    usedBytes: () => used,
    onFullCollection(collected: () => void) {
      listener = collected;
      controls.observing = true;
      return () => {
        listener = undefined;
        controls.observing = false;
      };
    },
    collect(usedBytes: number) {
      used = usedBytes;
      listener?.();
    },
  };
  return controls;
}

describe('heap policy', () => {
  it('lets a small heap double and a large one grow by a fifth', () => {
    expect(heapGrowingPercent(0)).to.equal(SMALL_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent(SMALL_HEAP_BYTES - 1)).to.equal(SMALL_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent(SMALL_HEAP_BYTES)).to.equal(HEAP_GROWING_PERCENT);
    expect(SMALL_HEAP_GROWING_PERCENT).to.be.greaterThan(HEAP_GROWING_PERCENT);
  });

  it('starts marking a small heap late and a large one where V8 would', () => {
    expect(heapFlags(0)).to.equal(
      `--heap-growing-percent=${SMALL_HEAP_GROWING_PERCENT} --incremental-marking-soft-trigger=${SMALL_HEAP_MARKING_START_PERCENT}`,
    );
    expect(heapFlags(SMALL_HEAP_BYTES)).to.equal(`--heap-growing-percent=${HEAP_GROWING_PERCENT} --incremental-marking-soft-trigger=0`);
  });

  it("sets flags this Node's V8 knows", () => {
    for (const flags of [heapFlags(0), heapFlags(SMALL_HEAP_BYTES)]) expect(v8FlagsAnswer(flags)).to.deep.equal({ status: 0, stderr: '' });
  });

  it('starts loose, tightens after the first full collection that leaves the bound crossed, and then stops watching', () => {
    const controls = fakeControls();
    applyHeapPolicy(controls);
    expect(controls.flags).to.deep.equal([heapFlags(0)]);
    controls.collect(SMALL_HEAP_BYTES / 2);
    expect(controls.flags).to.have.length(1);
    expect(controls.observing).to.equal(true);
    controls.collect(SMALL_HEAP_BYTES + 1);
    expect(controls.flags).to.deep.equal([heapFlags(0), heapFlags(SMALL_HEAP_BYTES + 1)]);
    expect(controls.observing).to.equal(false);
  });

  it('is applied once to the same process', () => {
    const controls = fakeControls();
    applyHeapPolicy(controls);
    applyHeapPolicy(controls);
    expect(controls.flags).to.have.length(1);
  });

  it("tells a full collection's entry from the young generation's", () => {
    expect(isFullCollection({ detail: { kind: constants.NODE_PERFORMANCE_GC_MAJOR } })).to.equal(true);
    expect(isFullCollection({ detail: { kind: constants.NODE_PERFORMANCE_GC_MINOR } })).to.equal(false);
    expect(isFullCollection({ detail: { kind: constants.NODE_PERFORMANCE_GC_INCREMENTAL } })).to.equal(false);
    expect(isFullCollection({ detail: null })).to.equal(false);
  });

  it("hears V8's full collections", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
    let heard = 0;
    const stop = V8_HEAP_CONTROLS.onFullCollection(() => (heard += 1));
    try {
      gc({ type: 'major' });
      // The observer's entries are delivered after the collection, on a later turn.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).to.be.at.least(1);
    } finally {
      stop();
    }
    expect(V8_HEAP_CONTROLS.usedBytes()).to.be.greaterThan(0);
  });
});

import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { payloadByteLength, withStatePayload } from '../../engine/history.ts';
import { readPath } from '../../engine/jsonpath/path.ts';
import { jsonByteLength } from '../../engine/payload.ts';
import { anySliceNoted, MIN_NOTED_LENGTH, sliceOrigin } from '../../engine/slices.ts';

const list = (length: number, tag = 'id') => Array.from({ length }, (_, index) => `${tag}-${index}`);

describe('engine: slices kept as ranges in the history', () => {
  it("notes where a JSONPath slice was cut, as a range of the first list of the chain of cuts", () => {
    const root = list(MIN_NOTED_LENGTH + 20);
    const first = readPath('$.List[1:]', { List: root }) as string[];
    expect(anySliceNoted()).to.equal(true);
    expect(sliceOrigin(first)).to.deep.equal({ list: root, start: 1, end: root.length });
    const second = readPath('$.List[2:12]', { List: first }) as string[];
    expect(second).to.have.length(10);
    // Too short to be noted, though its source was.
    expect(sliceOrigin(second)).to.equal(undefined);
    const third = readPath('$.List[3:]', { List: first }) as string[];
    expect(sliceOrigin(third)).to.deep.include({ list: root, start: 4, end: root.length });
    expect(root.slice(4)).to.deep.equal(third);
    expect(sliceOrigin(root)).to.equal(undefined);
  });

  it("gives a state payload holding slices the same text and size as the value, members' order included", () => {
    const root = list(MIN_NOTED_LENGTH * 2);
    const slice = readPath('$.List[5:]', { List: root }) as string[];
    const values: unknown[] = [
      slice,
      { List: slice },
      { before: 1, List: slice, after: { nested: [1, 2] }, again: slice, absent: undefined },
      { DynamoDB: { Item: { Message: { S: 'é€' } } }, List: slice },
    ];
    for (const value of values) {
      const details = withStatePayload({ name: 'S' }, 'output', value);
      expect(details.output).to.equal(JSON.stringify(value));
      expect(payloadByteLength(details)).to.equal(jsonByteLength(value)).and.to.equal(Buffer.byteLength(JSON.stringify(value)));
      expect(JSON.parse(JSON.stringify(details))).to.deep.equal({ name: 'S', output: JSON.stringify(value), outputDetails: { truncated: false } });
    }
  });

  it('keeps a value without a noted slice as it is, and one with many members unsearched', () => {
    const root = list(MIN_NOTED_LENGTH * 2);
    const slice = readPath('$.List[1:]', { List: root }) as string[];
    const wide = Object.fromEntries([...Array.from({ length: 20 }, (_, i) => [`k${i}`, i]), ['List', slice]]);
    for (const value of [{ a: [1, 2, 3] }, wide, [1, 2], 'text', null, 7]) {
      const details = withStatePayload({ name: 'S' }, 'input', value);
      expect(details.input).to.equal(JSON.stringify(value));
    }
  });

  it('lets the collector free each slice once the history holds the range instead', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const root = list(MIN_NOTED_LENGTH * 4);
    const kept: Record<string, unknown>[] = [];
    const refs: WeakRef<string[]>[] = [];
    let current = root;
    // A sixth turn, unwatched: the frame may still hold the last turn's values.
    for (let turn = 0; turn < 6; turn++) {
      const output = { List: readPath('$.List[1:]', { List: current }) as string[] };
      if (turn < 5) refs.push(new WeakRef(output.List));
      kept.push(withStatePayload({ name: 'Pop' }, 'output', output));
      kept.push(withStatePayload({ name: 'Next' }, 'input', output));
      current = output.List;
    }
    // What the engine and its size measures hold of the last few values goes as other values come.
    for (let turn = 0; turn < 8; turn++) withStatePayload({ name: 'Other' }, 'output', { List: readPath('$.List[1:]', { List: list(MIN_NOTED_LENGTH * 2, 'x') }) });
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.map((ref) => ref.deref())).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
    expect(kept[0]!.output).to.equal(JSON.stringify({ List: root.slice(1) }));
    expect(kept[9]!.input).to.equal(JSON.stringify({ List: root.slice(5) }));
  });
});

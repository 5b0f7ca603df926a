import { expect } from 'chai';
import sinon from 'sinon';
import { currentTime, History, HistoryLimitReached, withPayload } from '../../engine/history.ts';
import { stateContext } from '../../engine/context.ts';
import { readPath } from '../../engine/jsonpath/path.ts';
import { jsonByteLength, jsonSize } from '../../engine/payload.ts';

describe('engine: history', () => {
  it('numbers events from 1, with the given previousEventId and a details field named after the type', () => {
    const history = new History(100);
    expect(history.append('ExecutionStarted', 0, { roleArn: 'r' })).to.equal(1);
    expect(history.append('TaskStateEntered', 1, { name: 'S' })).to.equal(2);
    expect(history.append('MapIterationStarted', 2, { name: 'M', index: 0 })).to.equal(3);
    expect(history.append('LambdaFunctionStarted', 3)).to.equal(4);
    const [started, entered, iteration, lambda] = history.events;
    expect(started).to.deep.include({ id: 1, previousEventId: 0, type: 'ExecutionStarted', executionStartedEventDetails: { roleArn: 'r' } });
    expect(entered!.stateEnteredEventDetails).to.deep.equal({ name: 'S' });
    expect(iteration!.mapIterationStartedEventDetails).to.deep.equal({ name: 'M', index: 0 });
    expect(Object.keys(lambda!)).to.have.members(['id', 'previousEventId', 'timestamp', 'type']);
  });

  it('serializes payloads when read, as JSON text with inputDetails', () => {
    const value = { a: [1, 2] };
    const details = withPayload({ name: 'S' }, 'input', value);
    expect(JSON.parse(JSON.stringify(details))).to.deep.equal({ name: 'S', input: '{"a":[1,2]}', inputDetails: { truncated: false } });
    expect(details.input).to.equal('{"a":[1,2]}');
  });

  it('keeps the payload out of sight: only the fields AWS shows are keys, and a copy is plain data', () => {
    const details = withPayload({ name: 'S' }, 'output', { a: 1 });
    expect(Reflect.ownKeys(details)).to.deep.equal(['name', 'output', 'outputDetails']);
    expect({ ...details }).to.deep.equal({ name: 'S', output: '{"a":1}', outputDetails: { truncated: false } });
    const parameters = withPayload({ resource: 'getItem' }, 'parameters', [1], false);
    expect(Reflect.ownKeys(parameters)).to.deep.equal(['resource', 'parameters']);
    expect(parameters.parameters).to.equal('[1]');
  });

  it('gives each state entry the EnteredTime of its own millisecond, in every second and year', () => {
    const base = { Execution: {} as never, StateMachine: { Id: 'arn', Name: 'm' } };
    const start = Date.UTC(2024, 0, 1);
    const offsets = [0, 1, 1, 0, 9, 10, 99, 100, 999, 1000, 1001, 999, 86_400_000, -1, -1000, -1001];
    const times = [...offsets.map((ms) => start + ms), -1, -999, -1000, 0, 8.64e15, -8.64e15, Date.UTC(-20, 5, 1, 2, 3, 4, 5), Date.UTC(12345, 0, 1)];
    for (const time of times.map((ms) => new Date(ms))) {
      expect(stateContext(base, 'S', time, undefined).State.EnteredTime, String(time.getTime())).to.equal(time.toISOString());
    }
    expect(() => stateContext(base, 'S', new Date(Number.NaN), undefined)).to.throw(RangeError);
    expect(stateContext(base, 'S', new Date(start + 5), undefined).State.EnteredTime).to.equal(new Date(start + 5).toISOString());
  });

  it("stamps events of the same millisecond with one Date, and each millisecond's with its own", () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 0, 1), toFake: ['Date'] });
    try {
      const history = new History(10);
      history.append('ExecutionStarted', 0);
      history.append('PassStateEntered', 1);
      clock.tick(1);
      history.append('PassStateExited', 2);
      const [started, entered, exited] = history.events;
      expect(entered!.timestamp).to.equal(started!.timestamp);
      expect(exited!.timestamp).to.not.equal(entered!.timestamp);
      expect(exited!.timestamp.getTime() - started!.timestamp.getTime()).to.equal(1);
      expect(currentTime()).to.equal(exited!.timestamp);
      expect(currentTime().toISOString()).to.equal('2024-01-01T00:00:00.001Z');
    } finally {
      clock.restore();
    }
  });

  it('allows only a terminal execution event as the last event of the quota', () => {
    const history = new History(3);
    history.append('ExecutionStarted', 0);
    history.append('PassStateEntered', 1);
    expect(() => history.append('PassStateExited', 2)).to.throw(HistoryLimitReached, 'maximum number of history events (3)');
    expect(history.append('ExecutionFailed', 2)).to.equal(3);
    expect(() => history.append('ExecutionFailed', 3)).to.throw(HistoryLimitReached);
  });
});

describe('engine: payload sizes', () => {
  it('equal the UTF-8 byte length of the JSON text', () => {
    const values: unknown[] = [
      null,
      true,
      12.5,
      'plain',
      'quote " and \\ and \n',
      'é ü 𝄞',
      [1, 'a', null, { b: [] }],
      { k: 'v', u: undefined, n: { deep: ['x'.repeat(40)] } },
    ];
    for (const value of values) expect(jsonByteLength(value), JSON.stringify(value)).to.equal(Buffer.byteLength(JSON.stringify(value)));
  });

  it('equal it, with the depth, for objects and arrays of scalars of every small size inside larger values', () => {
    const scalars: unknown[] = ['s', 'é"\n', 0, -1.5, true, false, null, undefined, () => 1];
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    for (let size = 0; size <= 10; size++) {
      const members = Array.from({ length: size }, (_, index) => scalars[(index * 7 + size) % scalars.length]);
      const array = members;
      const object = Object.fromEntries(members.map((member, index) => [`k${index}${index % 4 === 1 ? '"é' : ''}`, member]));
      for (const value of [{ a: array, o: object, s: 'x' }, [array, object], [[object], { o: { array } }]]) {
        expect(jsonByteLength(value), JSON.stringify(value)).to.equal(Buffer.byteLength(JSON.stringify(value)));
        expect(jsonSize(value).depth, JSON.stringify(value)).to.equal(depthOf(JSON.parse(JSON.stringify(value))));
      }
    }
  });

  it('equal it, with the depth, for nested values of every breadth and depth around the small-value walk\'s bounds', () => {
    const scalars: unknown[] = ['s', 'é"\n', 0, true, null, undefined, () => 1];
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    // A tree `depth` levels deep, `breadth` members a level, alternating objects and arrays, each
    // level's last member the next level down, the others scalars (undefined and functions among them).
    const tree = (depth: number, breadth: number, asArray: boolean): unknown => {
      const members = Array.from({ length: breadth }, (_, index) =>
        index === breadth - 1 && depth > 1 ? tree(depth - 1, breadth, !asArray) : scalars[(index * 3 + depth) % scalars.length],
      );
      return asArray ? members : Object.fromEntries(members.map((member, index) => [`k${index}`, member]));
    };
    // Up to 72 members: past the 63 a small value may hold.
    for (let depth = 1; depth <= 8; depth++) {
      for (let breadth = 1; breadth <= 9; breadth++) {
        for (const asArray of [false, true]) {
          const value = tree(depth, breadth, asArray);
          for (const whole of [value, { inside: value, s: 'x' }, [value, value]]) {
            const text = JSON.stringify(whole) ?? 'undefined';
            expect(jsonByteLength(whole), text).to.equal(Buffer.byteLength(text));
            expect(jsonSize(whole).depth, text).to.equal(depthOf(JSON.parse(text)));
          }
        }
      }
    }
  });

  it('equal it for strings of every length band, plain, escaped or multi-byte, measured once or again', () => {
    for (const length of [1, 15, 16, 127, 128, 300]) {
      for (const filler of ['a', '"', '\\', '\n', '\u0001', 'é', '𝄞', '\u007f']) {
        const text = `${'k'.repeat(length - 1)}${filler}`;
        for (const value of [text, { [text]: text }, [text, text]]) {
          expect(jsonByteLength(value), `${length} ${JSON.stringify(filler)}`).to.equal(Buffer.byteLength(JSON.stringify(value)));
        }
      }
    }
  });

  it('stay exact for a list consumed from the front, and for look-alikes that are not its suffix', () => {
    let list: unknown[] = ['a', { b: 'é' }, 3, 'x'.repeat(20), null, 'last'];
    const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    while (list.length > 0) {
      expect(jsonByteLength(list)).to.equal(exact(list));
      list = list.slice(1);
    }
    expect(jsonByteLength([])).to.equal(2);
    const base = ['p', 'q', 'r'];
    expect(jsonByteLength(base)).to.equal(exact(base));
    const lookAlike = ['q', 's'];
    expect(jsonByteLength(lookAlike)).to.equal(exact(lookAlike));
  });

  it('stay exact for a long list consumed from the front with short arrays measured in between (a task result\'s headers)', () => {
    const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    let list: unknown[] = Array.from({ length: 30 }, (_, index) => (index % 7 === 3 ? { n: index } : `item-${index}-é`));
    while (list.length > 0) {
      expect(jsonByteLength(list)).to.equal(exact(list));
      const headers = { 'Content-Type': ['application/x-amz-json-1.0'], Date: [`turn ${list.length}`] };
      expect(jsonByteLength(headers)).to.equal(exact(headers));
      list = list.slice(list.length % 3 === 0 ? 2 : 1);
    }
    const base = Array.from({ length: 20 }, (_, index) => `base-${index}`);
    expect(jsonByteLength(base)).to.equal(exact(base));
    const lookAlike = [...base.slice(2, 10), 'not-the-same', ...base.slice(11)];
    expect(jsonByteLength(lookAlike)).to.equal(exact(lookAlike));
  });

  it('stay exact for a short list in each state\'s output, consumed from the front, with a task result measured in between', () => {
    const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    let list: unknown[] = Array.from({ length: 40 }, (_, index) => (index % 9 === 4 ? { n: [index, 'é'] } : `id-${index}-"q"`));
    while (list.length > 0) {
      const result = { Item: { Message: { S: `body ${list.length}` } }, Headers: Array.from({ length: 10 }, (_, index) => `h${index}`) };
      for (const output of [{ List: list }, { List: list, Result: result }, { List: list, Result: result, Sent: { n: list.length } }]) {
        expect(jsonByteLength(output)).to.equal(exact(output));
      }
      expect(jsonSize({ nested: { List: list } }).depth).to.equal(list.some((item) => typeof item === 'object') ? 5 : 3);
      list = readPath('$[1:]', list) as unknown[];
    }
  });

  it('walk a short list once: the next state\'s output that holds it reads none of its items again', () => {
    let reads = 0;
    const items = Array.from({ length: 30 }, (_, index) => `id-${index}`);
    const list = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const result = { Headers: { 'Content-Type': ['application/x-amz-json-1.0'] } };
    expect(jsonByteLength({ List: list, Turn: 1 })).to.equal(Buffer.byteLength(JSON.stringify({ List: items, Turn: 1 })));
    const firstReads = reads;
    expect(firstReads).to.be.at.least(30);
    expect(jsonByteLength({ List: list, Turn: 2, Result: result })).to.equal(Buffer.byteLength(JSON.stringify({ List: items, Turn: 2, Result: result })));
    expect(reads).to.equal(firstReads);
  });

  it('stay exact for the slices a JSONPath cuts from a measured list, and for any other list measured after one', () => {
    const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    let list: unknown[] = Array.from({ length: 150 }, (_, index) => (index % 5 === 0 ? { n: [index, 'é'] } : `id-${index}-"q"`));
    for (const path of ['$[1:]', '$[3:]', '$[9:]', '$[:-1]', '$[1:-1]', '$[0:]', '$[1:]', '$[-20:]']) {
      expect(jsonByteLength(list)).to.equal(exact(list));
      const slice = readPath(path, list) as unknown[];
      // Measured first, an array the slice was not: the slice noted last must not stand for it.
      const other = [...slice.slice(1), 'another item'];
      expect(jsonByteLength(other), `${path} other`).to.equal(exact(other));
      expect(jsonByteLength(slice), path).to.equal(exact(slice));
      expect(jsonByteLength({ List: slice, extra: { small: true } })).to.equal(exact({ List: slice, extra: { small: true } }));
      list = slice;
    }
    // A slice of a list never measured is measured in full.
    const fresh = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(30));
    const tail = readPath('$[1:]', fresh) as unknown[];
    expect(jsonByteLength(tail)).to.equal(exact(tail));
  });
});

import { expect } from 'chai';
import type { HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import { History, payloadByteLength, withPayload } from '../../engine/history.ts';
import { run } from '../engine/run.ts';
import { createHistoryFolder, foldHistory } from '../../execution/history.ts';

/** A payload that counts how often it is serialized whole (JSON.stringify calls its toJSON). */
function countingPayload(list: string[]): { value: unknown; serializations: () => number } {
  let count = 0;
  const value = { List: list };
  // Not one of its members: the engine measures the members, and only a serialization of the whole calls it.
  Object.defineProperty(value, 'toJSON', {
    value() {
      count += 1;
      return { List: list };
    },
    enumerable: false,
  });
  return { value, serializations: () => count };
}

describe('execution/history: payload sizes of the engine\'s events', () => {
  it('payloadByteLength gives the UTF-8 size of the field\'s JSON text, and nothing for details the engine did not make', () => {
    const value = { List: ['a', 'é', { n: 1 }], empty: [] };
    const details = withPayload({ name: 'S' }, 'input', value);
    expect(payloadByteLength(details)).to.equal(Buffer.byteLength(details.input as string));
    expect(payloadByteLength(withPayload({ name: 'S' }, 'output', undefined))).to.equal(Buffer.byteLength('null'));
    expect(payloadByteLength({ name: 'S', input: '{"a":1}' })).to.be.undefined;
  });

  /** A loop state entered four times: the fold keeps samples of the first three entries only. */
  function loopHistory(lastOutput: unknown): SdkHistoryEvent[] {
    const history = new History(100);
    let previous = history.append('ExecutionStarted', 0);
    const lists = [['x'.repeat(30), 'é'], ['y'], [], ['z']];
    for (const [index, list] of lists.entries()) {
      previous = history.append('PassStateEntered', previous, withPayload({ name: 'Loop' }, 'input', { List: list }));
      const output = index === lists.length - 1 ? lastOutput : { List: list, index };
      previous = history.append('PassStateExited', previous, withPayload({ name: 'Loop' }, 'output', output));
    }
    return history.events as unknown as SdkHistoryEvent[];
  }

  it('the fold measures them without serializing them', () => {
    // A long string: not a small value, which is measured from its text (engine/payload.ts).
    const counting = countingPayload(['w'.repeat(200)]);
    const fold = foldHistory(loopHistory(counting.value));
    expect(counting.serializations()).to.equal(0);
    expect(fold.maxPayloadBytes).to.be.greaterThan(100);
  });

  it('the fold gives the same figures as for the same events read from AWS', () => {
    const events = loopHistory({ List: ['w'.repeat(100), 'é'] });
    const fromEngine = foldHistory(events);
    // As GetExecutionHistory returns them: JSON text.
    const fromAws = foldHistory(
      (JSON.parse(JSON.stringify(events)) as SdkHistoryEvent[]).map((event) => ({ ...event, timestamp: new Date(event.timestamp as unknown as string) })),
    );
    expect(fromEngine).to.deep.equal(fromAws);
    expect(fromEngine.maxPayloadBytes).to.equal(Buffer.byteLength(JSON.stringify({ List: ['w'.repeat(100), 'é'] })));
  });

  it("takes each state's input and output size from the engine's quota check, the size of the event's text", async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Output: "{% {'text': 'ééé', 'items': [1, 2, 3], 'nested': {'x': null}} %}", Next: 'B' },
        B: { Type: 'Pass', Output: '{% $merge([$states.input, {"more": $states.input.items}]) %}', Next: 'C' },
        C: { Type: 'Pass', Output: '{% $states.input.more %}', End: true },
      },
    };
    const result = await run(definition, { start: true });
    expect(result.status).to.equal('SUCCEEDED');
    const details = result.history.flatMap((event) => {
      const { stateEnteredEventDetails: entered, stateExitedEventDetails: exited } = event as { stateEnteredEventDetails?: { input: string }; stateExitedEventDetails?: { output: string } };
      return [...(entered ? [{ details: entered, text: entered.input }] : []), ...(exited ? [{ details: exited, text: exited.output }] : [])];
    });
    expect(details).to.have.length(6);
    for (const { details: one, text } of details) expect(payloadByteLength(one)).to.equal(Buffer.byteLength(text, 'utf8'));
  });

  it("reads a sampled entry's payloads when its result is asked for, not as the events arrive", () => {
    const history = new History(100);
    const input = countingPayload(['w'.repeat(200), 'first']);
    const output = countingPayload(['w'.repeat(200)]);
    let previous = history.append('ExecutionStarted', 0);
    previous = history.append('PassStateEntered', previous, withPayload({ name: 'Loop' }, 'input', input.value));
    history.append('PassStateExited', previous, withPayload({ name: 'Loop' }, 'output', output.value));
    const folder = createHistoryFolder();
    for (const event of history.events) folder.add(event as unknown as SdkHistoryEvent);
    expect(input.serializations() + output.serializations()).to.equal(0);
    const [sample] = folder.result().states.Loop!.samples;
    expect(sample).to.deep.equal({ input: { List: ['w'.repeat(200), 'first'] }, output: { List: ['w'.repeat(200)] } });
    expect([input.serializations(), output.serializations()]).to.deep.equal([1, 1]);
    folder.result();
    expect([input.serializations(), output.serializations()], 'read once').to.deep.equal([1, 1]);
  });
});

import { expect } from 'chai';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createHistoryFolder, foldHistory, SAMPLES_PER_STATE } from '../../execution/history.ts';
import {
  CHOICE,
  invalidInputHistory,
  ITEMS,
  POP,
  READ,
  REJECT,
  SEED,
  SEND,
  sendDeniedHistory,
  succeededHistory,
  SUCCEED,
} from '../aws/fixtures.ts';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');

/** One event of a hand-written history: [id, previousEventId, ms after T0, type, state name]. */
type Row = [number, number, number, string, string?];

function history(rows: Row[]): HistoryEvent[] {
  return rows.map(([id, previousEventId, ms, type, name]) => {
    const event: HistoryEvent = { id, previousEventId, timestamp: new Date(T0 + ms), type: type as HistoryEvent['type'] };
    if (name !== undefined && type.endsWith('StateEntered')) {
      event.stateEnteredEventDetails = { name, input: JSON.stringify({ at: ms }) };
    } else if (name !== undefined && type.endsWith('StateExited')) {
      event.stateExitedEventDetails = { name, output: JSON.stringify({ at: ms }) };
    }
    return event;
  });
}

// A Map state whose two iterations run at once: their events interleave, and each iteration's
// events chain back through previousEventId to its own MapIterationStarted.
const CONCURRENT_MAP: Row[] = [
  [1, 0, 0, 'ExecutionStarted'],
  [2, 1, 0, 'MapStateEntered', 'Map'],
  [3, 2, 0, 'MapStateStarted'],
  [4, 3, 0, 'MapIterationStarted'],
  [5, 3, 0, 'MapIterationStarted'],
  [6, 4, 10, 'WaitStateEntered', 'Wait'],
  [7, 5, 20, 'WaitStateEntered', 'Wait'],
  [8, 7, 50, 'WaitStateExited', 'Wait'],
  [9, 8, 50, 'MapIterationSucceeded'],
  [10, 6, 110, 'WaitStateExited', 'Wait'],
  [11, 10, 110, 'MapIterationSucceeded'],
  [12, 11, 120, 'MapStateSucceeded'],
  [13, 12, 120, 'MapStateExited', 'Map'],
  [14, 13, 130, 'ExecutionSucceeded'],
];

describe('execution/history (the one history fold)', () => {
  it('counts every event, every state entry and each state in order of first entry', () => {
    const summary = foldHistory(succeededHistory());
    // 11 fixed events plus 14 per item, the seed function's own accounting.
    expect(summary.historyEvents).to.equal(39);
    expect(summary.stateTransitions).to.equal(11);
    expect(Object.keys(summary.states)).to.deep.equal([SEED, CHOICE, READ, SEND, POP, SUCCEED]);
    const entered = Object.fromEntries(Object.entries(summary.states).map(([name, state]) => [name, state.entered]));
    expect(entered).to.deep.equal({ [SEED]: 1, [CHOICE]: 3, [READ]: 2, [SEND]: 2, [POP]: 2, [SUCCEED]: 1 });
    expect(summary.failedState).to.be.undefined;
    expect(summary.warnings).to.deep.equal([]);
  });

  it('sums the time from each entry to its exit', () => {
    const { states } = foldHistory(succeededHistory());
    // Seed: scheduled +10, started +10, succeeded +800, exited +10.
    expect(states[SEED]!.ms).to.equal(830);
    // Read, twice: scheduled +10, started +10, succeeded +30, exited +10.
    expect(states[READ]!.ms).to.equal(120);
    expect(states[CHOICE]!.ms).to.equal(30);
  });

  it('keeps the parsed input and output of the first few entries of each state', () => {
    const three = [...ITEMS, { id: '5d41402abc4b-0003', body: 'third' }, { id: '5d41402abc4b-0004', body: 'fourth' }];
    const { states } = foldHistory(succeededHistory(three));
    expect(states[CHOICE]!.entered).to.equal(5);
    expect(states[CHOICE]!.samples).to.have.length(SAMPLES_PER_STATE);
    const [first] = states[READ]!.samples;
    expect(first!.input).to.deep.equal({ List: [...three.map((item) => item.id), 'DONE'] });
    expect((first!.output as { DynamoDB: unknown }).DynamoDB).to.deep.equal({
      Item: { Message: { S: 'Message 1' }, MessageId: { S: '5d41402abc4b-0001' } },
    });
  });

  it('measures the largest state payload in UTF-8 bytes and names its state', () => {
    const events = succeededHistory();
    const summary = foldHistory(events);
    // The Send state's output for the long, multi-byte second body is the largest payload.
    const sendOutputs = events
      .filter((event) => event.stateExitedEventDetails?.name === SEND)
      .map((event) => event.stateExitedEventDetails!.output!);
    const largest = sendOutputs[1]!;
    expect(summary.maxPayloadState).to.equal(SEND);
    expect(summary.maxPayloadBytes).to.equal(Buffer.byteLength(largest, 'utf8'));
    expect(summary.maxPayloadBytes).to.be.greaterThan(largest.length);
  });

  it('names the Fail state for input the seed function rejected, with the task error on its sample', () => {
    const summary = foldHistory(invalidInputHistory());
    expect(summary.failedState).to.equal(REJECT);
    expect(summary.states[REJECT]!.entered).to.equal(1);
    expect(summary.states[SEED]!.samples[0]).to.include({ error: 'InvalidInput' });
    expect(summary.states[SEED]!.samples[0]!.cause).to.contain('count must be an integer');
  });

  it('names the task that was running when the execution failed, with its last error', () => {
    const summary = foldHistory(sendDeniedHistory());
    expect(summary.failedState).to.equal(SEND);
    expect(summary.states[SEND]!.samples[0]).to.include({
      error: 'SQS.AccessDeniedException',
      cause: 'Access to the resource is denied',
    });
    // Entered, scheduled +10, started +10, throttled +50, rescheduled +1000, started +10, denied +50, failed +5.
    expect(summary.states[SEND]!.ms).to.equal(1135);
    expect(summary.states[SEND]!.samples[0]!.output).to.be.undefined;
  });

  it('counts a retried task attempt as a state transition', () => {
    const summary = foldHistory(sendDeniedHistory());
    const entries = Object.values(summary.states).reduce((sum, state) => sum + state.entered, 0);
    // The throttled SendMessage is scheduled a second time, inside the same state entry.
    expect(summary.stateTransitions).to.equal(entries + 1);
  });

  it('warns when the history truncated a payload', () => {
    const events = succeededHistory();
    events[1]!.stateEnteredEventDetails!.inputDetails = { truncated: true };
    expect(foldHistory(events).warnings).to.have.length(1);
  });

  it('tells which state each retry went back to, as the events arrive', () => {
    const retried: string[] = [];
    const folder = createHistoryFolder({ onRetry: (state) => retried.push(state) });
    for (const event of sendDeniedHistory()) folder.add(event);
    expect(retried).to.deep.equal([SEND]);
    expect(folder.result().failedState).to.equal(SEND);
  });

  it("counts each state's retries, for the report to show its attempts", () => {
    const fold = foldHistory(sendDeniedHistory());
    expect(fold.states[SEND]!.retries).to.equal(1);
    expect(Object.entries(fold.states).filter(([name]) => name !== SEND).map(([, state]) => state.retries)).to.satisfy((all: unknown[]) => all.every((retries) => retries === undefined));
  });

  it('attributes interleaved Map iterations to their own entries', () => {
    const fold = foldHistory(history(CONCURRENT_MAP));
    expect(fold.states.Wait!.entered).to.equal(2);
    // The first iteration waits 10 → 110 ms, the second 20 → 50 ms: 100 + 30, not 40 + 90.
    expect(fold.states.Wait!.ms).to.equal(130);
    expect(fold.states.Wait!.samples.map((sample) => sample.output)).to.deep.equal([{ at: 110 }, { at: 50 }]);
    expect(fold.states.Map!.ms).to.equal(120);
    expect(fold.stateTransitions).to.equal(3);
  });

  it('names the innermost running state when an execution fails inside a Map iteration', () => {
    const failed: Row[] = [...CONCURRENT_MAP.slice(0, 8), [9, 6, 60, 'ExecutionFailed']];
    const fold = foldHistory(history(failed));
    expect(fold.failedState).to.equal('Wait');
    expect(fold.states.Map!.ms).to.equal(60);
  });
});

import { expect } from 'chai';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { createHistoryFolder, foldHistory, SAMPLES_PER_STATE } from '../../execution/history.ts';
import {
  CHOICE,
  invalidInputHistory,
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
    const fold = foldHistory(succeededHistory());
    expect(fold.historyEvents).to.equal(39);
    expect(fold.stateTransitions).to.equal(11);
    expect(Object.keys(fold.states)).to.deep.equal([SEED, CHOICE, READ, SEND, POP, SUCCEED]);
    expect(fold.failedState).to.equal(undefined);
    expect(fold.warnings).to.deep.equal([]);
  });

  it('sums the time from each entry to its exit', () => {
    const { states } = foldHistory(succeededHistory());
    expect(states[SEED]!.ms).to.equal(830);
    expect(states[READ]!.ms).to.equal(120);
  });

  it('keeps the first few samples of each state and measures the largest payload', () => {
    const events = succeededHistory();
    const fold = foldHistory(events);
    expect(fold.states[CHOICE]!.samples.length).to.be.at.most(SAMPLES_PER_STATE);
    const largest = Math.max(
      ...events.map((event) =>
        Buffer.byteLength(event.stateEnteredEventDetails?.input ?? event.stateExitedEventDetails?.output ?? '', 'utf8'),
      ),
    );
    expect(fold.maxPayloadBytes).to.equal(largest);
  });

  it('names the failed state, with the task error on its sample, and counts a retry as a transition', () => {
    const denied = foldHistory(sendDeniedHistory());
    expect(denied.failedState).to.equal(SEND);
    expect(denied.states[SEND]!.samples[0]).to.include({ error: 'SQS.AccessDeniedException' });
    const entries = Object.values(denied.states).reduce((sum, state) => sum + state.entered, 0);
    expect(denied.stateTransitions).to.equal(entries + 1);
    expect(foldHistory(invalidInputHistory()).failedState).to.equal(REJECT);
  });

  it('tells which state each retry went back to, as the events arrive', () => {
    const retried: string[] = [];
    const folder = createHistoryFolder({ onRetry: (state) => retried.push(state) });
    for (const event of sendDeniedHistory()) folder.add(event);
    expect(retried).to.deep.equal([SEND]);
    expect(folder.result().failedState).to.equal(SEND);
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

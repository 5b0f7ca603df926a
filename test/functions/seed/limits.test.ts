import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { QUOTAS } from '../../../workflow/quotas.ts';
import { TRANSFER_RECORDS } from '../../../workflow/transfer-records.ts';
import {
  EVENTS_PER_ITEM,
  EVENTS_PER_RETRY,
  FIXED_EVENTS,
  MAX_ITEMS,
  MAX_MESSAGE_BYTES,
  RETRY_BUDGET,
} from '../../../functions/seed/limits.ts';
import { StatesError } from '../../../engine/index.ts';
import { run } from '../../engine/run.ts';
import { parseFault } from '../../../local/bridge/faults.ts';
import { runLocal } from '../../../local/run.ts';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
}

const ROOT = new URL('../../../', import.meta.url);
const asl = JSON.parse(readFileSync(new URL(TRANSFER_RECORDS.definition, ROOT), 'utf8')) as { StartAt: string; States: Record<string, State> };

// History events a state adds when it succeeds: a Task is entered, scheduled, started,
// succeeds and is exited; every other state is entered and exited.
function eventsOf(name: string): number {
  return asl.States[name]!.Type === 'Task' ? 5 : 2;
}

function loop(): { choice: string; body: string[] } {
  const choice = Object.keys(asl.States).find((name) => asl.States[name]!.Type === 'Choice')!;
  const body: string[] = [];
  for (let name = asl.States[choice]!.Choices![0]!.Next; name !== choice; name = asl.States[name]!.Next!) body.push(name);
  return { choice, body };
}

describe('seed limits', () => {
  it('count the history events of one loop iteration from the ASL', () => {
    const { choice, body } = loop();
    expect(body).to.have.length(3);
    expect(EVENTS_PER_ITEM).to.equal([choice, ...body].reduce((sum, name) => sum + eventsOf(name), 0));
  });

  it('count the history events outside the loop from the ASL', () => {
    const { choice } = loop();
    const executionStartedAndSucceeded = 2;
    const last = asl.States[choice]!.Default!;
    expect(asl.States[asl.StartAt]!.Next).to.equal(choice);
    expect(FIXED_EVENTS).to.equal(executionStartedAndSucceeded + eventsOf(asl.StartAt) + eventsOf(choice) + eventsOf(last));
  });

  it('count a retried Task attempt as Step Functions records it: TaskFailed, TaskScheduled, TaskStarted', async () => {
    const task = { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Retry: [{ ErrorEquals: ['States.ALL'] }], End: true };
    const definition = { StartAt: 'Read', States: { Read: task } };
    const types = async (failures: number) => {
      let calls = 0;
      const dispatch = async () => {
        calls += 1;
        if (calls <= failures) throw new StatesError('DynamoDB.ThrottlingException', 'slow down');
        return {};
      };
      const { history } = await run(definition, {}, { dispatch, retryDelay: () => 0 });
      return history.map((event) => event.type);
    };
    const [once, retried] = [await types(0), await types(1)];
    const scheduled = once.indexOf('TaskStarted') + 1;
    expect(retried.slice(scheduled, scheduled + EVENTS_PER_RETRY)).to.deep.equal(['TaskFailed', 'TaskScheduled', 'TaskStarted']);
    expect(retried.length - once.length).to.equal(EVENTS_PER_RETRY);
  });

  it('allow the largest item count whose execution stays within the history quota with 100 retried calls', () => {
    expect(RETRY_BUDGET).to.be.at.least(100);
    expect(MAX_ITEMS).to.equal(1763);
    const events = (items: number, retries: number) => items * EVENTS_PER_ITEM + FIXED_EVENTS + retries * EVENTS_PER_RETRY;
    expect(events(MAX_ITEMS, RETRY_BUDGET)).to.be.at.most(QUOTAS.historyEvents);
    expect(events(MAX_ITEMS + 1, RETRY_BUDGET)).to.be.above(QUOTAS.historyEvents);
  });

  it('let a run at the maximum count absorb retried calls offline, where 1,784 items failed after five', async function () {
    this.timeout(120_000);
    // As many consecutive failures as each Retry allows: 2 seed invocations, 5 GetItem and 5 SendMessage calls.
    const faults = ['lambda:invoke:throttled:2', 'dynamodb:getItem:throttled:5', 'sqs:sendMessage:throttled:5'].map(parseFault);
    const { record } = await runLocal({ count: MAX_ITEMS, faults, fastRetries: true });
    expect(record.status, record.cause).to.equal('SUCCEEDED');
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.historyEvents).to.equal(MAX_ITEMS * EVENTS_PER_ITEM + FIXED_EVENTS + 12 * EVENTS_PER_RETRY);
  });

  it('cap a message at the 256 KiB payload quota', () => {
    expect(MAX_MESSAGE_BYTES).to.equal(256 * 1024);
  });
});

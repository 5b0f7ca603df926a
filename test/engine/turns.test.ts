import { expect } from 'chai';
import { awaitTurn } from '../../engine/turns.ts';
import { machine, run } from './run.ts';

/** Counts the turns of the event loop until stopped: one immediate a turn. */
function turnCounter(): { stop(): number } {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      stopped = true;
      return turns;
    },
  };
}

describe('engine: executions take turns with the event loop', () => {
  it('resumes those waiting for a turn one a turn, first come first resumed', async () => {
    const order: string[] = [];
    const waits = ['a', 'b', 'c'].map((name) =>
      awaitTurn().then(() => {
        order.push(name);
        // Runs in the turn after this one: before c resumes only if b and c do not share a turn.
        if (name === 'a') setImmediate(() => order.push('the turn after a'));
      }),
    );
    await Promise.all(waits);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(order).to.deep.equal(['a', 'b', 'the turn after a', 'c']);
  });

  it('keeps resuming them in turn while they keep coming back, thousands of turns on', async () => {
    const executions = 10;
    const turnsEach = 300;
    const resumed: number[] = [];
    await Promise.all(
      Array.from({ length: executions }, async (_, execution) => {
        for (let turn = 0; turn < turnsEach; turn++) {
          await awaitTurn();
          resumed.push(execution);
        }
      }),
    );
    expect(resumed).to.have.length(executions * turnsEach);
    expect(resumed).to.deep.equal(Array.from({ length: executions * turnsEach }, (_, index) => index % executions));
  });

  it("lets the event loop turn between the turns of a Map's iterations that never wait", async () => {
    const iterations = 8;
    const rounds = 100; // a Choice and a Pass each: 1,600 states in all, a turn every 64 of the execution's states
    const loop = {
      StartAt: 'More?',
      States: {
        'More?': { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: rounds, Next: 'Count' }], Default: 'Done' },
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'More?' },
        Done: { Type: 'Succeed' },
      },
    };
    const counter = turnCounter();
    const result = await run(
      machine({ Type: 'Map', MaxConcurrency: iterations, ItemProcessor: loop, End: true }),
      Array.from({ length: iterations }, () => ({ n: 0 })),
    );
    const turns = counter.stop();
    expect(result.status).to.equal('SUCCEEDED');
    // Resumed in the same turn, the iterations would let the event loop turn about five times in all.
    expect(turns).to.be.at.least(Math.floor((iterations * 2 * rounds) / 64));
  });

  it("lets the event loop turn while a Map Run checks, selects and batches its items, before its first child starts", async () => {
    const items = Array.from({ length: 200_000 }, (_, index) => ({ i: index }));
    let counter: { stop(): number } | undefined;
    let turnsBeforeChildren = -1;
    const result = await run(
      machine({
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: {} },
        ItemSelector: { 'i.$': '$$.Map.Item.Value.i' },
        ItemBatcher: { MaxItemsPerBatch: 100_000 },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'Child',
          States: { Child: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: {}, End: true } },
        },
        End: true,
      }),
      {},
      {
        dispatch: async (call) => {
          if (call.resource.endsWith('getObject')) {
            counter = turnCounter();
            return items;
          }
          if (turnsBeforeChildren < 0) turnsBeforeChildren = counter!.stop();
          return {};
        },
      },
    );
    expect(result.status, result.cause).to.equal('SUCCEEDED');
    // At least one turn every 65,536 items in each of the three loops, whatever the machine's speed.
    expect(turnsBeforeChildren).to.be.at.least(3 * Math.floor(items.length / 65_536));
  });
});

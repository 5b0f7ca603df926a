import { expect } from 'chai';
import { runExecution } from '../../engine/index.ts';
import { context, definition, inMemoryServices, runEngineAlone } from '../../bench/transfer-records-engine.ts';
import { MAX_ITEMS } from '../../functions/seed/limits.ts';

// The project's own workflow, run by the engine alone with in-memory services (shared with
// bench/local.ts): a loop of Choice → GetItem Task → SendMessage Task → Pass `$.List[1:]`,
// 14 history events per item plus 11.
describe('engine: the transfer-records workflow', () => {
  it('runs 10 items with 14 events per item plus 11, sending each message once in order', async () => {
    const { dispatch, sent } = inMemoryServices(10);
    const result = await runExecution(definition, { items: 10 }, context, { dispatch });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.history).to.have.length(14 * 10 + 11);
    expect(sent).to.deep.equal(Array.from({ length: 10 }, (_, i) => `message id-${i}`));
    expect(result.history.slice(-3).map((event) => event.type)).to.deep.equal([
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('runs the largest input the seed accepts (MAX_ITEMS) to the end', async () => {
    const { result, sent } = await runEngineAlone(MAX_ITEMS);
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.history).to.have.length(14 * MAX_ITEMS + 11);
    expect(sent).to.have.length(MAX_ITEMS);
  });
});

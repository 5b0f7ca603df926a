import { expect } from 'chai';
import { pathToFileURL } from 'node:url';
import { startContainer } from '../../local/services/lambda-container.ts';

describe('local/lambda-container', () => {
  it('ends an invocation whose code never finishes loading once the Init limit and the timeout have passed', async () => {
    const setup = { moduleUrl: pathToFileURL('test/fixtures/lambda/spin-at-load.mjs').href, handler: 'index.handler', context: {}, callbacks: false };
    const container = startContainer(setup, {}, 200);
    const timedOut = { errorType: 'Sandbox.Timedout', errorMessage: 'timed out' };
    const started = Date.now();
    const outcome = await container.invoke({ requestId: 'r1', eventJson: '{}', timeoutMs: 100, log: false }, timedOut);
    expect(outcome).to.deep.equal({ ended: timedOut });
    expect(Date.now() - started).to.be.within(300, 5_000);
    // The container is over: its thread ended with its only invocation.
    expect(container.usable).to.equal(false);
    expect(container.running).to.equal(false);
  });
});

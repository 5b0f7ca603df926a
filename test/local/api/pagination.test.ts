// nextToken: stable while executions start between pages, and bound to the request that made it.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { paginate } from '../../../local/api/pagination.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { createClients } from '../../../execution/clients.ts';
import { rejection } from '../../helpers.ts';
import { entriesOf } from '../../fixtures/names.ts';

const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
const PASSES = JSON.stringify({
  StartAt: 'A',
  States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Pass', End: true } },
});

describe('local/api pagination', function () {
  this.timeout(30_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  let roleArn: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-pages' });
    server = await startApiServer({ env });
    sfn = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS }).sfn;
    roleArn = entriesOf(env.resources).stateMachineRoleArn;
  });

  after(async () => {
    sfn.destroy();
    await server.stop();
    await env.stop();
  });

  const start = async (stateMachineArn: string) => (await sfn.send(new StartExecutionCommand({ stateMachineArn }))).executionArn!;

  async function ended(executionArn: string): Promise<void> {
    while ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('lists every execution once when others start between pages', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'paged', definition: WAIT, roleArn }));
    const before: string[] = [];
    for (let index = 0; index < 5; index++) before.push(await start(stateMachineArn!));
    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, ...(nextToken ? { nextToken } : {}) }));
      listed.push(...page.executions!.map((execution) => execution.executionArn!));
      nextToken = page.nextToken;
      // Newer executions come before the token's place in a newest-first list: not on later pages.
      await start(stateMachineArn!);
    } while (nextToken);
    expect(listed).to.deep.equal([...before].reverse());
  });

  it('refuses a history token for another execution, or with reverseOrder changed, as InvalidToken', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'passes', definition: PASSES, roleArn }));
    const [first, second] = [await start(stateMachineArn!), await start(stateMachineArn!)];
    await ended(first);
    await ended(second);
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: first, maxResults: 2 }));
    expect(page.nextToken).to.be.a('string');
    const other = await rejection(sfn.send(new GetExecutionHistoryCommand({ executionArn: second, maxResults: 2, nextToken: page.nextToken })));
    expect(other.name).to.equal('InvalidToken');
    const reversed = await rejection(
      sfn.send(new GetExecutionHistoryCommand({ executionArn: first, maxResults: 2, reverseOrder: true, nextToken: page.nextToken })),
    );
    expect(reversed.name).to.equal('InvalidToken');
    expect(reversed.message).to.equal("Invalid Token: 'Invalid token'");
    // The same request goes on where the page ended.
    const next = await sfn.send(new GetExecutionHistoryCommand({ executionArn: first, maxResults: 2, nextToken: page.nextToken }));
    expect(next.events!.map((event) => event.id)).to.deep.equal([3, 4]);
  });

  it('refuses a token of another operation or another filter as InvalidToken', async () => {
    const machines = await sfn.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(machines.nextToken).to.be.a('string');
    const crossed = await rejection(sfn.send(new ListExecutionsCommand({ stateMachineArn: server.workflowArn, nextToken: machines.nextToken })));
    expect(crossed.name).to.equal('InvalidToken');
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'filtered', definition: WAIT, roleArn }));
    for (let index = 0; index < 3; index++) await start(stateMachineArn!);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }));
    const unfiltered = await rejection(sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1, nextToken: running.nextToken })));
    expect(unfiltered.name).to.equal('InvalidToken');
  });

  describe('paginate', () => {
    const scope = { operation: 'Test' };
    const all = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

    it('goes on after the last item served, in either order, whatever was added or removed', () => {
      const first = paginate(all(1, 5).reverse(), (n) => n, 'descending', { maxResults: 2, nextToken: undefined, scope });
      expect(first.items).to.deep.equal([5, 4]);
      // 6 and 7 added at the head, 3 removed: the next page starts after 4.
      const second = paginate([7, 6, 5, 4, 2, 1], (n) => n, 'descending', { maxResults: 2, nextToken: first.nextToken, scope });
      expect(second).to.deep.equal({ items: [2, 1] });
      const ascending = paginate(all(1, 5), (n) => n, 'ascending', { maxResults: 3, nextToken: undefined, scope });
      expect(paginate(all(1, 8), (n) => n, 'ascending', { maxResults: 3, nextToken: ascending.nextToken, scope }).items).to.deep.equal([4, 5, 6]);
    });

    it('refuses garbage, a token of another scope, and a token of an earlier run shape as InvalidToken, with AWS\'s message', () => {
      const page = paginate(all(1, 5), (n) => n, 'ascending', { maxResults: 2, nextToken: undefined, scope });
      for (const nextToken of ['garbage', Buffer.from('{"offset": 2}').toString('base64'), page.nextToken!.slice(1)]) {
        expect(() => paginate(all(1, 5), (n) => n, 'ascending', { maxResults: 2, nextToken, scope }), nextToken).to.throw("Invalid Token: 'Invalid token'");
      }
      expect(() => paginate(all(1, 5), (n) => n, 'ascending', { maxResults: 2, nextToken: page.nextToken, scope: { operation: 'Other' } })).to.throw(
        /Invalid Token/,
      );
    });
  });
});

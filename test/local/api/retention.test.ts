// The endpoint keeps the latest finished executions only (a small bound injected here), never a running one.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { createClients } from '../../../execution/clients.ts';
import { rejection } from '../../helpers.ts';
import { entriesOf } from '../../fixtures/names.ts';

const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

describe('local/api retention', function () {
  this.timeout(30_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-retain' });
    server = await startApiServer({ env, retainedExecutions: 2 });
    sfn = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS }).sfn;
  });

  after(async () => {
    sfn.destroy();
    await server.stop();
    await env.stop();
  });

  it('forgets the earliest finished executions beyond the bound, and keeps every running one', async () => {
    const roleArn = entriesOf(env.resources).stateMachineRoleArn;
    const waiting = (await sfn.send(new CreateStateMachineCommand({ name: 'waits', definition: WAIT, roleArn }))).stateMachineArn!;
    const passing = (await sfn.send(new CreateStateMachineCommand({ name: 'passes', definition: PASS, roleArn }))).stateMachineArn!;
    const running: string[] = [];
    for (let index = 0; index < 3; index++) running.push((await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting }))).executionArn!);
    const finished: string[] = [];
    for (let index = 0; index < 5; index++) {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: passing, name: `pass-${index}` }));
      await server.executions.get(executionArn!).done;
      finished.push(executionArn!);
    }
    for (const executionArn of finished.slice(0, 3)) {
      expect((await rejection(sfn.send(new DescribeExecutionCommand({ executionArn })))).name).to.equal('ExecutionDoesNotExist');
      expect((await rejection(sfn.send(new GetExecutionHistoryCommand({ executionArn })))).name).to.equal('ExecutionDoesNotExist');
    }
    for (const executionArn of finished.slice(3)) {
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).to.equal('SUCCEEDED');
    }
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: passing }));
    expect(listed.executions!.map((execution) => execution.name)).to.deep.equal(['pass-4', 'pass-3']);
    const stillRunning = await sfn.send(new ListExecutionsCommand({ stateMachineArn: waiting }));
    expect(stillRunning.executions!.map((execution) => execution.executionArn)).to.deep.equal([...running].reverse());
    expect(stillRunning.executions!.every((execution) => execution.status === 'RUNNING')).to.equal(true);
    // A forgotten execution's name is free again, as it would be once AWS no longer keeps it.
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: passing, name: 'pass-0' }));
    expect(again.executionArn).to.equal(finished[0]);
  });
});

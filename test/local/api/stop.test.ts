// Stopping the endpoint with the at-scale seed in flight: the seed is told no time is left and
// stops starting batches, instead of the endpoint waiting for it to write every item.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { startApiServer } from '../../../local/api/server.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { describedFunctionSettings } from '../../../local/services/lambda-runner.ts';
import { createClients } from '../../../execution/clients.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../../workflow/transfer-records-at-scale.ts';
import { SEED_FUNCTION } from '../../../workflow/transfer-records.ts';

const COUNT = 10_000;

describe('local/api stop with a seed in flight', function () {
  this.timeout(60_000);

  it('aborts the execution and stops the seed after the batches in flight, not after all its items', async () => {
    const env = await startLocalEnvironment({ prefix: 'api-stop' });
    const clients = createClients({ region: env.resources.region, endpoints: env.endpoints, credentials: LOCAL_CREDENTIALS });
    try {
      const server = await startApiServer({ env });
      const { sfn } = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS });
      const stateMachineArn = env.resources.stateMachines[TRANSFER_RECORDS_AT_SCALE.name]!.arn;
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ count: COUNT }) }));
      sfn.destroy();
      const execution = server.executions.get(executionArn!);
      // The seed is running once its Task has started.
      while (!execution.events.some((event) => event.type === 'TaskStarted')) await new Promise((resolve) => setTimeout(resolve, 5));
      await server.stop();
      expect(execution.status).to.equal('ABORTED');
      const table = describedFunctionSettings(env.resources, SEED_FUNCTION.name).environment[SEED_FUNCTION.tableNameVariable]!;
      const { Count } = await clients.dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
      expect(Count).to.be.below(COUNT);
    } finally {
      for (const client of Object.values(clients)) client.destroy();
      await env.stop();
    }
  });
});

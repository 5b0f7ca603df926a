// The `aws` command (v1 here; skipped where there is none) against the local endpoint, with the
// commands `make serve` prints: its history holds as many events as the offline run's.
import { expect } from 'chai';
import { runLocal } from '../../../local/run.ts';
import { NO_HOST_PREFIX, stepFunctionsCommands } from '../../../local/api/instructions.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { entriesOf } from '../../fixtures/names.ts';
import { hasAwsCli, runAws } from '../../aws-command.ts';


/** Splits one printed command into its arguments; the input is the only quoted one. */
function argsOf(command: string): string[] {
  const quoted = /'([^']*)'/.exec(command);
  const parts = command.replace(/'[^']*'/, 'QUOTED').split(/\s+/).slice(1);
  return parts.map((part) => (part === 'QUOTED' ? quoted![1]! : part));
}

(hasAwsCli ? describe : describe.skip)('local/api with the aws command', function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli');

  // The printed commands carry their own --endpoint-url.
  const aws = (args: string[]) => runAws(args, { home: cli.home, region: cli.env.resources.region, env: { [NO_HOST_PREFIX]: 'true' } });

  it('lists, starts, describes and reads the history of the workflow, as many events as offline', async () => {
    const [list, start, describe, history] = stepFunctionsCommands(cli.server.endpoint, cli.server.workflowArn).map(argsOf);
    const machines = (await aws(list!)).stateMachines as { name: string }[];
    expect(machines.map((machine) => machine.name)).to.include(entriesOf(cli.env.resources).names.stateMachine);

    const started = await aws(start!);
    expect(started.executionArn).to.be.a('string');
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      const described = await aws(describe!);
      status = described.status as string;
      expect(described.executionArn).to.equal(started.executionArn);
    }
    expect(status).to.equal('SUCCEEDED');
    // The CLI follows nextToken itself: every event arrives.
    const events = (await aws(history!)).events as { type: string }[];

    const offline = await runLocal({ count: 3, prefix: 'api-cli-offline' });
    expect(events).to.have.length(offline.history.length);
    expect(events.map((event) => event.type)).to.deep.equal(offline.history.map((event) => event.type));
  });

  it('runs test-state on a state of the workflow with a mocked error', async () => {
    const { definition } = (await aws(['stepfunctions', 'describe-state-machine', '--state-machine-arn', cli.server.workflowArn, '--endpoint-url', cli.server.endpoint])) as {
      definition: string;
    };
    const result = await aws([
      'stepfunctions',
      'test-state',
      '--definition',
      definition,
      '--state-name',
      'Read Next Message from DynamoDB',
      '--input',
      '{"List": ["a", "DONE"]}',
      '--mock',
      '{"errorOutput": {"error": "DynamoDB.ProvisionedThroughputExceededException", "cause": "slow"}}',
      '--inspection-level',
      'DEBUG',
      '--endpoint-url',
      cli.server.endpoint,
    ]);
    expect(result).to.deep.include({ status: 'RETRIABLE', error: 'DynamoDB.ProvisionedThroughputExceededException' });
    expect(JSON.parse((result.inspectionData as { afterParameters: string }).afterParameters).Key).to.deep.equal({ MessageId: { S: 'a' } });
  });
});

// Callbacks and activities through the `aws` command (v1 here; skipped where there is none)
// against the local endpoint: a worker's loop, the callback's answers and AWS's errors by name.
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { entriesOf } from '../../fixtures/names.ts';
import { hasAwsCli, runAws } from '../../aws-command.ts';


(hasAwsCli ? describe : describe.skip)('local/api: callbacks and activities with the aws command', function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli-callbacks');
  let roleArn: string;

  before(() => {
    roleArn = entriesOf(cli.env.resources).stateMachineRoleArn;
  });

  const sfn = (args: string[]) => runAws(['stepfunctions', ...args], cli.options());

  /** The error code the command names on stderr: `An error occurred (Code) when calling …`. */
  async function refusal(args: string[]): Promise<string | undefined> {
    try {
      await sfn(args);
      return undefined;
    } catch (error) {
      return /An error occurred \((\w+)\)/.exec(String((error as { stderr?: string }).stderr))?.[1];
    }
  }

  // Waiting for the end is polled with the SDK: each `aws` call starts Python (most of a second),
  // and describe-execution through the command has its own test (aws-cli.test.ts).
  async function finished(executionArn: string): Promise<Record<string, unknown>> {
    const client = new SFNClient({ endpoint: cli.server.endpoint, region: cli.env.resources.region, credentials: LOCAL_CREDENTIALS });
    try {
      for (;;) {
        const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
        if (execution.status !== 'RUNNING') return { ...execution };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      client.destroy();
    }
  }

  async function machine(name: string, state: Record<string, unknown>): Promise<string> {
    const definition = JSON.stringify({ StartAt: 'S', States: { S: { ...state, End: true } } });
    return (await sfn(['create-state-machine', '--name', name, '--definition', definition, '--role-arn', roleArn])).stateMachineArn as string;
  }

  it('a worker takes activity tasks and answers them: success, failure, heartbeat, a silent worker timed out', async () => {
    const activityArn = (await sfn(['create-activity', '--name', 'review'])).activityArn as string;
    const stateMachineArn = await machine('review', { Type: 'Task', Resource: activityArn, HeartbeatSecondsPath: '$.heartbeat' });
    const start = async (heartbeat: number) => (await sfn(['start-execution', '--state-machine-arn', stateMachineArn, '--input', JSON.stringify({ heartbeat })])).executionArn as string;

    const approved = await start(30);
    const task = await sfn(['get-activity-task', '--activity-arn', activityArn, '--worker-name', 'cli']);
    expect(JSON.parse(task.input as string)).to.deep.equal({ heartbeat: 30 });
    await sfn(['send-task-heartbeat', '--task-token', task.taskToken as string]);
    await sfn(['send-task-success', '--task-token', task.taskToken as string, '--task-output', '{"ok": 1}']);
    expect(await finished(approved)).to.include({ status: 'SUCCEEDED', output: '{"ok":1}' });
    expect(await refusal(['send-task-success', '--task-token', task.taskToken as string, '--task-output', '{}'])).to.equal('TaskTimedOut');

    const declined = await start(30);
    const second = await sfn(['get-activity-task', '--activity-arn', activityArn]);
    await sfn(['send-task-failure', '--task-token', second.taskToken as string, '--error', 'Declined', '--cause', 'no']);
    expect(await finished(declined)).to.include({ status: 'FAILED', error: 'Declined', cause: 'no' });

    const silent = await start(1);
    await sfn(['get-activity-task', '--activity-arn', activityArn]);
    expect(await finished(silent)).to.include({ status: 'FAILED', error: 'States.HeartbeatTimeout' });

    expect(await refusal(['describe-activity', '--activity-arn', activityArn.replace('review', 'absent')])).to.equal('ActivityDoesNotExist');
  });

  it('a callback Task sends its token and waits; the answers and AWS’s errors by name', async () => {
    const stateMachineArn = await machine('ask', {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: entriesOf(cli.env.resources).queueUrl, 'MessageBody.$': '$$.Task.Token' },
      TimeoutSecondsPath: '$.timeout',
    });
    const start = async (timeout: number) => (await sfn(['start-execution', '--state-machine-arn', stateMachineArn, '--input', JSON.stringify({ timeout })])).executionArn as string;
    const tokenOf = async (executionArn: string): Promise<string> => {
      for (;;) {
        const { events } = (await sfn(['get-execution-history', '--execution-arn', executionArn])) as { events: { type: string; taskScheduledEventDetails?: { parameters: string } }[] };
        if (events.some((event) => event.type === 'TaskSubmitted')) {
          return JSON.parse(events.find((event) => event.type === 'TaskScheduled')!.taskScheduledEventDetails!.parameters).MessageBody as string;
        }
      }
    };

    const answered = await start(60);
    const token = await tokenOf(answered);
    await sfn(['send-task-success', '--task-token', token, '--task-output', '{"approved": true}']);
    expect(await finished(answered)).to.include({ status: 'SUCCEEDED', output: '{"approved":true}' });
    expect(await refusal(['send-task-failure', '--task-token', token])).to.equal('TaskTimedOut');

    const late = await start(1);
    await tokenOf(late);
    expect(await finished(late)).to.include({ status: 'FAILED', error: 'States.Timeout' });

    expect(await refusal(['send-task-success', '--task-token', `AQ${'B'.repeat(64)}`, '--task-output', '{}'])).to.equal('TaskDoesNotExist');
    expect(await refusal(['send-task-heartbeat', '--task-token', 'made-up'])).to.equal('InvalidToken');
  });
});

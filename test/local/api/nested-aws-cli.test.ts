// A nested execution through the `aws` command (v1 here; skipped where there is none) against the
// local endpoint: a parent that runs a child to its end (.sync:2), the child listed and described
// as an execution of its own, and a parent whose child fails.
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { hasAwsCli, runAws } from '../../aws-command.ts';


(hasAwsCli ? describe : describe.skip)('local/api: nested executions with the aws command', function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli-nested');

  const aws = (service: 'stepfunctions' | 'iam', args: string[]) => runAws([service, ...args], cli.options());
  const sfn = (args: string[]) => aws('stepfunctions', args);

  async function finished(executionArn: string): Promise<Record<string, unknown>> {
    for (;;) {
      const execution = await sfn(['describe-execution', '--execution-arn', executionArn]);
      if (execution.status !== 'RUNNING') return execution;
    }
  }

  it('a parent runs a child to its end under a role made with aws iam; the child is listed, described and has its own history', async () => {
    const { region, accountId } = cli.env.resources;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: `arn:aws:states:${region}:${accountId}:stateMachine:*` },
        { Effect: 'Allow', Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: `arn:aws:states:${region}:${accountId}:execution:*` },
        { Effect: 'Allow', Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Resource: `arn:aws:events:${region}:${accountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule` },
      ],
    });
    const roleArn = ((await aws('iam', ['create-role', '--role-name', 'parent-role', '--assume-role-policy-document', STEP_FUNCTIONS_TRUST_POLICY])).Role as { Arn: string }).Arn;
    await aws('iam', ['put-role-policy', '--role-name', 'parent-role', '--policy-name', 'nested', '--policy-document', policy]);
    const create = async (name: string, state: Record<string, unknown>) =>
      (await sfn(['create-state-machine', '--name', name, '--role-arn', roleArn, '--definition', JSON.stringify({ StartAt: 'S', States: { S: { ...state, ...(state.Type === 'Fail' ? {} : { End: true }) } } })])).stateMachineArn as string;
    const child = await create('double', { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' } });
    const failing = await create('refuse', { Type: 'Fail', Error: 'Refused', Cause: 'no' });
    const parentOf = (target: string) =>
      create(`parent-of-${target.split(':').at(-1)}`, {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: { StateMachineArn: target, Name: 'from-parent', Input: { 'n.$': '$.n', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } },
      });

    const parent = await sfn(['start-execution', '--state-machine-arn', await parentOf(child), '--input', '{"n": 21}']);
    const done = await finished(parent.executionArn as string);
    expect(done.status).to.equal('SUCCEEDED');
    const output = JSON.parse(done.output as string) as { ExecutionArn: string; Output: unknown; Status: string };
    expect(output).to.deep.include({ Output: { twice: 42 }, Status: 'SUCCEEDED' });

    const listed = (await sfn(['list-executions', '--state-machine-arn', child])).executions as { executionArn: string; name: string }[];
    expect(listed.map((execution) => execution.executionArn)).to.deep.equal([output.ExecutionArn]);
    const described = await sfn(['describe-execution', '--execution-arn', output.ExecutionArn]);
    expect(described).to.include({ name: 'from-parent', status: 'SUCCEEDED', stateMachineArn: child });
    expect(JSON.parse(described.input as string)).to.deep.equal({ n: 21, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parent.executionArn });
    const history = (await sfn(['get-execution-history', '--execution-arn', output.ExecutionArn])).events as { type: string }[];
    expect(history.map((event) => event.type)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);

    const refused = await finished((await sfn(['start-execution', '--state-machine-arn', await parentOf(failing), '--input', '{"n": 1}'])).executionArn as string);
    expect(refused).to.include({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(refused.cause as string)).to.include({ Status: 'FAILED', Error: 'Refused', Cause: 'no' });
  });
});

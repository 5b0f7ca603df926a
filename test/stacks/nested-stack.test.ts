// A workflow that starts another workflow's executions (states:startExecution.sync:2): the stack
// builds its role's policy from the description's grants (nestedExecutionGrants), with the ARNs
// AWS's "IAM policies for AWS Step Functions" names, in any partition.
import { dirname } from 'node:path';
import { Testing } from 'cdktf';
import { expect } from 'chai';
import { TransferRecordsStack } from '../../stacks/transfer-records-stack.ts';
import { STACK_NAME } from '../../workflow/settings.ts';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { nestingApp, nestingWorkflow } from '../fixtures/nested/nesting.ts';
import { addressOf, all, ARN_SCOPE, leavesNoTempFolder, ref, seedZipFixture, testApp, type Synthesized } from './synth.ts';

describe('TransferRecordsStack with a nested workflow', () => {
  leavesNoTempFolder();
  let stack: Synthesized;

  before(() => {
    const json = Testing.synth(new TransferRecordsStack(testApp(), STACK_NAME, { env: {}, app: nestingApp(), distDir: dirname(seedZipFixture()), sharedConfig: () => undefined }));
    stack = { json, ...(JSON.parse(json) as Omit<Synthesized, 'json'>) };
  });

  it('grants the nesting role StartExecution on the child, DescribeExecution and StopExecution on its executions, and the managed rule', () => {
    const machines = all(stack.resource, 'aws_sfn_state_machine');
    const nesting = machines.get(`aws_sfn_state_machine.${nestingWorkflow().id}`)!;
    const child = String(machines.get(`aws_sfn_state_machine.${TRANSFER_RECORDS.id}`)!.name);
    const role = addressOf(nesting.role_arn, 'arn');
    const policies = [...all(stack.resource, 'aws_iam_role_policy')].filter(([, body]) => body.role === ref(role, 'id'));
    expect(policies).to.have.length(1);
    const document = all(stack.data, 'aws_iam_policy_document', 'data.').get(addressOf(policies[0]![1].policy, 'json'))!;
    const pairs = (document.statement as { actions: string[]; resources: string[] }[]).flatMap((statement) =>
      statement.actions.flatMap((action) => statement.resources.map((resource) => `${action} on ${resource}`)),
    );
    const { partition, region, account } = ARN_SCOPE;
    expect(pairs).to.have.members([
      `states:StartExecution on arn:${partition}:states:${region}:${account}:stateMachine:${child}`,
      `states:DescribeExecution on arn:${partition}:states:${region}:${account}:execution:${child}:*`,
      `states:StopExecution on arn:${partition}:states:${region}:${account}:execution:${child}:*`,
      ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map(
        (action) => `${action} on arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
      ),
    ]);
  });
});

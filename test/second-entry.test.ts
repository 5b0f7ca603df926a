// Adding a function and a workflow is their files plus their entries: the build, the stack and
// the offline run pick up the fixtures' echo function and echo workflow with no other change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Testing } from 'cdktf';
import { runLocal } from '../local/run.ts';
import { buildAll } from '../scripts/build.ts';
import { TransferRecordsStack } from '../stacks/transfer-records-stack.ts';
import { STACK_NAME } from '../workflow/settings.ts';
import { FIXTURE_APP } from './fixtures/app/echo.ts';
import { leavesNoTempFolder, testApp } from './stacks/synth.ts';

describe('a second function and a second workflow, added as entries', function () {
  this.timeout(120_000);
  let distDir: string;

  before(async () => {
    distDir = mkdtempSync(join(tmpdir(), 'second-entry-'));
    await buildAll({ app: FIXTURE_APP, outDir: distDir });
  });

  after(() => rmSync(distDir, { recursive: true, force: true }));
  // After the hooks above: its own folder is made and removed outside the one checked.
  leavesNoTempFolder();

  it('the build bundles and zips both functions', async () => {
    const built = await buildAll({ app: FIXTURE_APP, outDir: distDir });
    expect(built.map((fn) => fn.name)).to.deep.equal(['seed', 'echo']);
    expect(built.map((fn) => fn.zipFile)).to.deep.equal([join(distDir, 'seed.zip'), join(distDir, 'echo.zip')]);
  });

  it('the stack creates both functions and both state machines, each with its role, policy, log group and output', () => {
    const stack = new TransferRecordsStack(testApp(), STACK_NAME, { env: {}, app: FIXTURE_APP, distDir, sharedConfig: () => undefined });
    const { resource, output } = JSON.parse(Testing.synth(stack)) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
      output: Record<string, unknown>;
    };
    expect(Object.keys(resource.aws_lambda_function!)).to.have.members(['seed_function', 'echo_function']);
    expect(Object.keys(resource.aws_sfn_state_machine!)).to.have.members(['state_machine', 'at_scale_state_machine', 'echo_state_machine']);
    expect(Object.keys(resource.aws_iam_role!)).to.have.members([
      'seed_role',
      'echo_role',
      'state_machine_role',
      'at_scale_state_machine_role',
      'echo_state_machine_role',
    ]);
    expect(resource.aws_cloudwatch_log_group).to.have.keys(
      'seed_log_group',
      'echo_log_group',
      'state_machine_log_group',
      'at_scale_state_machine_log_group',
      'echo_state_machine_log_group',
    );
    expect(resource.aws_lambda_function!.echo_function).to.deep.include({
      function_name: 'transfer-records-echo',
      environment: { variables: { QUEUE_URL: '${aws_sqs_queue.queue.url}' } },
    });
    expect(String(resource.aws_sfn_state_machine!.echo_state_machine!.definition)).to.contain(
      '"EchoFunctionArn" = aws_lambda_function.echo_function.arn',
    );
    expect(output).to.include.keys('echo_function_name', 'echo_state_machine_arn', 'state_machine_arn', 'seed_function_name');
  });

  it('the offline run runs the second workflow, its function under its own role and environment', async () => {
    const { record } = await runLocal({ app: FIXTURE_APP, workflow: 'echo', distDir, input: { hello: 'world' } });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.stateMachineArn).to.equal('arn:aws:states:us-east-1:000000000000:stateMachine:transfer-records-echo');
    expect(record.output).to.deep.equal({
      echo: { hello: 'world' },
      queueUrl: (record.output as { queueUrl: string }).queueUrl,
    });
    expect((record.output as { queueUrl: string }).queueUrl).to.match(/\/000000000000\/transfer-records-queue$/);
    expect(Object.keys(record.states)).to.deep.equal(['Echo']);
  });
});

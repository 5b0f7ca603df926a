// The `aws` command (v1 here; skipped where there is none) against the endpoint's IAM and a mock
// configuration: a user's role made with create-role and put-role-policy, a state machine created
// with it, and an execution of a test case, `--state-machine-arn <arn>#HappyPath`.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { loadMockConfig } from '../../../local/host/mock-config.ts';
import { awsCliEndpoint } from './aws-cli-endpoint.ts';
import { entriesOf } from '../../fixtures/names.ts';
import { awsFailure, hasAwsCli, runAws } from '../../aws-command.ts';


(hasAwsCli ? describe : describe.skip)('local/api IAM and mock configurations with the aws command', function () {
  this.timeout(120_000);
  const cli = awsCliEndpoint('api-cli-iam', async () => ({ mockConfig: await loadMockConfig('test/fixtures/mocks/mock-config.json') }));

  const aws = (args: string[]) => runAws(args, cli.options());
  const failure = (args: string[]) => awsFailure(args, cli.options());

  it('create-role, put-role-policy, get-role, list-roles, then a test case run under the role; delete-role-policy, delete-role', async () => {
    const trust = STEP_FUNCTIONS_TRUST_POLICY;
    const created = (await aws(['iam', 'create-role', '--role-name', 'cli-greeter', '--assume-role-policy-document', trust])).Role as Record<string, unknown>;
    expect(created.Arn).to.equal(`arn:aws:iam::${cli.env.resources.accountId}:role/cli-greeter`);
    // The CLI decodes the URL-encoded document IAM returns.
    expect(created.AssumeRolePolicyDocument).to.deep.equal(JSON.parse(trust));
    expect(await failure(['iam', 'create-role', '--role-name', 'cli-greeter', '--assume-role-policy-document', trust])).to.include('(EntityAlreadyExists)');

    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: entriesOf(cli.env.resources).queueArn }] });
    expect(await aws(['iam', 'put-role-policy', '--role-name', 'cli-greeter', '--policy-name', 'send', '--policy-document', policy])).to.deep.equal({});
    expect(await failure(['iam', 'put-role-policy', '--role-name', 'cli-greeter', '--policy-name', 'bad', '--policy-document', '{"Statement": [{"Effect": "Allow", "Action": "SendMessage", "Resource": "*"}]}'])).to.include(
      '(MalformedPolicyDocument)',
    );
    expect(((await aws(['iam', 'get-role', '--role-name', 'cli-greeter'])).Role as Record<string, unknown>).RoleName).to.equal('cli-greeter');
    const listed = (await aws(['iam', 'list-roles'])).Roles as { RoleName: string }[];
    expect(listed.map((role) => role.RoleName)).to.include('cli-greeter').and.include(entriesOf(cli.env.resources).names.stateMachineRole);

    const definition = (await readFile('test/fixtures/mocks/lambda-sqs-integration.asl.json', 'utf8')).replace('${QueueUrl}', entriesOf(cli.env.resources).queueUrl);
    const machine = await aws(['stepfunctions', 'create-state-machine', '--name', 'LambdaSQSIntegration', '--definition', definition, '--role-arn', created.Arn as string]);
    const started = await aws(['stepfunctions', 'start-execution', '--state-machine-arn', `${machine.stateMachineArn as string}#HybridPath`, '--name', 'hybrid']);
    await cli.server.executions.get(started.executionArn as string).done;
    const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', started.executionArn as string]);
    expect(described.status, String(described.cause)).to.equal('SUCCEEDED');

    expect(await aws(['iam', 'delete-role-policy', '--role-name', 'cli-greeter', '--policy-name', 'send'])).to.deep.equal({});
    expect(await aws(['iam', 'delete-role', '--role-name', 'cli-greeter'])).to.deep.equal({});
    expect(await failure(['iam', 'get-role', '--role-name', 'cli-greeter'])).to.include('(NoSuchEntity)');
  });
});

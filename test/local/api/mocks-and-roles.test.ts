// The endpoint as Step Functions Local runs a mock configuration (`<stateMachineArn>#<TestCase>`),
// and IAM's query protocol on the same port: a user's own role, made with CreateRole and
// PutRolePolicy, under which the user's state machine runs, enforced by local IAM. Plain HTTP
// requests, as any client sends them.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { loadMockConfig } from '../../../local/host/mock-config.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { entriesOf } from '../../fixtures/names.ts';

describe('local/api mock configurations and user roles', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let definition: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-mocks' });
    server = await startApiServer({ env, mockConfig: await loadMockConfig('test/fixtures/mocks/mock-config.json') });
    const template = await readFile('test/fixtures/mocks/lambda-sqs-integration.asl.json', 'utf8');
    definition = template.replace('${QueueUrl}', entriesOf(env.resources).queueUrl);
  });

  after(async () => {
    await server?.stop();
    await env?.stop();
  });

  async function sfn(operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${operation}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function iam(action: string, params: Record<string, string>): Promise<{ status: number; xml: string }> {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString(),
    });
    return { status: response.status, xml: await response.text() };
  }

  const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

  async function finished(executionArn: string) {
    const execution = server.executions.get(executionArn);
    await execution.done;
    return execution;
  }

  async function start(stateMachineArn: string) {
    const started = await sfn('StartExecution', { stateMachineArn, input: '{"name": "Ada"}' });
    expect(started.status, JSON.stringify(started.json)).to.equal(200);
    return finished(started.json.executionArn as string);
  }

  it('makes a user role in the query protocol, and runs the user\'s machine under it: mocked, hybrid, and real', async () => {
    const created = await iam('CreateRole', { RoleName: 'greeter-role', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY, Description: 'the user\'s own' });
    expect(created.status, created.xml).to.equal(200);
    expect(created.xml).to.match(/^<\?xml/).and.include('<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role>');
    const roleArn = /<Arn>([^<]*)<\/Arn>/.exec(created.xml)![1]!;
    expect(roleArn).to.equal(`arn:aws:iam::${env.resources.accountId}:role/greeter-role`);
    expect(code((await iam('CreateRole', { RoleName: 'greeter-role', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY })).xml)).to.equal('EntityAlreadyExists');

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: entriesOf(env.resources).queueArn },
      ],
    });
    expect((await iam('PutRolePolicy', { RoleName: 'greeter-role', PolicyName: 'greet', PolicyDocument: policy })).status).to.equal(200);

    // A definition naming a function that does not exist is accepted, as AWS accepts it.
    const machine = await sfn('CreateStateMachine', { name: 'LambdaSQSIntegration', definition, roleArn });
    expect(machine.status, JSON.stringify(machine.json)).to.equal(200);
    const arn = machine.json.stateMachineArn as string;

    const happy = await start(`${arn}#HappyPath`);
    expect(happy.status).to.equal('SUCCEEDED');
    expect(JSON.parse(happy.output!)).to.deep.include({ MessageId: '9f8e7d6c-5b4a-4321-8fed-cba987654321' });
    expect(happy.events.filter((event) => event.type.startsWith('Task') && !event.type.includes('State')).map((event) => event.type)).to.deep.equal([
      'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded',
    ]);

    // HybridPath: the SQS state sends for real, under the user's role.
    const hybrid = await start(`${arn}#HybridPath`);
    expect(hybrid.status, hybrid.cause).to.equal('SUCCEEDED');
    expect(JSON.parse(hybrid.output!).MessageId).to.not.equal('9f8e7d6c-5b4a-4321-8fed-cba987654321');
    expect(env.queueMessages(entriesOf(env.resources).queueUrl)!.map((message) => message.body)).to.include('Good morning from a mock');

    // No test case: the function is called, and fails as on AWS, after the state's retries.
    const real = await start(arn);
    expect(real.status).to.equal('FAILED');
    expect(real.error).to.equal('Lambda.ResourceNotFoundException');
    expect(real.cause).to.include('Function not found: arn:aws:lambda:').and.include(':function:GreetingFunction:$LATEST');

    const unknown = await sfn('StartExecution', { stateMachineArn: `${arn}#SadPath` });
    expect(unknown.status).to.equal(400);
    expect(unknown.json).to.deep.include({ __type: 'ValidationException' });
    expect(unknown.json.message).to.include('no test case "SadPath" for "LambdaSQSIntegration"');

    // The policy is the role's as it is now: without it, the send is denied.
    expect(code((await iam('DeleteRole', { RoleName: 'greeter-role' })).xml)).to.equal('DeleteConflict');
    expect((await iam('DeleteRolePolicy', { RoleName: 'greeter-role', PolicyName: 'greet' })).status).to.equal(200);
    const denied = await start(`${arn}#HybridPath`);
    expect(denied.status).to.equal('FAILED');
    expect(denied.cause).to.include(`is not authorized to perform: sqs:SendMessage on resource: ${entriesOf(env.resources).queueArn}`);
    // The call carries a session of the machine's role named after the machine, as its child starts do.
    expect(denied.cause).to.include(`User: arn:aws:sts::${env.resources.accountId}:assumed-role/greeter-role/LambdaSQSIntegration is not authorized`);

    // StartSyncExecution takes a test case too: an EXPRESS machine of the same name, all of it mocked.
    await sfn('DeleteStateMachine', { stateMachineArn: arn });
    const express = await sfn('CreateStateMachine', { name: 'LambdaSQSIntegration', type: 'EXPRESS', definition, roleArn });
    const sync = await sfn('StartSyncExecution', { stateMachineArn: `${express.json.stateMachineArn as string}#HappyPath` });
    expect(sync.json, JSON.stringify(sync.json)).to.deep.include({ status: 'SUCCEEDED' });
    expect(JSON.parse(sync.json.output as string)).to.deep.include({ MessageId: '9f8e7d6c-5b4a-4321-8fed-cba987654321' });
  });

  it('answers IAM\'s errors and reads; the stack\'s roles are listed but not changed; untrusted and unknown roles are refused', async () => {
    const roles = await iam('ListRoles', {});
    expect(roles.xml).to.include(`<RoleName>${entriesOf(env.resources).names.stateMachineRole}</RoleName>`).and.include('<IsTruncated>false</IsTruncated>');
    const stackPut = await iam('PutRolePolicy', { RoleName: entriesOf(env.resources).names.stateMachineRole, PolicyName: 'more', PolicyDocument: '{}' });
    expect([stackPut.status, code(stackPut.xml)]).to.deep.equal([400, 'UnmodifiableEntity']);

    const missing = await iam('GetRole', { RoleName: 'nobody' });
    expect([missing.status, code(missing.xml)]).to.deep.equal([404, 'NoSuchEntity']);
    expect(missing.xml).to.include('<Type>Sender</Type>').and.include('The role with name nobody cannot be found.');
    expect(code((await iam('CreateRole', { RoleName: 'bad', AssumeRolePolicyDocument: '{not json' })).xml)).to.equal('MalformedPolicyDocument');
    expect(code((await iam('CreateRole', { RoleName: 'no/slash', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY })).xml)).to.equal('ValidationError');
    expect(code((await iam('FlyAway', {})).xml)).to.equal('InvalidAction');

    await iam('CreateRole', { RoleName: 'reader', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY });
    for (const document of [
      '{"Statement": [{"Effect": "Allow", "Action": "GetItem", "Resource": "*"}]}',
      '{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "table"}]}',
      '{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*", "Condition": {}}]}',
      '{"Statement": []}',
    ]) {
      const put = await iam('PutRolePolicy', { RoleName: 'reader', PolicyName: 'p', PolicyDocument: document });
      expect([put.status, code(put.xml)], document).to.deep.equal([400, 'MalformedPolicyDocument']);
    }
    const good = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}}';
    await iam('PutRolePolicy', { RoleName: 'reader', PolicyName: 'p', PolicyDocument: good });
    const read = await iam('GetRolePolicy', { RoleName: 'reader', PolicyName: 'p' });
    expect(read.xml).to.include(`<PolicyDocument>${encodeURIComponent(good)}</PolicyDocument>`);
    expect((await iam('ListRolePolicies', { RoleName: 'reader' })).xml).to.include('<PolicyNames><member>p</member></PolicyNames>');

    // A role Step Functions may not assume, and one that does not exist, are refused as AWS refuses them.
    const lambdaTrust = STEP_FUNCTIONS_TRUST_POLICY.replace('states.amazonaws.com', 'lambda.amazonaws.com');
    const untrusted = /<Arn>([^<]*)<\/Arn>/.exec((await iam('CreateRole', { RoleName: 'lambda-only', AssumeRolePolicyDocument: lambdaTrust })).xml)![1]!;
    const pass = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    for (const roleArn of [untrusted, `arn:aws:iam::${env.resources.accountId}:role/never-made`]) {
      const refused = await sfn('CreateStateMachine', { name: 'refused', definition: pass, roleArn });
      expect(refused.json.__type, roleArn).to.equal('AccessDeniedException');
    }
  });
});

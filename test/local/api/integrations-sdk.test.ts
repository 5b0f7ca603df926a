// @aws-sdk/client-sfn against the endpoint, for the integrations of issue 17: a literal
// ToleratedFailurePercentage out of range refused at creation; a Task on a service no emulator
// runs refused (InvalidDefinition, suggesting a mock configuration) unless a test case mocks it,
// when a mocked callback answers its own token; aws-sdk:s3 with no bucket anywhere
// (S3.NoSuchBucketException) and aws-sdk:lambda:invoke of a function that does not exist; a
// state machine's sns:publish and events:putEvents under a user's role.
import { readFile } from 'node:fs/promises';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { loadMockConfig } from '../../../local/host/mock-config.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { createClients } from '../../../execution/clients.ts';
import { entriesOf } from '../../fixtures/names.ts';
import { rejection } from '../../helpers.ts';


describe('local/api integrations with @aws-sdk/client-sfn', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  let roleArn: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-integrations' });
    server = await startApiServer({ env, mockConfig: await loadMockConfig('test/fixtures/mocks/approval-mocks.json') });
    sfn = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS }).sfn;
    // A user's role that may call the services these machines use, anywhere.
    const iam = (params: Record<string, string>) =>
      fetch(server.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString() });
    await iam({ Action: 'CreateRole', RoleName: 'integrations', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY });
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'lambda:InvokeFunction', 'sqs:SendMessage', 'sns:Publish', 'events:PutEvents'], Resource: '*' }] };
    await iam({ Action: 'PutRolePolicy', RoleName: 'integrations', PolicyName: 'all', PolicyDocument: JSON.stringify(policy) });
    roleArn = `arn:aws:iam::${env.resources.accountId}:role/integrations`;
  });

  after(async () => {
    sfn?.destroy();
    await server?.stop();
    await env?.stop();
  });

  async function run(name: string, definition: unknown, input: unknown, testCase?: string) {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: typeof definition === 'string' ? definition : JSON.stringify(definition), roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: testCase ? `${stateMachineArn}#${testCase}` : stateMachineArn, input: JSON.stringify(input) }));
    await server.executions.get(executionArn!).done;
    return { executionArn: executionArn!, execution: await sfn.send(new DescribeExecutionCommand({ executionArn })) };
  }

  it('refuses a literal ToleratedFailurePercentage above 100 at creation (InvalidDefinition)', async () => {
    const map = { Type: 'Map', ToleratedFailurePercentage: 101, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true };
    const refused = await rejection(sfn.send(new CreateStateMachineCommand({ name: 'tolerates-too-much', definition: JSON.stringify({ StartAt: 'M', States: { M: map } }), roleArn })));
    expect(refused).to.be.instanceOf(InvalidDefinition);
    expect((refused as Error).message).to.include('ToleratedFailurePercentage must be between 0 and 100.');
  });

  it('refuses a Glue Task no test case mocks, suggesting a mock configuration; runs it mocked, the mocked callback answering its token', async () => {
    const definition = (await readFile('test/fixtures/mocks/approval.asl.json', 'utf8')).replace('${QueueUrl}', entriesOf(env.resources).queueUrl);
    const refused = await rejection(sfn.send(new CreateStateMachineCommand({ name: 'NotMocked', definition, roleArn })));
    expect(refused).to.be.instanceOf(InvalidDefinition);
    expect((refused as Error).message).to.include('state "Run Job": resource "arn:aws:states:::glue:startJobRun" is not supported offline').and.include('SFN_MOCK_CONFIG');

    const { executionArn, execution } = await run('Approval', definition, { order: 3 }, 'Approved');
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output!).approval).to.deep.equal({ approved: true, by: 'Ada' });
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events.map((event) => event.type);
    const submitted = types.indexOf('TaskSubmitted');
    expect(types.slice(submitted, submitted + 2)).to.deep.equal(['TaskSubmitted', 'TaskSucceeded']);
  });

  it('aws-sdk:s3 with no bucket anywhere fails as S3.NoSuchBucketException; aws-sdk:lambda:invoke of no function as Lambda.ResourceNotFoundException', async () => {
    const task = (Resource: string, Parameters: unknown) => ({ Type: 'Task', Resource, Parameters, End: true });
    const s3 = await run('sdk-s3', { StartAt: 'Get', States: { Get: task('arn:aws:states:::aws-sdk:s3:getObject', { Bucket: 'nobody', Key: 'k' }) } }, {});
    expect(s3.execution).to.include({ status: 'FAILED', error: 'S3.NoSuchBucketException' });
    const lambda = await run('sdk-lambda', { StartAt: 'Call', States: { Call: task('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'nobody' }) } }, {});
    expect(lambda.execution).to.include({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    expect(lambda.execution.cause).to.match(/^Function not found: arn:aws:lambda:[a-z0-9-]+:\d{12}:function:nobody:\$LATEST \(Service: Lambda, Status Code: 404, Request ID: /);
  });

  it('sns:publish and events:putEvents under the user\'s role: the topic that does not exist is SNS.NotFoundException', async () => {
    await env.messaging.sns.call('CreateTopic', { Name: 'sdk-orders' });
    const topic = `arn:aws:sns:${env.resources.region}:${env.resources.accountId}:sdk-orders`;
    const definition = await readFile('test/fixtures/integrations/publish.asl.json', 'utf8');
    const { execution } = await run('sdk-publish', definition, { order: 5, topic, missingTopic: `${topic}-gone` });
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output.missing.Error).to.equal('SNS.NotFoundException');
    expect(output.announced).to.deep.include({ FailedEntryCount: 0 });
    const published = env.messaging.notifications().filter((notification) => notification.target === topic);
    expect(published.map((notification) => notification.body)).to.deep.equal(['{"order":5}']);
  });
});

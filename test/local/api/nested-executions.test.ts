// Nested executions (`arn:aws:states:::states:startExecution`) through @aws-sdk/client-sfn against
// the local endpoint: each child is an execution of its own, seen by DescribeExecution,
// GetExecutionHistory and ListExecutions; the parent's result has AWS's shape for each form; a
// failed child fails a `.sync` parent; stopping the parent stops its `.sync` child; a callback
// waits for the token the child got; and the role needs what AWS's IAM requires.
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { MAX_CAUSE_LENGTH } from '../../../local/api/executions.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { rejection } from '../../helpers.ts';

const RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

// A Fail state ends by itself: AWS refuses End on it.
const machine = (state: Record<string, unknown>) => JSON.stringify({ StartAt: 'S', States: { S: { ...state, ...(state.Type === 'Fail' ? {} : { End: true }) } } });
const parentOf = (resource: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  machine({ Type: 'Task', Resource: `arn:aws:states:::states:${resource}`, Parameters: parameters, ...extra });

describe('local/api: nested executions (states:startExecution) with @aws-sdk/client-sfn', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  let nestingRole: string;
  let startOnlyRole: string;
  const child: Record<string, string> = {};

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-nested' });
    server = await startApiServer({ env });
    sfn = new SFNClient({ endpoint: server.endpoint, region: env.resources.region, credentials: LOCAL_CREDENTIALS });
    const { region, accountId } = env.resources;
    const role = (name: string, statements: unknown[]) => {
      const made = server.roles.create({ name, assumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY });
      server.roles.putPolicy(name, 'nesting', JSON.stringify({ Version: '2012-10-17', Statement: statements }));
      return made.arn;
    };
    // As AWS's "IAM policies for AWS Step Functions" writes them, for any machine of the account.
    nestingRole = role('nesting', [
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [`arn:aws:states:${region}:${accountId}:stateMachine:*`] },
      { Effect: 'Allow', Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: [`arn:aws:states:${region}:${accountId}:execution:*`] },
      { Effect: 'Allow', Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Resource: [`arn:aws:events:${region}:${accountId}:rule/${RULE}`] },
    ]);
    startOnlyRole = role('start-only', [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [`arn:aws:states:${region}:${accountId}:stateMachine:echo`] }]);
    const create = async (name: string, definition: string, roleArn = nestingRole) =>
      (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn }))).stateMachineArn!;
    child.echo = await create('echo', machine({ Type: 'Pass', Parameters: { 'got.$': '$' } }));
    child.fails = await create('fails', machine({ Type: 'Fail', Error: 'Nope', Cause: 'the child said no' }));
    child.waits = await create('waits', machine({ Type: 'Wait', Seconds: 600 }));
  });

  after(async () => {
    sfn?.destroy();
    await server?.stop();
    await env?.stop();
  });

  async function run(name: string, definition: string, input: unknown = {}, roleArn = nestingRole) {
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn }))).stateMachineArn!;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
    await server.executions.get(executionArn!).done;
    return sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  const history = async (executionArn: string) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;

  it('starts a child and goes on (request-response): StartExecution\'s response; the child is an execution of its own, started by the parent', async () => {
    const parent = await run('fire', parentOf('startExecution', {
      StateMachineArn: child.echo,
      Input: { 'n.$': '$.n', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    }), { n: 7 });
    expect(parent.status, parent.cause).to.equal('SUCCEEDED');
    const output = JSON.parse(parent.output!) as Record<string, unknown>;
    expect(output).to.have.keys('ExecutionArn', 'StartDate', 'SdkHttpMetadata', 'SdkResponseMetadata');
    expect(output.StartDate).to.be.a('number');
    const childArn = output.ExecutionArn as string;
    expect(childArn).to.match(new RegExp(`^${child.echo!.replace(':stateMachine:', ':execution:')}:[0-9a-f-]{36}$`));

    await server.executions.get(childArn).done;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }));
    expect(JSON.parse(described.input!)).to.deep.equal({ n: 7, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parent.executionArn });
    expect(described.status).to.equal('SUCCEEDED');
    expect((await history(childArn)).map((event) => event.type)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: child.echo }))).executions!;
    expect(listed.map((execution) => execution.executionArn)).to.include(childArn);
  });

  it('.sync returns the child\'s DescribeExecution with Output as text, .sync:2 with Input and Output parsed; TaskSubmitted comes between', async () => {
    const parameters = { StateMachineArn: child.echo, Name: 'sync-child', Input: { a: 1 } };
    const sync = await run('sync', parentOf('startExecution.sync', parameters));
    expect(sync.status, sync.cause).to.equal('SUCCEEDED');
    const description = JSON.parse(sync.output!) as Record<string, unknown>;
    expect(description).to.include({
      ExecutionArn: child.echo!.replace(':stateMachine:', ':execution:') + ':sync-child',
      Name: 'sync-child',
      StateMachineArn: child.echo,
      Status: 'SUCCEEDED',
      Input: '{"a":1}',
      Output: '{"got":{"a":1}}',
    });
    expect(description.StartDate).to.be.a('number');
    expect(description.StopDate).to.be.a('number');
    expect(Object.keys(description)).to.deep.equal([...Object.keys(description)].sort());
    const events = await history(sync.executionArn!);
    expect(events.map((event) => event.type).slice(1, 6)).to.deep.equal(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    const submitted = events.find((event) => event.type === 'TaskSubmitted')!.taskSubmittedEventDetails!;
    expect(submitted).to.include({ resourceType: 'states', resource: 'startExecution.sync' });
    expect(JSON.parse(submitted.output!)).to.include({ ExecutionArn: description.ExecutionArn });

    const sync2 = await run('sync2', parentOf('startExecution.sync:2', { ...parameters, Name: 'sync2-child' }));
    expect(JSON.parse(sync2.output!)).to.deep.include({ Input: { a: 1 }, Output: { got: { a: 1 } }, Status: 'SUCCEEDED' });
  });

  it('a child that fails fails the .sync Task with States.TaskFailed and the child\'s description as the cause; a Catch takes it', async () => {
    const failed = await run('sync-fails', parentOf('startExecution.sync', { StateMachineArn: child.fails }));
    expect(failed.status).to.equal('FAILED');
    expect(failed.error).to.equal('States.TaskFailed');
    expect(JSON.parse(failed.cause!)).to.include({ Status: 'FAILED', Error: 'Nope', Cause: 'the child said no', StateMachineArn: child.fails });

    const caught = await run('sync-caught', JSON.stringify({
      StartAt: 'S',
      States: {
        S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child.fails }, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Pass', End: true },
      },
    }));
    expect(caught.status, caught.cause).to.equal('SUCCEEDED');
  });

  it('stopping the parent stops its .sync child, with the cause AWS gives', async () => {
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'stops', definition: parentOf('startExecution.sync', { StateMachineArn: child.waits, Name: 'stopped-child' }), roleArn: nestingRole }))).stateMachineArn!;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const childArn = `${child.waits!.replace(':stateMachine:', ':execution:')}:stopped-child`;
    while (!(await history(executionArn!)).some((event) => event.type === 'TaskSubmitted')) await new Promise((resolve) => setImmediate(resolve));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }))).status).to.equal('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn }));
    await server.executions.get(childArn).done;
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }));
    expect(stopped.status).to.equal('ABORTED');
    expect(stopped.cause).to.equal(`The Task state in AWS Step Functions execution [${executionArn}] which was managing this resource was aborted`);
  });

  it('a .sync Task that times out stops its child too, and fails with States.Timeout', async () => {
    const parent = await run('times-out', parentOf('startExecution.sync:2', { StateMachineArn: child.waits, Name: 'timed-out-child' }, { TimeoutSeconds: 1 }));
    expect(parent).to.include({ status: 'FAILED', error: 'States.Timeout' });
    const childArn = `${child.waits!.replace(':stateMachine:', ':execution:')}:timed-out-child`;
    await server.executions.get(childArn).done;
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }));
    expect(stopped).to.include({ status: 'ABORTED', cause: `The Task state in AWS Step Functions execution [${parent.executionArn}] which was managing this resource was aborted` });
  });

  it('.waitForTaskToken: the child gets the token in its input; the parent waits for SendTaskSuccess', async () => {
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({
      name: 'callback',
      definition: parentOf('startExecution.waitForTaskToken', { StateMachineArn: child.echo, Name: 'callback-child', Input: { 'token.$': '$$.Task.Token' } }),
      roleArn: nestingRole,
    }))).stateMachineArn!;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const childArn = `${child.echo!.replace(':stateMachine:', ':execution:')}:callback-child`;
    while (!(await history(executionArn!)).some((event) => event.type === 'TaskSubmitted')) await new Promise((resolve) => setImmediate(resolve));
    const { token } = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }))).input!) as { token: string };
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).to.equal('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    await server.executions.get(executionArn!).done;
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).to.include({ status: 'SUCCEEDED', output: '{"approved":true}' });
  });

  it('asks of the role what AWS does: the managed rule at creation for .sync, StartExecution on the child at the call', async () => {
    const refused = await rejection(sfn.send(new CreateStateMachineCommand({ name: 'no-rule', definition: parentOf('startExecution.sync', { StateMachineArn: child.echo }), roleArn: startOnlyRole })));
    expect(refused).to.include({ name: 'AccessDeniedException', message: `'${startOnlyRole}' is not authorized to create managed-rule.` });

    const allowed = await run('start-echo', parentOf('startExecution', { StateMachineArn: child.echo }), {}, startOnlyRole);
    expect(allowed.status, allowed.cause).to.equal('SUCCEEDED');
    const denied = await run('start-fails', parentOf('startExecution', { StateMachineArn: child.fails }), {}, startOnlyRole);
    expect(denied.status).to.equal('FAILED');
    expect(denied.error).to.equal('StepFunctions.AWSStepFunctionsException');
    expect(denied.cause).to.include(`is not authorized to perform: states:StartExecution on resource: ${child.fails}`).and.include('Error Code: AccessDeniedException');
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: child.fails }))).executions!.map((execution) => execution.name)).to.not.include(denied.name);
  });

  it('a child state machine that does not exist fails the Task as AWS does: StepFunctions.StateMachineDoesNotExistException', async () => {
    const missing = child.echo!.replace(/echo$/, 'absent');
    const failed = await run('absent-child', parentOf('startExecution.sync', { StateMachineArn: missing }));
    expect(failed.status).to.equal('FAILED');
    expect(failed.error).to.equal('StepFunctions.StateMachineDoesNotExistException');
    expect(failed.cause).to.match(new RegExp(`^State Machine Does Not Exist: '${missing}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [0-9a-f-]+; Proxy: null\\)$`));
  });
});

describe('local/api: workflows that start themselves: the running executions are bounded, and the endpoint keeps answering', function () {
  this.timeout(60_000);
  const LIMIT = 25;
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  let roleArn: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-nested-limit' });
    server = await startApiServer({ env, maxRunningExecutions: LIMIT });
    sfn = new SFNClient({ endpoint: server.endpoint, region: env.resources.region, credentials: LOCAL_CREDENTIALS });
    const { region, accountId } = env.resources;
    roleArn = server.roles.create({ name: 'recursive', assumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY }).arn;
    server.roles.putPolicy('recursive', 'nesting', JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Resource: [`arn:aws:events:${region}:${accountId}:rule/${RULE}`] },
      ],
    }));
  });

  after(async () => {
    sfn?.destroy();
    await server?.stop();
    await env?.stop();
  });

  it('fails the start past the limit with ExecutionLimitExceeded; each parent then fails, and the endpoint goes on serving', async () => {
    const { region, accountId } = env.resources;
    const self = `arn:aws:states:${region}:${accountId}:stateMachine:itself`;
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'itself', definition: parentOf('startExecution.sync:2', { StateMachineArn: self, Input: {} }), roleArn }))).stateMachineArn!;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await server.executions.get(executionArn!).done;
    const started = server.executions.listFor(stateMachineArn);
    expect(started).to.have.length(LIMIT);
    expect(started.every((execution) => execution.status === 'FAILED')).to.equal(true);
    // The newest could not start its child: the start failed as AWS's does past its quota.
    expect(started[0]).to.include({ error: 'StepFunctions.ExecutionLimitExceededException' });
    expect(started[0]!.cause).to.include(`${LIMIT} executions are running`);
    expect(started.slice(1).every((execution) => execution.error === 'States.TaskFailed')).to.equal(true);
    // Each parent's cause quotes its child's description, escaped once more: AWS's bound on a cause keeps it from doubling.
    expect(Math.max(...started.map((execution) => execution.cause!.length))).to.equal(MAX_CAUSE_LENGTH);
    // Every one has ended, so a start is taken again.
    const echo = (await sfn.send(new CreateStateMachineCommand({ name: 'after', definition: machine({ Type: 'Pass' }), roleArn }))).stateMachineArn!;
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: echo, input: '{}' }));
    await server.executions.get(again.executionArn!).done;
    expect(server.executions.get(again.executionArn!).status).to.equal('SUCCEEDED');
  });

  it('a workflow that starts itself without waiting runs on, and the endpoint still answers; deleting it ends the chain', async () => {
    const { region, accountId } = env.resources;
    const self = `arn:aws:states:${region}:${accountId}:stateMachine:relay`;
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'relay', definition: parentOf('startExecution', { StateMachineArn: self, Input: {} }), roleArn }))).stateMachineArn!;
    await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    // Each execution runs one state and starts the next: the chain alone would never let a request in.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.executions.listFor(stateMachineArn).length).to.be.greaterThan(1);
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((machine) => machine.name)).to.include('relay');
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    const last = server.executions.listFor(stateMachineArn)[0]!;
    await last.done;
    expect(last).to.include({ status: 'FAILED', error: 'StepFunctions.StateMachineDoesNotExistException' });
  });

  it('answers StartExecution past the limit with ExecutionLimitExceeded', async () => {
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'waits-long', definition: machine({ Type: 'Wait', Seconds: 600 }), roleArn }))).stateMachineArn!;
    const running = [];
    for (let i = 0; i < LIMIT; i++) running.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }))).executionArn!);
    const refused = await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' })));
    expect((refused as Error).name).to.equal('ExecutionLimitExceeded');
    for (const executionArn of running) await sfn.send(new StopExecutionCommand({ executionArn }));
  });

  // Last: it stops this describe's endpoint.
  it('stopping the endpoint (Ctrl-C on make serve) stops a chain of executions each starting the next', async () => {
    const { region, accountId } = env.resources;
    const self = `arn:aws:states:${region}:${accountId}:stateMachine:relay-on`;
    const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'relay-on', definition: parentOf('startExecution', { StateMachineArn: self, Input: {} }), roleArn }))).stateMachineArn!;
    await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.stop();
    const executions = server.executions.listFor(stateMachineArn);
    expect(executions.length).to.be.greaterThan(1);
    expect(executions.filter((execution) => execution.status === 'RUNNING')).to.deep.equal([]);
  });
});

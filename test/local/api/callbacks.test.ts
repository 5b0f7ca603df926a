// Callbacks (.waitForTaskToken) and activities through @aws-sdk/client-sfn against the local
// endpoint: the token's answers and AWS's errors for each wrong one.
import {
  ActivityDoesNotExist,
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidOutput,
  InvalidToken,
  ListActivitiesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import { STEP_FUNCTIONS_TRUST_POLICY } from '../../../local/api/iam-roles.ts';
import { createClients } from '../../../execution/clients.ts';
import { rejection } from '../../helpers.ts';
import { entriesOf } from '../../fixtures/names.ts';

async function finished(sfn: SFNClient, executionArn: string) {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The token the execution's callback Task sent, once it has been submitted. */
async function submittedToken(sfn: SFNClient, executionArn: string, submitted = 1): Promise<string> {
  for (;;) {
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const scheduled = events.filter((event) => event.type === 'TaskScheduled');
    if (events.filter((event) => event.type === 'TaskSubmitted').length >= submitted) {
      return JSON.parse(scheduled[submitted - 1]!.taskScheduledEventDetails!.parameters!).MessageBody as string;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('local/api: callbacks and activities with @aws-sdk/client-sfn', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  let roleArn: string;
  let callbackArn: string;
  let activityMachineArn: string;
  let activityArn: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-callbacks' });
    server = await startApiServer({ env });
    sfn = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS }).sfn;
    roleArn = entriesOf(env.resources).stateMachineRoleArn;
    const callback = {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: entriesOf(env.resources).queueUrl, 'MessageBody.$': '$$.Task.Token' },
          'HeartbeatSecondsPath': '$.heartbeat',
          'TimeoutSecondsPath': '$.timeout',
          Retry: [{ ErrorEquals: ['Again'], IntervalSeconds: 1, MaxAttempts: 1 }],
          End: true,
        },
      },
    };
    callbackArn = (await sfn.send(new CreateStateMachineCommand({ name: 'callback', definition: JSON.stringify(callback), roleArn }))).stateMachineArn!;
    activityArn = (await sfn.send(new CreateActivityCommand({ name: 'approve' }))).activityArn!;
    const activity = { StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: activityArn, HeartbeatSecondsPath: '$.heartbeat', End: true } } };
    activityMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'activity', definition: JSON.stringify(activity), roleArn }))).stateMachineArn!;
  });

  after(async () => {
    sfn.destroy();
    await server.stop();
    await env.stop();
  });

  const startCallback = async (input: { heartbeat: number; timeout: number }) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn: callbackArn, input: JSON.stringify(input) }))).executionArn!;

  describe('.waitForTaskToken', () => {
    it('sends the token, waits, and succeeds with SendTaskSuccess’s output; a second answer is TaskTimedOut', async () => {
      const executionArn = await startCallback({ heartbeat: 30, timeout: 60 });
      const token = await submittedToken(sfn, executionArn);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
      const execution = await finished(sfn, executionArn);
      expect(execution).to.include({ status: 'SUCCEEDED', output: '{"approved":true}' });
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events.map((event) => event.type)).to.include.members(['TaskSubmitted', 'TaskSucceeded']);
      expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).to.be.instanceOf(TaskTimedOut);
      expect(await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })))).to.be.instanceOf(TaskTimedOut);
    });

    it('fails with SendTaskFailure’s error, retried with a fresh token', async () => {
      const executionArn = await startCallback({ heartbeat: 30, timeout: 60 });
      const first = await submittedToken(sfn, executionArn);
      await sfn.send(new SendTaskFailureCommand({ taskToken: first, error: 'Again', cause: 'once more' }));
      const second = await submittedToken(sfn, executionArn, 2);
      expect(second).not.to.equal(first);
      await sfn.send(new SendTaskFailureCommand({ taskToken: second, error: 'Again', cause: 'no' }));
      expect(await finished(sfn, executionArn)).to.include({ status: 'FAILED', error: 'Again', cause: 'no' });
      expect(await rejection(sfn.send(new SendTaskFailureCommand({ taskToken: second })))).to.be.instanceOf(TaskTimedOut);
    });

    it('fails with States.HeartbeatTimeout, then answers the token with TaskTimedOut', async () => {
      const executionArn = await startCallback({ heartbeat: 1, timeout: 60 });
      const token = await submittedToken(sfn, executionArn);
      expect(await finished(sfn, executionArn)).to.include({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
      expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).to.be.instanceOf(TaskTimedOut);
    });

    it('fails with States.Timeout after TimeoutSeconds', async () => {
      const executionArn = await startCallback({ heartbeat: 1, timeout: 2 });
      const token = await submittedToken(sfn, executionArn);
      const beating = setInterval(() => void sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })).catch(() => undefined), 300);
      try {
        expect(await finished(sfn, executionArn)).to.include({ status: 'FAILED', error: 'States.Timeout' });
      } finally {
        clearInterval(beating);
      }
    });

    it('answers an unknown token with TaskDoesNotExist, a malformed one with InvalidToken, output that is not JSON with InvalidOutput', async () => {
      const unknown = `AQ${'A'.repeat(64)}`;
      expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: unknown, output: '{}' })))).to.be.instanceOf(TaskDoesNotExist);
      expect(await rejection(sfn.send(new SendTaskFailureCommand({ taskToken: unknown })))).to.be.instanceOf(TaskDoesNotExist);
      const malformed = await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'not a token' })));
      // AWS's message names no token (recorded).
      expect(malformed).to.be.instanceOf(InvalidToken).and.include({ message: "Invalid Token: 'Invalid token'" });
      const executionArn = await startCallback({ heartbeat: 30, timeout: 60 });
      const token = await submittedToken(sfn, executionArn);
      expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{not json' })))).to.be.instanceOf(InvalidOutput);
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"ok"' }));
      expect(await finished(sfn, executionArn)).to.include({ status: 'SUCCEEDED', output: '"ok"' });
    });
  });

  describe('activities', () => {
    it('creates (idempotently), describes, lists and deletes activities', async () => {
      const again = await sfn.send(new CreateActivityCommand({ name: 'approve' }));
      expect(again.activityArn).to.equal(activityArn);
      const described = await sfn.send(new DescribeActivityCommand({ activityArn }));
      expect(described).to.include({ activityArn, name: 'approve' });
      const other = (await sfn.send(new CreateActivityCommand({ name: 'other' }))).activityArn!;
      const { activities = [] } = await sfn.send(new ListActivitiesCommand({}));
      expect(activities.map((activity) => activity.name)).to.include.members(['approve', 'other']);
      await sfn.send(new DeleteActivityCommand({ activityArn: other }));
      expect(await rejection(sfn.send(new DescribeActivityCommand({ activityArn: other })))).to.be.instanceOf(ActivityDoesNotExist);
      expect(await rejection(sfn.send(new GetActivityTaskCommand({ activityArn: other })))).to.be.instanceOf(ActivityDoesNotExist);
      expect(await rejection(sfn.send(new DescribeActivityCommand({ activityArn: 'arn:aws:sqs:x' })))).to.be.instanceOf(InvalidArn);
    });

    it('a worker takes the task with its input and token, and its answer ends the Task', async () => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: activityMachineArn, input: '{"heartbeat":30,"order":7}' }));
      const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-1' }));
      expect(JSON.parse(task.input!)).to.deep.equal({ heartbeat: 30, order: 7 });
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken! }));
      await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken!, output: '{"approved":7}' }));
      expect(await finished(sfn, executionArn!)).to.include({ status: 'SUCCEEDED', output: '{"approved":7}' });
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events.map((event) => event.type)).to.include.members(['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded']);
      expect(events.find((event) => event.type === 'ActivityStarted')!.activityStartedEventDetails).to.deep.equal({ workerName: 'worker-1' });
      expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken!, output: '{}' })))).to.be.instanceOf(TaskTimedOut);
    });

    it('the worker’s failure fails the Task; its silence past HeartbeatSeconds is States.HeartbeatTimeout', async () => {
      const failing = (await sfn.send(new StartExecutionCommand({ stateMachineArn: activityMachineArn, input: '{"heartbeat":30}' }))).executionArn!;
      const task = await sfn.send(new GetActivityTaskCommand({ activityArn }));
      await sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken!, error: 'Denied', cause: 'by the worker' }));
      expect(await finished(sfn, failing)).to.include({ status: 'FAILED', error: 'Denied', cause: 'by the worker' });

      const silent = (await sfn.send(new StartExecutionCommand({ stateMachineArn: activityMachineArn, input: '{"heartbeat":1}' }))).executionArn!;
      const taken = await sfn.send(new GetActivityTaskCommand({ activityArn }));
      expect(await finished(sfn, silent)).to.include({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
      expect(await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: taken.taskToken! })))).to.be.instanceOf(TaskTimedOut);
    });

    it('a Task of a deleted activity fails the execution with States.Runtime, as AWS records it (no activity event)', async () => {
      const gone = (await sfn.send(new CreateActivityCommand({ name: 'gone' }))).activityArn!;
      await sfn.send(new DeleteActivityCommand({ activityArn: gone }));
      const definition = { StartAt: 'ActivityTask', States: { ActivityTask: { Type: 'Task', Resource: gone, End: true } } };
      const stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'gone-activity', definition: JSON.stringify(definition), roleArn }))).stateMachineArn!;
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"Value1":"HelloWorld"}' }));
      expect(await finished(sfn, executionArn!)).to.include({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: `An error occurred while executing the state 'ActivityTask' (entered at the event id #2). The activity ${gone} does not exist.`,
      });
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events.map((event) => event.type)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
    });
  });

  describe('aws-sdk:sfn', () => {
    // A role of the user's, made with IAM's API on the endpoint, that may answer tokens and start and watch executions.
    let answererArn: string;
    const iam = async (action: string, params: Record<string, string>) => {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString(),
      });
      expect(response.status, await response.clone().text()).to.equal(200);
    };
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:StartExecution', 'states:DescribeExecution'], Resource: '*' }],
    });
    const machine = async (name: string, state: Record<string, unknown>, role: string) =>
      (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', ...state, End: true } } }), roleArn: role })))
        .stateMachineArn!;
    const run = async (stateMachineArn: string, input: unknown) => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
      return finished(sfn, executionArn!);
    };
    const answer = { Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess', Parameters: { 'TaskToken.$': '$.token', 'Output.$': '$.output' } };

    before(async () => {
      await iam('CreateRole', { RoleName: 'answerer', AssumeRolePolicyDocument: STEP_FUNCTIONS_TRUST_POLICY });
      await iam('PutRolePolicy', { RoleName: 'answerer', PolicyName: 'answer', PolicyDocument: policy });
      answererArn = `arn:aws:iam::${env.resources.accountId}:role/answerer`;
    });

    it('sendTaskSuccess answers another execution\'s token, its Output given as JSON sent as its text', async () => {
      const waiting = await startCallback({ heartbeat: 30, timeout: 60 });
      const token = await submittedToken(sfn, waiting);
      const answered = await run(await machine('answers', answer, answererArn), { token, output: { ok: true } });
      expect(answered).to.include({ status: 'SUCCEEDED', output: '{}' });
      expect(await finished(sfn, waiting)).to.include({ status: 'SUCCEEDED', output: '{"ok":true}' });
    });

    it('fails with the SDK v2 exception and AWS\'s message for a made-up token (recorded), and with Sfn.SfnException when the role may not call', async () => {
      const madeUp = await run(await machine('answers-nothing', answer, answererArn), { token: 'NoSuchTaskToken', output: 'ParameterOutput' });
      expect(madeUp).to.include({ status: 'FAILED', error: 'Sfn.InvalidTokenException' });
      expect(madeUp.cause).to.match(/^Invalid Token: 'Invalid token' \(Service: Sfn, Status Code: 400, Request ID: [\w-]+\)$/);
      const denied = await run(await machine('answers-unallowed', answer, roleArn), { token: 'NoSuchTaskToken', output: '{}' });
      expect(denied).to.include({ status: 'FAILED', error: 'Sfn.SfnException' });
      expect(denied.cause).to.include('is not authorized to perform: states:SendTaskSuccess');
    });

    it('startExecution starts a child with its Input as JSON text (recorded), and answers in the SDK\'s casing', async () => {
      const target = await machine('target', { Resource: activityArn, TimeoutSeconds: 1 }, roleArn);
      const starts = await machine(
        'starts',
        { Resource: 'arn:aws:states:::aws-sdk:sfn:startExecution', Parameters: { StateMachineArn: target, Name: 'child-1', Input: { key: 'value' } } },
        answererArn,
      );
      const started = await run(starts, {});
      expect(started.status).to.equal('SUCCEEDED');
      const output = JSON.parse(started.output!) as Record<string, unknown>;
      expect(Object.keys(output)).to.deep.equal(['ExecutionArn', 'StartDate']);
      const child = await sfn.send(new DescribeExecutionCommand({ executionArn: output.ExecutionArn as string }));
      expect(child).to.include({ name: 'child-1', input: '{"key":"value"}' });
    });
  });
});

// @aws-sdk/client-sfn against the local endpoint: every operation, its paginators, and the
// errors it parses from the endpoint's answers.
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidDefinition,
  InvalidExecutionInput,
  ListExecutionsCommand,
  ListMapRunsCommand,
  paginateGetExecutionHistory,
  paginateListExecutions,
  paginateListMapRuns,
  paginateListStateMachines,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TestStateCommand,
  UpdateStateMachineCommand,
  ValidationException,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { LOCAL_CREDENTIALS } from '../../../local/services/emulators.ts';
import { roleArn as roleArnOf } from '../../../local/services/iam.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { createClients } from '../../../execution/clients.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../../workflow/transfer-records-at-scale.ts';
import { rejection } from '../../helpers.ts';
import { entriesOf } from '../../fixtures/names.ts';

const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } });
const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
const MAP = JSON.stringify({
  StartAt: 'M',
  States: {
    M: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Double',
        States: { Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, End: true } },
      },
      End: true,
    },
  },
});

// A batched Map Run that tolerates failures: items of 0 fail their batch's child (Fail), the rest succeed.
const mapRunOf = (executionType: 'STANDARD' | 'EXPRESS') =>
  JSON.stringify({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemBatcher: { MaxItemsPerBatch: 2 },
        ToleratedFailurePercentage: 100,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
          StartAt: 'Check',
          States: {
            Check: { Type: 'Choice', Choices: [{ Variable: '$.Items[0]', NumericEquals: 0, Next: 'Bad' }], Default: 'Good' },
            Bad: { Type: 'Fail', Error: 'Zero', Cause: 'a zero item' },
            Good: { Type: 'Pass', End: true },
          },
        },
        End: true,
      },
    },
  });

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

async function finished(sfn: SFNClient, executionArn: string) {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('local/api with @aws-sdk/client-sfn', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;
  let sfn: SFNClient;
  // The SDK sends StartSyncExecution and TestState to sync-<host>; a loopback endpoint takes them without the prefix.
  let sync: SFNClient;
  let roleArn: string;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-sdk' });
    server = await startApiServer({ env });
    sfn = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS }).sfn;
    sync = new SFNClient({ region: env.resources.region, endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS, disableHostPrefix: true });
    roleArn = entriesOf(env.resources).stateMachineRoleArn;
  });

  /**
   * A distributed Map starts its children as the machine's role, which must allow
   * states:StartExecution on the machine: only the at-scale workflow's role does, on its own
   * machine, so each Map Run test runs its definition under that machine's name and role.
   */
  async function distributedMachine(definition: string): Promise<string> {
    const atScale = env.resources.stateMachines[TRANSFER_RECORDS_AT_SCALE.name]!;
    const role = roleArnOf(env.resources.accountId, atScale.role);
    const existing = await rejection(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: atScale.arn }))).catch(() => undefined);
    if (existing instanceof StateMachineDoesNotExist) {
      return (await sfn.send(new CreateStateMachineCommand({ name: atScale.stateMachine, definition, roleArn: role }))).stateMachineArn!;
    }
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: atScale.arn, definition, roleArn: role }));
    return atScale.arn;
  }

  after(async () => {
    sfn.destroy();
    sync.destroy();
    await server.stop();
    await env.stop();
  });

  it('lists the project workflows, already registered under their deployed names and roles, and pages through machines', async () => {
    for (let index = 0; index < 3; index += 1) {
      await sfn.send(new CreateStateMachineCommand({ name: `page-${index}`, definition: PASS, roleArn }));
    }
    const pages = await collect(paginateListStateMachines({ client: sfn, pageSize: 2 }, {}));
    expect(pages.length).to.be.greaterThan(1);
    const names = pages.flatMap((page) => page.stateMachines ?? []).map((machine) => machine.name);
    const deployed = Object.values(env.resources.stateMachines).map((machine) => machine.stateMachine);
    expect(deployed).to.have.length(env.resources.app.workflows.length).and.to.have.length.above(1);
    expect(names).to.include.members([...deployed, 'page-0', 'page-1', 'page-2']);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: server.workflowArn }));
    expect(described).to.include({ status: 'ACTIVE', type: 'STANDARD', roleArn });
    expect(described.creationDate).to.be.instanceOf(Date);
    expect(JSON.parse(described.definition!).StartAt).to.equal('Seed the DynamoDB Table');
    const atScale = env.resources.stateMachines[TRANSFER_RECORDS_AT_SCALE.name]!;
    const other = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: atScale.arn }));
    expect(other).to.include({ roleArn: roleArnOf(env.resources.accountId, atScale.role) });
    expect(JSON.parse(other.definition!).States['Send Every Record'].ItemProcessor.ProcessorConfig).to.deep.equal({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'EXPRESS',
    });
  });

  it('creates, updates and deletes a state machine, refusing what AWS refuses', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'crud', definition: PASS, roleArn }));
    const { updateDate } = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: WAIT }));
    expect(updateDate).to.be.instanceOf(Date);
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).to.equal(WAIT);
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    expect(await rejection(sfn.send(new DescribeStateMachineCommand({ stateMachineArn })))).to.be.instanceOf(StateMachineDoesNotExist);

    const bad = await rejection(sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt": "X", "States": {}}', roleArn })));
    expect(bad).to.be.instanceOf(InvalidDefinition);
    expect(await rejection(sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{', roleArn })))).to.be.instanceOf(InvalidDefinition);
    expect(await rejection(sfn.send(new CreateStateMachineCommand({ name: 'r', definition: PASS, roleArn: 'not-an-arn' })))).to.be.instanceOf(InvalidArn);
    const unknownRole = await rejection(
      sfn.send(new CreateStateMachineCommand({ name: 'r', definition: PASS, roleArn: 'arn:aws:iam::000000000000:role/nobody' })),
    );
    expect(unknownRole.name).to.equal('AccessDeniedException');
    expect(await rejection(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:sqs:x' })))).to.be.instanceOf(InvalidArn);
  });

  it('runs the project workflow under its role: start, describe, history pages in both orders, without data', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: server.workflowArn, name: 'three', input: '{"count": 3}' }),
    );
    const execution = await finished(sfn, executionArn!);
    expect(execution).to.include({ status: 'SUCCEEDED', name: 'three', stateMachineArn: server.workflowArn });
    expect(execution.stopDate!.getTime()).to.be.at.least(execution.startDate!.getTime());

    const events = (await collect(paginateGetExecutionHistory({ client: sfn, pageSize: 10 }, { executionArn }))).flatMap(
      (page) => page.events ?? [],
    );
    expect(events[0]!.type).to.equal('ExecutionStarted');
    expect(events.at(-1)!.type).to.equal('ExecutionSucceeded');
    expect(events.map((event: HistoryEvent) => event.id)).to.deep.equal(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'TaskSucceeded')).to.have.length(1 + 3 + 3);

    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1, includeExecutionData: false }),
    );
    expect(reversed.events![0]!.type).to.equal('ExecutionSucceeded');
    expect(reversed.events![0]!.executionSucceededEventDetails).to.not.have.property('output');
    expect(reversed.nextToken).to.be.a('string');

    const forExecution = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(forExecution.stateMachineArn).to.equal(server.workflowArn);
  });

  it('refuses a reused name with another input, a bad input and unknown executions', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'names', definition: PASS, roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{}' }));
    await finished(sfn, executionArn!);
    const again = await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"a": 1}' })));
    expect(again).to.be.instanceOf(ExecutionAlreadyExists);
    expect(await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{nope' })))).to.be.instanceOf(InvalidExecutionInput);
    const missing = await rejection(sfn.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-missing` })));
    expect(missing).to.be.instanceOf(ExecutionDoesNotExist);
    const noMachine = await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-gone` })));
    expect(noMachine).to.be.instanceOf(StateMachineDoesNotExist);
    const tooLong = await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify('x'.repeat(262_144)) })));
    expect(tooLong).to.be.instanceOf(ValidationException);
  });

  it('stops a running execution and lists executions by status, page by page', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'waits', definition: WAIT, roleArn }));
    const started = [];
    for (let index = 0; index < 3; index += 1) started.push(await sfn.send(new StartExecutionCommand({ stateMachineArn })));
    const { stopDate } = await sfn.send(new StopExecutionCommand({ executionArn: started[0]!.executionArn!, error: 'Why', cause: 'testing' }));
    expect(stopDate).to.be.instanceOf(Date);
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: started[0]!.executionArn! }));
    expect(stopped).to.include({ status: 'ABORTED', error: 'Why', cause: 'testing' });
    const last = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started[0]!.executionArn!, reverseOrder: true, maxResults: 1 }));
    expect(last.events![0]).to.deep.include({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Why', cause: 'testing' } });

    const all = (await collect(paginateListExecutions({ client: sfn, pageSize: 2 }, { stateMachineArn }))).flatMap((page) => page.executions ?? []);
    expect(all.map((execution) => execution.executionArn)).to.deep.equal(started.map((start) => start.executionArn).reverse());
    const running = await collect(paginateListExecutions({ client: sfn }, { stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.flatMap((page) => page.executions ?? [])).to.have.length(2);
  });

  it('runs an EXPRESS machine synchronously and refuses StartSyncExecution on a STANDARD one', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'express', definition: PASS, roleArn, type: 'EXPRESS' }));
    const result = await sync.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{}' }));
    expect(result.status).to.equal('SUCCEEDED');
    expect(JSON.parse(result.output!)).to.deep.equal({ ok: true });
    // As AWS records it: the billed duration in steps of 100 ms, and outputDetails even for a failure.
    expect(result.billingDetails).to.deep.equal({ billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 });
    const failing = await sfn.send(new CreateStateMachineCommand({ name: 'express-fail', definition: JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'SomeFailure' } } }), roleArn, type: 'EXPRESS' }));
    const failed = await sync.send(new StartSyncExecutionCommand({ stateMachineArn: failing.stateMachineArn }));
    expect(failed).to.deep.include({ status: 'FAILED', error: 'SomeFailure', outputDetails: { included: true } });
    expect(failed.output).to.equal(undefined);
    const refused = await rejection(sync.send(new StartSyncExecutionCommand({ stateMachineArn: server.workflowArn })));
    expect(refused.name).to.equal('StateMachineTypeNotSupported');
  });

  it('lists and describes a distributed Map run', async () => {
    const stateMachineArn = await distributedMachine(MAP);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"items": [1, 2, 3]}' }));
    const execution = await finished(sfn, executionArn!);
    expect(execution.status).to.equal('SUCCEEDED');
    const runs = (await collect(paginateListMapRuns({ client: sfn }, { executionArn }))).flatMap((page) => page.mapRuns ?? []);
    expect(runs).to.have.length(1);
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: runs[0]!.mapRunArn }));
    expect(described).to.include({ status: 'SUCCEEDED', maxConcurrency: 2, executionArn });
    expect(described.itemCounts).to.include({ total: 3, succeeded: 3 });
    const children = (await collect(paginateListExecutions({ client: sfn, pageSize: 2 }, { mapRunArn: runs[0]!.mapRunArn }))).flatMap(
      (page) => page.executions ?? [],
    );
    expect(children.map((child) => child.status)).to.deep.equal(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The parent's history is its own: ids 1..n once each, one ExecutionStarted, no child's states.
    const parent = (await collect(paginateGetExecutionHistory({ client: sfn }, { executionArn }))).flatMap((page) => page.events ?? []);
    expect(parent.map((event) => event.id)).to.deep.equal(parent.map((_, index) => index + 1));
    expect(parent.filter((event) => event.type === 'ExecutionStarted')).to.have.length(1);
    expect(parent.map((event) => event.type)).to.include('MapRunStarted');
    expect(await rejection(sfn.send(new DescribeMapRunCommand({ mapRunArn: `${runs[0]!.mapRunArn}x` })))).to.have.property('name', 'ResourceNotFound');
    const missing = await rejection(sfn.send(new ListMapRunsCommand({ executionArn: `${executionArn}x` })));
    expect(missing).to.be.instanceOf(ExecutionDoesNotExist);
  });

  it('describes a Map Run\'s item and execution counts, and its STANDARD children with their history', async () => {
    const stateMachineArn = await distributedMachine(mapRunOf('STANDARD'));
    // Batches [0, 1], [2, 3], [0]: two children fail (3 items), one succeeds (2 items).
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"items": [0, 1, 2, 3, 0]}' }));
    expect((await finished(sfn, executionArn!)).status).to.equal('SUCCEEDED');
    const [run] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described).to.include({ status: 'SUCCEEDED', toleratedFailurePercentage: 100 });
    const none = { pending: 0, running: 0, timedOut: 0, aborted: 0, pendingRedrive: 0 };
    expect(described.executionCounts).to.deep.equal({ ...none, succeeded: 1, failed: 2, total: 3, resultsWritten: 1, failuresNotRedrivable: 2 });
    expect(described.itemCounts).to.deep.equal({ ...none, succeeded: 2, failed: 3, total: 5, resultsWritten: 2, failuresNotRedrivable: 3 });
    expect(described.stopDate!.getTime()).to.be.at.least(described.startDate!.getTime());

    const children = (await sfn.send(new ListExecutionsCommand({ mapRunArn: run!.mapRunArn }))).executions!;
    const failed = children.find((child) => child.status === 'FAILED')!;
    const child = await sfn.send(new DescribeExecutionCommand({ executionArn: failed.executionArn }));
    expect(child).to.include({ status: 'FAILED', error: 'Zero', cause: 'a zero item', mapRunArn: run!.mapRunArn, stateMachineArn: run!.stateMachineArn });
    expect(JSON.parse(child.input!).Items[0]).to.equal(0);
    const history = (await collect(paginateGetExecutionHistory({ client: sfn }, { executionArn: failed.executionArn }))).flatMap((page) => page.events ?? []);
    expect(history.map((event) => event.type)).to.include.members(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('describes a Map Run\'s EXPRESS children but, as AWS, gives no history for them', async () => {
    const stateMachineArn = await distributedMachine(mapRunOf('EXPRESS'));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"items": [1, 2, 0]}' }));
    await finished(sfn, executionArn!);
    const [run] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described.executionCounts).to.include({ succeeded: 1, failed: 1, total: 2 });
    // A succeeded EXPRESS child keeps no history, yet its batch's items are counted: [1, 2] succeeded, [0] failed.
    expect(described.itemCounts).to.include({ succeeded: 2, failed: 1, total: 3 });
    const children = (await sfn.send(new ListExecutionsCommand({ mapRunArn: run!.mapRunArn }))).executions!;
    const succeeded = children.find((child) => child.status === 'SUCCEEDED')!;
    const child = await sfn.send(new DescribeExecutionCommand({ executionArn: succeeded.executionArn }));
    expect(child).to.include({ status: 'SUCCEEDED', mapRunArn: run!.mapRunArn });
    expect(JSON.parse(child.output!)).to.deep.equal({ Items: [1, 2] });
    const refused = await rejection(sfn.send(new GetExecutionHistoryCommand({ executionArn: succeeded.executionArn })));
    expect(refused).to.be.instanceOf(InvalidArn);
  });

  it("shows a running Map Run: its children running and pending, by execution and by item", async () => {
    // One child at a time, each waiting a second: the run is described while its first child runs.
    const slow = JSON.stringify({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemBatcher: { MaxItemsPerBatch: 2 },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } },
          End: true,
        },
      },
    });
    const stateMachineArn = await distributedMachine(slow);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"items": [1, 2, 3, 4, 5]}' }));
    let runs = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    for (let tries = 0; runs.length === 0 && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      runs = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    }
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: runs[0]!.mapRunArn }));
    expect(described).to.include({ status: 'RUNNING', maxConcurrency: 1 });
    expect(described.stopDate).to.equal(undefined);
    expect(described.executionCounts).to.include({ running: 1, pending: 2, succeeded: 0, total: 3 });
    expect(described.itemCounts).to.include({ running: 2, pending: 3, succeeded: 0, total: 5 });
    // ListExecutions of the Map Run lists the running child, with no stop date; the pending ones not yet.
    const listed = (await sfn.send(new ListExecutionsCommand({ mapRunArn: runs[0]!.mapRunArn }))).executions!;
    expect(listed.map((child) => child.status)).to.deep.equal(['RUNNING']);
    expect(listed[0]).to.include({ mapRunArn: runs[0]!.mapRunArn });
    expect(listed[0]).to.not.have.property('stopDate');
    const runningChild = await sfn.send(new DescribeExecutionCommand({ executionArn: listed[0]!.executionArn }));
    expect(runningChild).to.include({ status: 'RUNNING', mapRunArn: runs[0]!.mapRunArn });
    expect(runningChild).to.not.have.property('stopDate');
    expect(JSON.parse(runningChild.input!).Items).to.deep.equal([1, 2]);
    expect((await sfn.send(new ListExecutionsCommand({ mapRunArn: runs[0]!.mapRunArn, statusFilter: 'SUCCEEDED' }))).executions).to.deep.equal([]);
    await sfn.send(new StopExecutionCommand({ executionArn }));
    const stopped = await sfn.send(new DescribeMapRunCommand({ mapRunArn: runs[0]!.mapRunArn }));
    expect(stopped).to.include({ status: 'ABORTED' });
    expect(stopped.executionCounts).to.include({ running: 0, pending: 0 });
  });

  it('fails a distributed Map whose role may not start its children (no states:StartExecution), before any child runs', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'mapper-denied', definition: MAP, roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"items": [1, 2]}' }));
    const execution = await finished(sfn, executionArn!);
    expect(execution).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(execution.cause).to.match(/is not authorized to perform: states:StartExecution on resource: arn:aws:states:[^:]+:\d+:stateMachine:mapper-denied /);
    const [run] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described.status).to.equal('FAILED');
    expect(described.executionCounts).to.include({ total: 0 });
  });

  it('tests a state of the workflow by name: a real SQS call under the role, a mocked error its Retry takes, a bad definition', async () => {
    const definition = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: server.workflowArn }))).definition!;
    const input = JSON.stringify({ List: ['id-1', 'DONE'], DynamoDB: { Item: { Message: { S: 'hello' } } } });
    const sent = await sync.send(
      new TestStateCommand({ definition, stateName: 'Send Message to SQS', roleArn, input, inspectionLevel: 'DEBUG' }),
    );
    expect(sent).to.include({ status: 'SUCCEEDED', nextState: 'Pop Element from List' });
    expect(JSON.parse(sent.inspectionData!.afterParameters!)).to.deep.include({ MessageBody: 'hello', QueueUrl: entriesOf(env.resources).queueUrl });
    expect(JSON.parse(sent.output!).SQS.MessageId).to.be.a('string');

    const throttled = await sync.send(
      new TestStateCommand({
        definition,
        stateName: 'Send Message to SQS',
        input,
        mock: { errorOutput: { error: 'SQS.AmazonSQSException', cause: 'RequestThrottled' } },
        stateConfiguration: { retrierRetryCount: 1 },
        inspectionLevel: 'DEBUG',
      }),
    );
    expect(throttled).to.include({ status: 'RETRIABLE', error: 'SQS.AmazonSQSException' });
    expect(throttled.inspectionData!.errorDetails).to.deep.equal({ retryIndex: 0, retryBackoffIntervalSeconds: 2 });

    const spent = await sync.send(
      new TestStateCommand({
        definition,
        stateName: 'Send Message to SQS',
        input,
        mock: { errorOutput: { error: 'SQS.AmazonSQSException', cause: 'RequestThrottled' } },
        stateConfiguration: { retrierRetryCount: 5 },
      }),
    );
    expect(spent).to.include({ status: 'FAILED', cause: 'RequestThrottled' });
    const bad = await rejection(sync.send(new TestStateCommand({ definition, stateName: 'Nope', input })));
    expect(bad).to.be.instanceOf(ValidationException).and.to.have.property('message', 'State not found in definition');
  });
});

// collectExecutionRecord on executions the local endpoint ran: the record built from the real
// description, history and table. One case keeps the fake: an item sent twice happens on AWS when
// SQS took a message but its answer was lost and the Retry sent it again, which the endpoint
// cannot bring about (the emulator's answers are never lost).
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { expect } from 'chai';
import sinon from 'sinon';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, DescribeStateMachineCommand, StartExecutionCommand, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { collectExecutionRecord } from '../../aws/record.ts';
import { rejection } from '../helpers.ts';
import { fakeAws } from './fake-aws.ts';
import {
  EXECUTION_ARN,
  ITEMS,
  OUTPUTS,
  REJECT,
  sendParameters,
  STARTED,
  STATE_MACHINE_ARN,
  succeededHistory,
} from './fixtures.ts';
import { startLocalAws, type LocalAws } from './local-aws.ts';

const BODIES = ITEMS.map((item) => item.body);

describe('aws/record collectExecutionRecord', function () {
  this.timeout(30_000);
  let aws: LocalAws;

  before(async () => {
    aws = await startLocalAws('aws-record');
  });

  beforeEach(() => aws.reset());
  afterEach(() => sinon.restore());
  after(() => aws.stop());

  /** Runs the deployed workflow on the endpoint and returns its final description. */
  async function run(input: unknown): Promise<DescribeExecutionOutput> {
    const { executionArn } = await aws.own.sfn.send(new StartExecutionCommand({ stateMachineArn: aws.outputs.stateMachineArn, input: JSON.stringify(input) }));
    await aws.finished(executionArn!);
    const described = await aws.own.sfn.send(new DescribeExecutionCommand({ executionArn }));
    aws.reset();
    return described;
  }

  const collect = (execution: DescribeExecutionOutput) => collectExecutionRecord(aws.clients, aws.outputs, TRANSFER_RECORDS, execution, sinon.fake.resolves(undefined));

  it('builds the record of a succeeded execution from its description, history and table', async () => {
    const execution = await run({ messages: BODIES });
    const record = await collect(execution);
    expect(record).to.include({
      source: 'aws',
      executionArn: execution.executionArn,
      stateMachineArn: aws.outputs.stateMachineArn,
      status: 'SUCCEEDED',
      startedAt: execution.startDate!.toISOString(),
      durationMs: execution.stopDate!.getTime() - execution.startDate!.getTime(),
      historyEvents: 39,
      stateTransitions: 11,
    });
    expect(record.input).to.deep.equal({ messages: BODIES });
    expect(record.output).to.deep.equal(JSON.parse(execution.output!));
    const { definition } = await aws.own.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: aws.outputs.stateMachineArn }));
    expect(record.definition).to.deep.equal(JSON.parse(definition!));
    expect(record.error).to.be.undefined;
    expect(record.failedState).to.be.undefined;
    expect(record.seeded.map((item) => item.body)).to.deep.equal(BODIES);
    expect(record.delivered).to.deep.equal(record.seeded);
    expect(record.reconciliation).to.deep.include({ items: 2, delivered: 2, missing: [], duplicates: [] });
    expect(record.warnings).to.deep.equal([]);
  });

  it('never reads the queue, so no message moves toward the dead-letter queue', async () => {
    const record = await collect(await run({ count: 2 }));
    expect(aws.sent('sqs')).to.deep.equal([]);
    expect(record.reconciliation).to.deep.include({ delivered: 2, missing: [] });
  });

  it("reconciles from the history's SendMessage tasks: an item sent twice and one never sent", async () => {
    const [first, second] = ITEMS;
    const history = succeededHistory();
    // The second SendMessage carries the first item's MessageId attribute.
    const scheduled = history.filter((event) => event.taskScheduledEventDetails?.resource === 'sendMessage')[1]!;
    scheduled.taskScheduledEventDetails!.parameters = JSON.stringify(sendParameters(first!));
    const fake = fakeAws({ history, table: new Map(ITEMS.map((item) => [item.id, item.body])) });
    const succeeded = { executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, status: 'SUCCEEDED' as const, startDate: STARTED, stopDate: STARTED, input: '{"count":2}' };
    const record = await collectExecutionRecord(fake.clients, OUTPUTS, TRANSFER_RECORDS, succeeded, sinon.fake.resolves(undefined));
    expect(record.delivered.map((message) => message.messageId)).to.deep.equal([first!.id, first!.id]);
    expect(record.reconciliation.missing).to.deep.equal([second!.id]);
    expect(record.reconciliation.duplicates).to.deep.equal([first!.id]);
  });

  it('warns when a seeded item cannot be read back from the table', async () => {
    const execution = await run({ count: 2 });
    const first = await collect(execution);
    await aws.own.dynamodb.send(new DeleteItemCommand({ TableName: aws.outputs.tableName, Key: { MessageId: { S: first.seeded[1]!.messageId } } }));
    const record = await collect(execution);
    expect(record.warnings).to.deep.equal([`1 seeded item(s) could not be read back from ${aws.outputs.tableName}`]);
  });

  it('carries the error, cause and failed state of a failed execution', async () => {
    const execution = await run({ count: 5000 });
    const record = await collect(execution);
    expect(record).to.include({ status: 'FAILED', error: 'InvalidInput', cause: execution.cause, failedState: REJECT });
    expect(JSON.parse(record.cause!)).to.include({ errorType: 'InvalidInput' });
    expect(record.output).to.be.undefined;
    expect(record.seeded).to.deep.equal([]);
    expect(record.reconciliation).to.deep.include({ items: 0, delivered: 0 });
    expect(aws.sent('dynamodb')).to.deep.equal([]);
  });

  it('refuses an execution that has not finished', async () => {
    const error = await rejection(collect({ executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, status: 'RUNNING', startDate: STARTED }));
    expect(error.message).to.contain('RUNNING');
    expect(aws.sent('sfn')).to.deep.equal([]);
  });
});

import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { expect } from 'chai';
import sinon from 'sinon';
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { collectExecutionRecord } from '../../aws/record.ts';
import { rejection } from '../helpers.ts';
import { fakeAws, type FakeAwsOptions } from './fake-aws.ts';
import {
  DEFINITION,
  EXECUTION_ARN,
  INVALID_CAUSE,
  invalidInputHistory,
  ITEMS,
  OUTPUTS,
  REJECT,
  sendParameters,
  STARTED,
  STATE_MACHINE_ARN,
  succeededHistory,
  TABLE_NAME,
} from './fixtures.ts';

const TABLE = new Map(ITEMS.map((item) => [item.id, item.body]));

const succeeded: DescribeExecutionOutput = {
  executionArn: EXECUTION_ARN,
  stateMachineArn: STATE_MACHINE_ARN,
  status: 'SUCCEEDED',
  startDate: STARTED,
  stopDate: new Date(STARTED.getTime() + 2345),
  input: '{"count":2}',
  output: '{"List":["DONE"]}',
};

async function collect(options: FakeAwsOptions, execution: DescribeExecutionOutput = succeeded) {
  const aws = fakeAws(options);
  const record = await collectExecutionRecord(aws.clients, OUTPUTS, TRANSFER_RECORDS, execution, sinon.fake.resolves(undefined));
  return { aws, record };
}

describe('aws/record collectExecutionRecord', () => {
  afterEach(() => sinon.restore());

  it('builds the record of a succeeded execution from its description, history and table', async () => {
    const { record } = await collect({ history: succeededHistory(), table: TABLE });
    expect(record).to.include({
      source: 'aws',
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      status: 'SUCCEEDED',
      startedAt: '2025-03-01T12:00:00.000Z',
      durationMs: 2345,
      historyEvents: 39,
      stateTransitions: 11,
    });
    expect(record.input).to.deep.equal({ count: 2 });
    expect(record.output).to.deep.equal({ List: ['DONE'] });
    expect(record.definition).to.deep.equal(DEFINITION);
    expect(record.error).to.be.undefined;
    expect(record.failedState).to.be.undefined;
    expect(record.seeded).to.deep.equal(ITEMS.map((item) => ({ messageId: item.id, body: item.body })));
    expect(record.delivered).to.deep.equal(ITEMS.map((item) => ({ messageId: item.id, body: item.body })));
    expect(record.reconciliation).to.deep.include({ items: 2, delivered: 2, missing: [], duplicates: [] });
    expect(record.warnings).to.deep.equal([]);
  });

  it('never reads the queue, so no message moves toward the dead-letter queue', async () => {
    const queue = [{ messageId: 'ffffffffffff-0001', body: 'from an earlier run', receiveCount: 4 }];
    const { aws, record } = await collect({ history: succeededHistory(), table: TABLE, queue, maxReceiveCount: 5 });
    expect(aws.sent('sqs')).to.deep.equal([]);
    expect(record.reconciliation).to.deep.include({ delivered: 2, missing: [] });
  });

  it("reconciles from the history's SendMessage tasks: an item sent twice and one never sent", async () => {
    const [first, second] = ITEMS;
    const history = succeededHistory();
    // The second SendMessage carries the first item's MessageId attribute.
    const scheduled = history.filter((event) => event.taskScheduledEventDetails?.resource === 'sendMessage')[1]!;
    scheduled.taskScheduledEventDetails!.parameters = JSON.stringify(sendParameters(first!));
    const { record } = await collect({ history, table: TABLE });
    expect(record.delivered.map((message) => message.messageId)).to.deep.equal([first!.id, first!.id]);
    expect(record.reconciliation.missing).to.deep.equal([second!.id]);
    expect(record.reconciliation.duplicates).to.deep.equal([first!.id]);
  });

  it('warns when a seeded item cannot be read back from the table', async () => {
    const { record } = await collect({ history: succeededHistory(), table: new Map([[ITEMS[0]!.id, 'x']]) });
    expect(record.warnings).to.deep.equal([`1 seeded item(s) could not be read back from ${TABLE_NAME}`]);
  });

  it('carries the error, cause and failed state of a failed execution', async () => {
    const failed: DescribeExecutionOutput = {
      ...succeeded,
      status: 'FAILED',
      input: '{"count":5000}',
      output: undefined,
      error: 'InvalidInput',
      cause: INVALID_CAUSE,
    };
    const { record, aws } = await collect({ history: invalidInputHistory() }, failed);
    expect(record).to.include({ status: 'FAILED', error: 'InvalidInput', cause: INVALID_CAUSE, failedState: REJECT });
    expect(record.output).to.be.undefined;
    expect(record.seeded).to.deep.equal([]);
    expect(record.reconciliation).to.deep.include({ items: 0, delivered: 0 });
    expect(aws.sent('dynamodb')).to.deep.equal([]);
  });

  it('refuses an execution that has not finished', async () => {
    const error = await rejection(collect({}, { ...succeeded, status: 'RUNNING' }));
    expect(error.message).to.contain('RUNNING');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatText, toJsonSummary } from '../../execution/report.ts';
import { parseFault } from '../../local/bridge/faults.ts';
import { runLocal } from '../../local/run.ts';
import { APP } from '../../workflow/app.ts';
import type { Application } from '../../workflow/description.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';

const workflow = TRANSFER_RECORDS_AT_SCALE.name;
const MAP = 'Send Every Record';

/** The application with the at-scale role lacking the grant of an action. */
function without(action: string, app: Application = APP): Application {
  return {
    ...app,
    workflows: app.workflows.map((spec) =>
      spec.name === workflow ? { ...spec, grants: spec.grants.filter((grant) => !grant.actions.includes(action)) } : spec,
    ),
  };
}

describe('local/run: transfer-records-at-scale under --fault, end to end', function () {
  this.timeout(120_000);

  it('absorbs throttled BatchGetItem calls in the children\'s Retry: nothing lost, nothing duplicated', async () => {
    const { record } = await runLocal({ workflow, count: 1000, faults: [parseFault('dynamodb:batchGetItem:throttled:5')], fastRetries: true });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 1000, delivered: 1000 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
    const [fault] = record.faults!;
    // The AWS SDK integration names the throttling as SDK v2 does, and the Retry takes each one up.
    expect(fault).to.deep.include({ fault: 'dynamodb:batchGetItem:throttled:5', error: 'DynamoDb.ThrottlingException', fired: 5 });
    expect(fault!.states['Read Batch from DynamoDB']).to.deep.equal({ fired: 5, retried: 5 });
    expect(record.mapRuns![0]!.children).to.include({ total: 10, succeeded: 10, failed: 0 });
  });

  it('sends again the entries SendMessageBatch reports Failed: nothing lost, nothing duplicated', async () => {
    let progress = 0;
    const { record } = await runLocal({
      workflow,
      count: 300,
      faults: [parseFault('sqs:sendMessageBatch:failed-entries:25')],
      fastRetries: true,
      onProgress: ({ delivered }) => (progress = delivered),
    });
    // The live counter counts the entries each SendMessageBatch sent, not those it reported Failed.
    expect(progress).to.equal(300);
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 300, delivered: 300 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
    expect(record.faults![0]).to.deep.include({ fault: 'sqs:sendMessageBatch:failed-entries:25', error: 'InternalError', fired: 25 });
    // The child went round its own send loop once more: 10 calls for its 100 messages, plus those for the failed ones.
    expect(record.states['Send Messages to SQS']!.entered).to.be.greaterThan(3);
    expect(record.mapRuns![0]).to.deep.include({ status: 'SUCCEEDED', itemsProcessed: 300, itemsNotProcessed: 0 });
  });

  it('fails the Map Run with States.ExceedToleratedFailureThreshold when throttling outlasts the retries, and says what was not sent', async () => {
    const { record } = await runLocal({ workflow, count: 200, faults: [parseFault('dynamodb:batchGetItem:throttled:1000')], fastRetries: true });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.ExceedToleratedFailureThreshold');
    expect(record.failedState).to.equal(MAP);
    const [mapRun] = record.mapRuns!;
    expect(mapRun).to.deep.include({ stateName: MAP, status: 'FAILED', itemsProcessed: 0 });
    expect(mapRun!.children.failed).to.be.at.least(1);
    // Either child may fail first (they run at once); the other is then aborted, or fails too.
    const child = mapRun!.unsuccessful.find((unsuccessful) => unsuccessful.status === 'FAILED');
    expect(child).to.deep.include({ status: 'FAILED', error: 'DynamoDb.ThrottlingException', failedState: 'Read Batch from DynamoDB', items: 100 });
    expect(mapRun!.unsuccessful.every((unsuccessful) => ['FAILED', 'ABORTED'].includes(unsuccessful.status))).to.equal(true);

    const seededIds = record.seeded.map((item) => item.messageId);
    expect(seededIds).to.have.length(200);
    expect(record.reconciliation.delivered).to.equal(0);
    expect(record.reconciliation.missing).to.deep.equal(seededIds);

    const json = toJsonSummary(record);
    expect(json).to.deep.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', missing: 200, delivered: 0 });
    expect(json.missingIds).to.deep.equal(seededIds);
    expect(json.mapRuns![0]!.unsuccessful[0]!.error).to.equal('DynamoDb.ThrottlingException');

    const text = formatText(record);
    expect(text).to.include('Error: States.ExceedToleratedFailureThreshold');
    expect(text).to.include('Seeded 200, delivered 0, missing 200, duplicated 0');
    expect(text).to.include(`Missing: ${seededIds.slice(0, 5).join(', ')}, … (195 more)`);
    expect(text).to.match(/Child #\d+ \(\S+\) FAILED in "Read Batch from DynamoDB": DynamoDb\.ThrottlingException: Throughput exceeds/);
  });

  it('fails the ItemReader\'s GetObject with --fault s3:getObject:throttled (S3 SlowDown): the Map Run never starts a child', async () => {
    const { record } = await runLocal({ workflow, count: 100, faults: [parseFault('s3:getObject:throttled:1')] });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.ItemReaderFailed');
    expect(record.cause).to.include('Error Code: SlowDown');
    expect(record.mapRuns![0]).to.deep.include({ status: 'FAILED', itemsProcessed: 0 });
    expect(record.mapRuns![0]!.children.total).to.equal(0);
    expect(record.reconciliation.missing).to.have.length(100);
    expect(record.faults![0]).to.deep.include({ fault: 's3:getObject:throttled:1', fired: 1 });
  });

  it("fails the ResultWriter's PutObject with --fault s3:putObject:throttled: every record was sent, the execution fails with States.ResultWriterFailed", async () => {
    const { record } = await runLocal({ workflow, count: 100, faults: [parseFault('s3:putObject:throttled:1')] });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.ResultWriterFailed');
    expect(record.cause).to.include('Error Code: SlowDown');
    expect(record.mapRuns![0]).to.deep.include({ itemsProcessed: 100 });
    expect(record.reconciliation).to.include({ items: 100, delivered: 100 });
    expect(record.reconciliation.missing).to.deep.equal([]);
  });

  it("fails the Map state before any child runs when the role may not start the state machine's own executions (states:StartExecution)", async () => {
    const { record } = await runLocal({ workflow, count: 100, app: without('states:StartExecution') });
    expect(record.status).to.equal('FAILED');
    expect(record.failedState).to.equal(MAP);
    expect(record.error).to.equal('States.Runtime');
    expect(record.cause).to.match(
      /User: arn:aws:sts::\d+:assumed-role\/\S+\/\S+ is not authorized to perform: states:StartExecution on resource: arn:aws:states:[^:]+:\d+:stateMachine:\S+ because no identity-based policy allows the states:StartExecution action$/,
    );
    expect(record.mapRuns![0]).to.deep.include({ status: 'FAILED', children: { total: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 } });
    expect(record.reconciliation).to.include({ items: 100, delivered: 0 });
  });

  it('still refuses the children when the workflow\'s own definition is given as --definition', async () => {
    const { record } = await runLocal({ workflow, count: 10, app: without('states:StartExecution'), definitionPath: TRANSFER_RECORDS_AT_SCALE.definition });
    expect(record).to.include({ status: 'FAILED', error: 'States.Runtime', failedState: MAP });
  });

  it('lets another definition (--definition) start its Map Run\'s children, as a role made for it would', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'at-scale-definition-'));
    try {
      const definitionPath = join(folder, 'distributed.asl.json');
      const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } };
      writeFileSync(definitionPath, JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: [1, 2], Next: 'M' }, M: { Type: 'Map', ItemProcessor: processor, End: true } } }));
      const { record } = await runLocal({ workflow, count: 10, app: without('states:StartExecution'), definitionPath });
      expect(record).to.include({ status: 'SUCCEEDED' });
      expect(record.output).to.deep.equal([1, 2]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("checks a child's calls against the state machine's role: without dynamodb:BatchGetItem, the child is denied and the Map Run fails", async () => {
    // AccessDeniedException is no class of its own: the Retry of DynamoDb.DynamoDbException runs it out first.
    const { record } = await runLocal({ workflow, count: 100, app: without('dynamodb:BatchGetItem'), fastRetries: true });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.ExceedToleratedFailureThreshold');
    const [child] = record.mapRuns![0]!.unsuccessful;
    expect(child).to.deep.include({ status: 'FAILED', error: 'DynamoDb.DynamoDbException', failedState: 'Read Batch from DynamoDB' });
    expect(child!.cause).to.match(/is not authorized to perform: dynamodb:BatchGetItem on resource: arn:aws:dynamodb:[^ ]+:table\/\S+ because no identity-based policy allows/);
  });
});

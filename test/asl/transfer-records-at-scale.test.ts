import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { placeholdersIn, renderTemplate } from '../../workflow/template.ts';
import { FIFO_ENTRY_FIELDS, KEY_FIELD, MAX_CONCURRENCY, SENT_FIELD } from '../../workflow/transfer-records-at-scale.ts';
import { RETRYABLE_ERRORS, RETRYABLE_SDK_ERRORS } from '../../workflow/service-errors.ts';
import { AT_SCALE_EVENT_FIELDS } from '../../functions/seed/at-scale-input.ts';
import { AT_SCALE_MAX_ITEMS } from '../../functions/seed/at-scale-limits.ts';
import { AT_SCALE_DEFINITION, atScaleDefinition, atScaleVars, runAtScale } from '../../bench/at-scale-run.ts';
import { atScaleChildWorstCase, CHILD_LOOP, EXPRESS_MAX_SECONDS, retryWaitSeconds } from '../../bench/child-worst-case.ts';
import { SEED_FUNCTION, TABLE } from '../../workflow/transfer-records.ts';
import { onFakeClock } from '../fake-clock.ts';
import { evaluateJsonata } from '../../engine/jsonata/evaluate.ts';

// asl-validator is CommonJS and ships no type declarations.
type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

type State = Record<string, unknown> & { Type: string };
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

const ASL = atScaleDefinition(100) as Machine & { QueryLanguage: string };
const MAP = ASL.States['Send Every Record']!;
const CHILD = MAP.ItemProcessor as Machine & { ProcessorConfig: Record<string, string> };

describe('asl/transfer-records-at-scale.asl.json', () => {
  describe('validity', () => {
    it('passes asl-validator once rendered', () => {
      const { isValid, errorsText } = aslValidator(structuredClone(ASL));
      expect(isValid, errorsText()).to.equal(true);
    });

    it('passes asl-validator rendered for a FIFO queue: each entry with its record\'s MessageId as its group and deduplication id', () => {
      const template = readFileSync(new URL(`../../${AT_SCALE_DEFINITION}`, import.meta.url), 'utf8');
      const fifo = JSON.parse(renderTemplate(template, { ...atScaleVars(100), FifoEntryFields: FIFO_ENTRY_FIELDS.fifo })) as typeof ASL;
      const { isValid, errorsText } = aslValidator(structuredClone(fifo));
      expect(isValid, errorsText()).to.equal(true);
      const child = (fifo.States['Send Every Record']!.ItemProcessor as Machine).States;
      expect((child['Read Batch from DynamoDB']!.Assign as Record<string, string>).unsent).to.contain("'MessageGroupId': MessageId.S, 'MessageDeduplicationId': MessageId.S");
      expect((CHILD.States['Read Batch from DynamoDB']!.Assign as Record<string, string>).unsent).to.not.contain('MessageGroupId');
    });

    it('is checked by a validator that rejects a broken transition in a child state', () => {
      const broken = structuredClone(ASL);
      (broken.States['Send Every Record']!.ItemProcessor as Machine).States['Prepare Batch']!.Next = 'No Such State';
      expect(aslValidator(broken).isValid).to.equal(false);
    });

    it('uses exactly the placeholders a deployment fills', () => {
      const template = readFileSync(new URL(`../../${AT_SCALE_DEFINITION}`, import.meta.url), 'utf8');
      expect(placeholdersIn(template).sort()).to.deep.equal(Object.keys(atScaleVars(1)).sort());
    });
  });

  describe('shape', () => {
    it('is JSONata throughout', () => {
      expect(ASL.QueryLanguage).to.equal('JSONata');
    });

    it('passes the seed function the at-scale event: the input, the execution id and where the key list goes', () => {
      const seed = ASL.States[ASL.StartAt]!;
      const payload = (seed.Arguments as { Payload: Record<string, unknown> }).Payload;
      expect(Object.keys(payload)).to.have.members([...AT_SCALE_EVENT_FIELDS]);
      expect(payload.keyList).to.have.property('Bucket', atScaleVars(1).BucketName);
      expect(seed.Catch).to.deep.equal([{ ErrorEquals: ['InvalidInput'], Next: 'Reject Invalid Input' }]);
    });

    it('reads the key list as JSONL and batches 100 keys with the table name and queue URL', () => {
      expect(MAP.ItemReader).to.deep.include({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' } });
      expect(MAP.ItemBatcher).to.deep.equal({
        MaxItemsPerBatch: 100,
        BatchInput: { TableName: atScaleVars(1).TableName, QueueUrl: atScaleVars(1).QueueUrl },
      });
    });

    it('runs EXPRESS children at the configured concurrency, tolerates no failure and writes results to the bucket', () => {
      expect(CHILD.ProcessorConfig).to.deep.equal({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
      expect(MAP.ToleratedFailurePercentage).to.equal(0);
      expect(atScaleDefinition(250)).to.have.nested.property('States.Send Every Record.MaxConcurrency', "{% $number('250') %}");
      expect(MAP.ResultWriter).to.deep.include({ Resource: 'arn:aws:states:::s3:putObject' });
      expect(MAP.ResultWriter).to.have.nested.property('Arguments.Bucket', atScaleVars(1).BucketName);
    });

    it('has each child read with BatchGetItem and send with SendMessageBatch, failing by name when something is left', () => {
      const resources = Object.values(CHILD.States).flatMap((state) =>
        state.Type === 'Map' ? Object.values((state.ItemProcessor as Machine).States) : [state],
      );
      expect(resources.filter((state) => state.Type === 'Task').map((state) => state.Resource)).to.have.members([
        'arn:aws:states:::aws-sdk:dynamodb:batchGetItem',
        'arn:aws:states:::aws-sdk:sqs:sendMessageBatch',
      ]);
      const errors = Object.values(CHILD.States).filter((state) => state.Type === 'Fail').map((state) => state.Error);
      expect(errors).to.have.members(['RecordsNotFound', 'RecordsNotRead', 'MessagesNotSent']);
    });

    it('reads only the attributes a message is made of, not the TTL attribute the seed writes, and makes the messages as it reads', () => {
      const read = CHILD.States['Read Batch from DynamoDB']!;
      expect(String((read.Arguments as { RequestItems: string }).RequestItems)).to.contain(`'ProjectionExpression': '${TABLE.hashKey}, ${TABLE.messageAttribute}'`);
      const unsent = (read.Assign as Record<string, string>).unsent!;
      expect(unsent).to.contain(`${TABLE.hashKey}.S`).and.to.contain(`${TABLE.messageAttribute}.S`).and.not.to.contain(TABLE.ttlAttribute);
    });

    it('names the keys BatchGetItem found no record for, from the messages it made of the ones it found', async () => {
      const ids = ['id-a', 'id-b', 'id-c'];
      const read = { Responses: { records: [ids[2], ids[0]].map((id) => ({ MessageId: { S: id }, Message: { S: `body of ${id}` } })) }, UnprocessedKeys: {} };
      const scope = (variables: Record<string, unknown>, result?: unknown) => ({ states: { input: {}, context: {}, ...(result ? { result } : {}) }, variables });
      const assign = CHILD.States['Read Batch from DynamoDB']!.Assign as Record<string, string>;
      const unsent = await evaluateJsonata(assign.unsent!, scope({ unsent: [], table: 'records' }, read), 'Assign/unsent');
      expect(unsent).to.have.length(2);
      const [found, notFound] = (CHILD.States['Every Key Read?']!.Choices as { Condition: string }[]).map((choice) => choice.Condition);
      const after = { unsent, keyIds: ids, unreadKeys: [] };
      expect(await evaluateJsonata(found!, scope(after), 'Condition')).to.equal(false);
      expect(await evaluateJsonata(notFound!, scope(after), 'Condition')).to.equal(true);
      const cause = await evaluateJsonata(CHILD.States['Fail: Records Not Found']!.Cause as string, scope(after), 'Cause');
      expect(cause).to.equal('BatchGetItem found 2 of 3 record(s); missing: id-b');
    });

    it("names the fields its reconcile declares: each batch item's key, and the count a child that succeeded says it sent", () => {
      expect(JSON.stringify(CHILD.States['Prepare Batch'])).to.contain(`Items.${KEY_FIELD}`);
      expect(CHILD.States['Batch Sent']!.Output).to.equal(`{% {'${SENT_FIELD}': $count($keyIds)} %}`);
    });

    it('retries exactly the transient errors of workflow/service-errors.ts, under the AWS SDK integrations\' names', () => {
      const tasks = Object.values(CHILD.States).flatMap((state) =>
        state.Type === 'Map' ? Object.values((state.ItemProcessor as Machine).States) : [state],
      );
      const retried = (resource: string) =>
        (tasks.find((state) => state.Resource === resource)!.Retry as { ErrorEquals: string[] }[]).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried('arn:aws:states:::aws-sdk:dynamodb:batchGetItem')).to.deep.equal(RETRYABLE_SDK_ERRORS.dynamodb);
      expect(retried('arn:aws:states:::aws-sdk:sqs:sendMessageBatch')).to.deep.equal(RETRYABLE_SDK_ERRORS.sqs);
      const seedRetried = (ASL.States[ASL.StartAt]!.Retry as { ErrorEquals: string[] }[])[0]!.ErrorEquals;
      expect(seedRetried).to.deep.equal(RETRYABLE_ERRORS.lambda);
    });
  });

  describe('timeouts', () => {
    const seed = ASL.States[ASL.StartAt]! as State & { TimeoutSeconds?: number };
    const machine = ASL as unknown as { TimeoutSeconds: number };

    it('bounds the Lambda task with TimeoutSeconds past the function\'s own timeout, within the execution\'s', () => {
      expect(seed.TimeoutSeconds).to.be.a('number').and.above(SEED_FUNCTION.timeoutSeconds).and.below(machine.TimeoutSeconds);
    });

    it('leaves a child under sustained throttling, every retry and round used, seconds for each call within EXPRESS\'s five minutes', () => {
      const states = CHILD.States as Record<string, State & { Seconds?: string; Choices?: { Condition: string }[]; MaxConcurrency?: number }>;
      // The loops bench/child-worst-case.ts counts, as the ASL writes them.
      for (const [choice, wait, counter] of [
        ['Every Key Read?', 'Back Off Before Reading Again', '$readAttempts'],
        ['Every Message Sent?', 'Back Off Before Sending Again', '$sendAttempts'],
      ] as const) {
        expect(states[choice]!.Choices!.map((c) => c.Condition)).to.include(`{% ${counter} >= ${CHILD_LOOP.rounds} %}`);
        expect(states[wait]!.Seconds).to.equal(`{% $min([$power(2, ${counter} - 1), ${CHILD_LOOP.maxWaitSeconds}]) %}`);
      }
      // One round of sends goes out at once: the inline Map runs every batch of 10 of the child's 100 messages together.
      expect(states['Send Messages to SQS']!.MaxConcurrency).to.be.at.least((MAP.ItemBatcher as { MaxItemsPerBatch: number }).MaxItemsPerBatch / 10);
      const worst = atScaleChildWorstCase(ASL);
      expect(worst.waitSeconds).to.be.below(EXPRESS_MAX_SECONDS);
      // The figures the README gives: 40 calls, 100 s of waits, 5 s left for each call (AWS answers in milliseconds).
      expect(worst).to.deep.equal({ calls: 40, waitSeconds: 100, secondsPerCall: 5 });
    });

    it('counts each retry at its longest delay, capped by MaxDelaySeconds', () => {
      expect(retryWaitSeconds({ ErrorEquals: ['E'], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 4 })).to.equal(1 + 2 + 4 + 4 + 4);
      expect(retryWaitSeconds({ ErrorEquals: ['E'] })).to.equal(1 + 2 + 4);
    });
  });

  describe('run by the engine over in-memory services', function () {
    this.timeout(120_000);

    // Fewer children than the Map Run keeps in flight, and a fifth more (100 records each).
    for (const count of [1_000, (MAX_CONCURRENCY * 6 / 5) * 100]) {
      it(`sends ${count.toLocaleString('en-US')} records once each, with a parent history that does not grow with the count`, async () => {
        const run = await runAtScale({ count });
        expect(run.result.status, run.result.cause).to.equal('SUCCEEDED');
        expect(run.seeded).to.have.length(count);
        expect(run.delivered).to.equal(count);
        expect(run.missing).to.deep.equal([]);
        expect(run.duplicated).to.deep.equal([]);
        expect(run.childExecutions).to.equal(count / 100);
        // Seed and Map: two states entered, whatever the count.
        expect(run.parentTransitions).to.equal(2);
        expect(run.parentEvents).to.be.below(20);
        // AWS bills the parent one more transition per child started: at most 15 per 1,000 records (the loop: 4,000).
        expect(((run.parentTransitions + run.childExecutions) / count) * 1000).to.be.at.most(15);
        const output = run.result.output as { ResultWriterDetails: { Bucket: string; Key: string } };
        const manifest = JSON.parse(run.services.objects.get(`${output.ResultWriterDetails.Bucket}/${output.ResultWriterDetails.Key}`)!) as {
          ResultFiles: { SUCCEEDED: { Key: string }[]; FAILED: unknown[] };
        };
        expect(manifest.ResultFiles.FAILED).to.deep.equal([]);
        // Each entry is a child as AWS writes it: its status, and its output as JSON text.
        const results = JSON.parse(run.services.objects.get(`${output.ResultWriterDetails.Bucket}/${manifest.ResultFiles.SUCCEEDED[0]!.Key}`)!) as {
          Status: string;
          Output: string;
        }[];
        expect(results.every((result) => result.Status === 'SUCCEEDED')).to.equal(true);
        expect(results.reduce((sum, result) => sum + (JSON.parse(result.Output) as { Sent: number }).Sent, 0)).to.equal(count);
      });
    }

    it('sends each message with its MessageId attribute and the record\'s body', async () => {
      const run = await runAtScale({ messages: ['first', 'second ✓', '{"json": true}'] });
      expect(run.result.status, run.result.cause).to.equal('SUCCEEDED');
      const byId = new Map(run.services.queue.map((message) => [message.messageId, message.body]));
      for (const [id, item] of run.services.table) expect(byId.get(id)).to.equal(item.Message!.S);
    });

    it('absorbs BatchGetItem leaving keys unprocessed and SendMessageBatch failing entries, losing nothing', async () => {
      const { value: run, elapsedMs } = await onFakeClock(() => runAtScale({ count: 300 }, { faults: { unprocessedKeys: 2, failedEntries: 3 } }));
      // Each child that met a fault backed off 1 s before trying again.
      expect(elapsedMs).to.be.at.least(1000);
      expect(run.result.status, run.result.cause).to.equal('SUCCEEDED');
      expect(run.missing).to.deep.equal([]);
      expect(run.duplicated).to.deep.equal([]);
      expect(run.services.calls.get('arn:aws:states:::aws-sdk:dynamodb:batchGetItem')).to.equal(3 + 2);
    });

    it('fails the Map Run with States.ExceedToleratedFailureThreshold when entries stay failed past the retries', async () => {
      // The child backs off between its five attempts (Wait states of 1, 2, 4 and 8 s), on a fake clock.
      const { value: run, elapsedMs } = await onFakeClock(() => runAtScale({ count: 10 }, { faults: { failedEntries: 100 } }));
      expect(elapsedMs).to.be.at.least((1 + 2 + 4 + 8) * 1000);
      expect(run.result.status).to.equal('FAILED');
      expect(run.result.error).to.equal('States.ExceedToleratedFailureThreshold');
      const child = run.result.mapRuns[0]!.executions[0]!;
      expect(child.error).to.equal('MessagesNotSent');
      expect(child.cause).to.match(/left 1 message\(s\) unsent after 5 attempt\(s\)/);
    });

    it(`ends in InvalidInput for a count above ${AT_SCALE_MAX_ITEMS.toLocaleString('en-US')}, writing nothing`, async () => {
      const run = await runAtScale({ count: AT_SCALE_MAX_ITEMS + 1 });
      expect(run.result.status).to.equal('FAILED');
      expect(run.result.error).to.equal('InvalidInput');
      expect(run.result.cause).to.include(`between 1 and ${AT_SCALE_MAX_ITEMS}`);
      expect(run.seeded).to.deep.equal([]);
    });
  });
});

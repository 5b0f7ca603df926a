import { expect } from 'chai';
import { formatText, toJsonSummary } from '../../execution/report.ts';
import { parseFault } from '../../local/bridge/faults.ts';
import { runLocal } from '../../local/run.ts';
import { renderReport } from '../../viz/report.ts';
import { APP, withQueueType } from '../../workflow/app.ts';
import type { QueueType } from '../../workflow/description.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';

const app = (type: QueueType) => withQueueType(APP, type);

type Definition = { States: Record<string, { Parameters?: Record<string, unknown>; ItemBatcher?: { BatchInput: Record<string, string> } }> };
const sendParameters = (definition: unknown) => (definition as Definition).States['Send Message to SQS']!.Parameters!;

describe('local/run: Standard and FIFO queues, with answers lost and sends retried', function () {
  this.timeout(120_000);

  describe('transfer-records (the classic loop, SendMessage)', () => {
    const workflow = TRANSFER_RECORDS.name;

    it('Standard: a lost answer puts the message on the queue twice, and every report names it with its copies', async () => {
      const { record } = await runLocal({ workflow, count: 5, app: app('standard'), faults: [parseFault('sqs:sendMessage:lost-answer:1')], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      const first = record.seeded[0]!.messageId;
      expect(record.reconciliation).to.deep.include({ items: 5, delivered: 6, missing: [], duplicates: [first], duplicateCopies: { [first]: 2 } });
      // Step Functions saw a client error, not the stored message, and the Retry took it up.
      expect(record.faults![0]).to.deep.include({ fault: 'sqs:sendMessage:lost-answer:1', error: 'SQS.SdkClientException', fired: 1 });
      expect(record.faults![0]!.states['Send Message to SQS']).to.deep.equal({ fired: 1, retried: 1 });
      expect(formatText(record)).to.contain('missing 0, duplicated 1').and.contain(`Duplicated: ${first} (×2)`);
      expect(toJsonSummary(record)).to.deep.include({ duplicates: 1, duplicateIds: [first], duplicateCopies: { [first]: 2 } });
      expect(await renderReport(record)).to.contain(`${first} ×2`);
    });

    it('Standard: two lost answers in a row put one message on the queue three times', async () => {
      const { record } = await runLocal({ workflow, count: 3, app: app('standard'), faults: [parseFault('sqs:sendMessage:lost-answer:2')], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      const first = record.seeded[0]!.messageId;
      expect(record.reconciliation).to.deep.include({ delivered: 5, duplicates: [first], duplicateCopies: { [first]: 3 } });
    });

    it('FIFO: the same lost answers leave every record on the queue once, in the seed\'s order, on .fifo queues', async () => {
      const { record } = await runLocal({ workflow, count: 5, app: app('fifo'), faults: [parseFault('sqs:sendMessage:lost-answer:2')], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      expect(record.reconciliation).to.deep.include({ items: 5, delivered: 5, missing: [], duplicates: [] });
      expect(record.reconciliation).to.not.have.property('duplicateCopies');
      expect(record.faults![0]).to.deep.include({ fired: 2 });
      expect(record.delivered.map((m) => m.messageId)).to.deep.equal(record.seeded.map((item) => item.messageId));
      const parameters = sendParameters(record.definition);
      expect(parameters.QueueUrl).to.match(/-queue\.fifo$/);
      expect(parameters).to.include({ 'MessageGroupId.$': '$$.Execution.Name', 'MessageDeduplicationId.$': '$.List[0]' });
    });

    it('Standard, no fault: the ASL carries no FIFO parameter, and nothing is duplicated', async () => {
      const { record } = await runLocal({ workflow, count: 3, app: app('standard') });
      expect(record.reconciliation).to.deep.include({ delivered: 3, duplicates: [] });
      const parameters = sendParameters(record.definition);
      expect(parameters.QueueUrl).to.match(/-queue$/);
      expect(Object.keys(parameters)).to.have.members(['QueueUrl', 'MessageBody.$', 'MessageAttributes']);
    });
  });

  describe('transfer-records-at-scale (the distributed Map, aws-sdk:sqs:sendMessageBatch)', () => {
    const workflow = TRANSFER_RECORDS_AT_SCALE.name;

    it('Standard: a lost batch answer puts its ten messages on the queue twice; the run still succeeds', async () => {
      const { record } = await runLocal({ workflow, count: 30, app: app('standard'), faults: [parseFault('sqs:sendMessageBatch:lost-answer:1')], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      expect(record.reconciliation).to.include({ items: 30, delivered: 40 });
      expect(record.reconciliation.missing).to.deep.equal([]);
      expect(record.reconciliation.duplicates).to.have.length(10);
      expect(Object.values(record.reconciliation.duplicateCopies!)).to.deep.equal(Array(10).fill(2));
      // The AWS SDK integration names the lost answer as SDK v2 does, and the batch Task's Retry takes it up.
      expect(record.faults![0]).to.deep.include({ error: 'Sqs.SdkClientException', fired: 1 });
      expect(record.faults![0]!.states['Send Message Batch']).to.deep.equal({ fired: 1, retried: 1 });
      expect(toJsonSummary(record)).to.deep.include({ duplicates: 10 });
    });

    it('FIFO: the same lost answers leave every record once, each message its record\'s group', async () => {
      const { record } = await runLocal({ workflow, count: 250, app: app('fifo'), faults: [parseFault('sqs:sendMessageBatch:lost-answer:3')], fastRetries: true });
      expect(record.status).to.equal('SUCCEEDED');
      expect(record.reconciliation).to.deep.include({ items: 250, delivered: 250, missing: [], duplicates: [] });
      expect(record.faults![0]).to.deep.include({ fired: 3 });
      expect((record.definition as Definition).States['Send Every Record']!.ItemBatcher!.BatchInput.QueueUrl).to.match(/-queue\.fifo$/);
    });

    it('Standard, no fault: nothing duplicated, the entries carry no FIFO field', async () => {
      const { record } = await runLocal({ workflow, count: 20, app: app('standard') });
      expect(record.reconciliation).to.deep.include({ delivered: 20, duplicates: [] });
      expect(JSON.stringify(record.definition)).to.not.contain('MessageGroupId');
    });
  });
});

// End to end: the real ASL, the real seed bundle, the real emulators. Needs `make build`.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { runLocal } from '../../local/run.ts';
import { executionArnOf } from '../../workflow/arns.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { createClients } from '../../execution/clients.ts';
import { QUOTAS } from '../../workflow/quotas.ts';
import { RunInterrupted } from '../../local/cli/run-guard.ts';
import { MAX_JSON_DEPTH } from '../../engine/index.ts';
import { InvalidExecutionInput } from '../../execution/input.ts';
import { rejection } from '../helpers.ts';
import { useHostAwsSettings, type HostAwsSettings } from './host-aws.ts';
import { entriesOf } from '../fixtures/names.ts';

const SEED = 'Seed the DynamoDB Table';
const GET = 'Read Next Message from DynamoDB';
const REJECT = 'Reject Invalid Input';
const FIXTURES = 'test/fixtures/asl';

describe('local/run (end to end on the emulators)', function () {
  this.timeout(60_000);

  it('runs the deployed workflow: 10 items seeded, 10 delivered', async () => {
    const { record, env } = await runLocal();
    expect(env).to.equal(undefined);
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 10, delivered: 10 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
    expect(record.historyEvents).to.equal(14 * 10 + 11);
    expect(record.stateTransitions).to.equal(4 * 10 + 3);
    expect(record.states[GET]!.entered).to.equal(10);
    expect(record.states[SEED]!.samples[0]!.input).to.deep.equal({});
    expect(record.executionArn).to.match(/^arn:aws:states:[a-z0-9-]+:\d{12}:execution:[\w-]+-state-machine:[0-9a-f-]{36}$/);
    expect(record.source).to.equal('local');
    expect(record.output).to.deep.equal({ List: ['DONE'] });
    expect(record.delivered.map((message) => message.messageId).sort()).to.deep.equal(
      record.seeded.map((item) => item.messageId),
    );
    expect(record.warnings).to.deep.equal([]);
  });

  it('delivers 500 of 500, with no missing and no duplicates', async () => {
    const { record } = await runLocal({ count: 500 });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 500, delivered: 500 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    expect(record.reconciliation.duplicates).to.deep.equal([]);
    expect(record.historyEvents).to.equal(14 * 500 + 11);
  });

  it('seeds the bodies of a messages list and reports progress as they are sent', async () => {
    const seen: number[] = [];
    const { record } = await runLocal({ messages: ['first', 'second', 'third'], onProgress: (p) => seen.push(p.delivered) });
    expect(record.delivered.map((message) => message.body).sort()).to.deep.equal(['first', 'second', 'third']);
    expect(seen).to.deep.equal([1, 2, 3]);
  });

  it('ends FAILED with the seed\'s InvalidInput for {"count": 0}, and delivers nothing', async () => {
    const { record } = await runLocal({ input: { count: 0 } });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('InvalidInput');
    expect(record.cause).to.contain('input.count must be between 1 and');
    expect(record.failedState).to.equal(REJECT);
    expect(record.reconciliation).to.include({ items: 0, delivered: 0 });
    expect(record.historyEvents).to.equal(8);
  });

  it('fails with the access error, naming sqs:SendMessage, when the role may not use the queue', async () => {
    const { record } = await runLocal({ definitionPath: `${FIXTURES}/forbidden-queue.asl.json` });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.match(/^SQS\./);
    expect(record.cause).to.contain('is not authorized to perform: sqs:SendMessage');
    expect(record.cause).to.contain('another-teams-queue');
    expect(record.failedState).to.equal('Send to Another Queue');
  });

  it('runs a JSONata state inside a JSONPath state machine', async () => {
    const { record, history } = await runLocal({ definitionPath: `${FIXTURES}/jsonata.asl.json` });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.output).to.equal(3);
    expect(history.map((event) => event.type)).to.deep.equal([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('refuses a job the offline run cannot run (.sync on ecs:runTask) before the execution starts, naming the state', async () => {
    const error = await rejection(runLocal({ definitionPath: `${FIXTURES}/sync.asl.json` }));
    expect(error.name).to.equal('UnsupportedResource');
    expect(error.message).to.contain('Run the Job').and.contain('.sync and .sync:2 (states:startExecution)');
  });

  it('refuses a missing definition with a DefinitionError', async () => {
    const error = await rejection(runLocal({ definitionPath: `${FIXTURES}/missing.asl.json` }));
    expect(error.name).to.equal('DefinitionError');
  });

  it('retries a throttled GetItem as the ASL says, and loses nothing', async () => {
    const fault = { service: 'dynamodb', action: 'getItem', error: 'DynamoDB.ProvisionedThroughputExceededException', times: 2 };
    const { record } = await runLocal({ faults: [fault] });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation).to.include({ items: 10, delivered: 10 });
    expect(record.reconciliation.missing).to.deep.equal([]);
    // Two failed attempts, each adding TaskFailed, then TaskScheduled and TaskStarted again.
    expect(record.historyEvents).to.equal(14 * 10 + 11 + 2 * 3);
    expect(record.stateTransitions).to.equal(4 * 10 + 3 + 2);
    expect(record.warnings).to.deep.equal([]);
  });

  it('says so in the report when retries skip their waits', async () => {
    const fault = { service: 'sqs', action: 'sendMessage', error: 'SQS.AmazonSQSException', times: 1 };
    const { record } = await runLocal({ count: 2, faults: [fault], fastRetries: true });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.reconciliation.delivered).to.equal(2);
    expect(record.warnings.join('\n')).to.contain('--fast-retries');
  });

  it('fails the run at the item where history passes 25,000 events, and sends nothing after it', async () => {
    const { record } = await runLocal({ count: 800, definitionPath: `${FIXTURES}/history-overflow.asl.json` });
    expect(record.status).to.equal('FAILED');
    expect(record.error).to.equal('States.Runtime');
    expect(record.cause).to.contain(`maximum number of history events (${QUOTAS.historyEvents})`);
    // 34 events per item: item 736 begins at event 24,997 and its GetItem would be scheduled at 25,000.
    const note = record.warnings.join('\n');
    expect(note).to.contain(`entry 736 of "${GET}"`);
    const item736 = record.seeded[735]!.messageId;
    expect(note).to.contain(`$.List[0] = "${item736}"`);
    expect(record.failedState).to.equal(GET);
    expect(record.historyEvents).to.equal(QUOTAS.historyEvents);
    expect(record.reconciliation.delivered).to.equal(735);
    expect(record.reconciliation.missing).to.have.length(800 - 735);
  });

  it('only warns at the crossing with quotaFail: false, and runs to the end', async () => {
    const { record } = await runLocal({ count: 800, definitionPath: `${FIXTURES}/history-overflow.asl.json`, quotaFail: false });
    expect(record.status).to.equal('SUCCEEDED');
    expect(record.historyEvents).to.equal(34 * 800 + 11);
    expect(record.reconciliation.delivered).to.equal(800);
    expect(record.warnings).to.have.length(1);
    expect(record.warnings[0]).to.contain(`entry 736 of "${GET}"`).and.to.contain('--no-quota-fail');
  });

  it('ends TIMED_OUT when the execution runs past its TimeoutSeconds', async () => {
    const { record } = await runLocal({ definitionPath: `${FIXTURES}/timeout.asl.json` });
    expect(record.status).to.equal('TIMED_OUT');
    expect(record.error).to.equal('States.Timeout');
    expect(record.historyEvents).to.equal(3);
  });

  it('leaves the emulators running with keep, until stopped', async () => {
    const { record, env } = await runLocal({ count: 1, keep: true });
    expect(env).to.not.equal(undefined);
    try {
      const { sqs } = createClients({ region: env!.resources.region, endpoints: env!.endpoints, credentials: LOCAL_CREDENTIALS });
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: entriesOf(env!.resources).queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Attributes?.ApproximateNumberOfMessages).to.equal('1');
      sqs.destroy();
      expect(record.reconciliation.delivered).to.equal(1);
    } finally {
      await env!.stop();
    }
  });
});

describe('local/run (a refused Task resource with keep)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-keep-'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  const servers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;

  it('stops the emulators it started and hands back nothing to stop', async () => {
    const path = join(dir, 'glue.asl.json');
    const definition = { StartAt: 'Run Job', States: { 'Run Job': { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun', End: true } } };
    await writeFile(path, JSON.stringify(definition));
    const before = servers();
    const error = await rejection(runLocal({ definitionPath: path, keep: true }));
    expect(error.name).to.equal('UnsupportedResource');
    await new Promise((resolve) => setImmediate(resolve));
    expect(servers()).to.equal(before);
  });
});

describe('local/run (internal failures end the run at once)', function () {
  this.timeout(30_000);

  /** Servers still listening, once closed ones have released their handles. */
  async function servers(): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
  }

  it('refuses an input nested 5,000 deep by name (InvalidExecutionInput), before starting anything', async () => {
    const before = await servers();
    const input = JSON.parse(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    const error = await rejection(runLocal({ input, keep: true }));
    expect(error).to.be.instanceOf(InvalidExecutionInput);
    expect(error.message).to.equal(`The execution input is nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays), the most the engine accepts.`);
    expect(await servers()).to.equal(before);
  });

  it('rejects at once with what a callback threw, mid-run, instead of carrying on', async () => {
    const before = await servers();
    let calls = 0;
    const started = performance.now();
    const error = await rejection(
      runLocal({
        count: 200,
        onProgress: () => {
          calls += 1;
          if (calls === 3) throw new TypeError('the progress display broke');
        },
      }),
    );
    expect(`${error.name}: ${error.message}`).to.equal('TypeError: the progress display broke');
    expect(calls).to.equal(3);
    expect(performance.now() - started).to.be.below(10_000);
    expect(await servers()).to.equal(before);
  });

  it('rejects with RunInterrupted when its signal aborts, and stops the emulators', async () => {
    const before = await servers();
    const controller = new AbortController();
    const error = await rejection(runLocal({ count: 200, signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error).to.be.instanceOf(RunInterrupted);
    expect(await servers()).to.equal(before);
  });

  for (const kind of ['missing-profile', 'expired-sso'] as HostAwsSettings[]) {
    it(`runs the workflow to the end on a host with its own AWS settings (${kind})`, async () => {
      const restore = await useHostAwsSettings(kind);
      try {
        const { record } = await runLocal({ count: 3 });
        expect(record.status, record.cause).to.equal('SUCCEEDED');
        expect(record.reconciliation).to.include({ items: 3, delivered: 3 });
      } finally {
        await restore();
      }
    });
  }
});

describe('local/run executionArnOf', () => {
  it('names executions the way AWS does', () => {
    expect(executionArnOf('arn:aws:states:us-east-1:000000000000:stateMachine:m', 'run-1')).to.equal(
      'arn:aws:states:us-east-1:000000000000:execution:m:run-1',
    );
  });
});

// `make run`'s client on transfer-records-at-scale, end to end against the local Step Functions
// endpoint and the emulators (DynamoDB, SQS, S3): the seed writes its key list to the S3
// emulator, the distributed Map's EXPRESS children send every record, and the client builds the
// Map Run view from the API and reconciles the key list with the Map Run's results.
import { expect } from 'chai';
import sinon from 'sinon';
import type { GetObjectCommandInput } from '@aws-sdk/client-s3';
import type { ListExecutionsCommandInput, StartExecutionCommand, StartExecutionInput } from '@aws-sdk/client-sfn';
import { EXIT, runCommand, type RunDeps } from '../../aws/run-command.ts';
import { renderReport } from '../../viz/report.ts';
import type { ExecutionRecord } from '../../execution/execution-record.ts';
import { AT_SCALE_MAX_ITEMS } from '../../functions/seed/at-scale-limits.ts';
import { KEY_LIST_PREFIX, RESULTS_PREFIX, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { LOCAL_POLL_MS } from '../../scripts/run-on-local-endpoint.ts';
import { startLocalAws, type LocalAws } from './local-aws.ts';

const MAP_STATE = 'Send Every Record';
const SEED_STATE = 'Seed the DynamoDB Table';

describe('aws: make run on transfer-records-at-scale', function () {
  this.timeout(60_000);
  let aws: LocalAws;

  before(async () => {
    aws = await startLocalAws('aws-run-at-scale', TRANSFER_RECORDS_AT_SCALE.name);
  });

  beforeEach(() => aws.reset());
  afterEach(() => sinon.restore());
  after(() => aws.stop());

  async function run(argv: string[]) {
    const out: string[] = [];
    let record: ExecutionRecord | undefined;
    const deps: RunDeps = {
      readOutputs: sinon.fake.resolves(aws.outputs),
      createClients: sinon.fake.returns(aws.clients),
      clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, LOCAL_POLL_MS))) },
      // The record the HTML report is made of, kept instead of written.
      writeReport: async (made) => {
        record = made;
        return 'report.html';
      },
      out: (text) => out.push(text),
      err: () => undefined,
    };
    const code = await runCommand(['--workflow', TRANSFER_RECORDS_AT_SCALE.name, ...argv], deps);
    const name = ((aws.sent('sfn')[0] as StartExecutionCommand).input as StartExecutionInput).name!;
    return { code, out: out.join('\n'), name, record: record! };
  }

  type Service = 'sfn' | 's3' | 'sqs';
  const namesOf = (commands: object[]) => commands.map((command) => command.constructor.name);

  describe('1,000 records', () => {
    let result: Awaited<ReturnType<typeof run>>;
    let json: Awaited<ReturnType<typeof run>>;
    /** What the --json run sent, kept before the next test's reset. */
    let sent: Record<Service, object[]>;

    before(async () => {
      aws.reset();
      result = await run(['--count', '1000']);
      aws.reset();
      json = await run(['--count', '1000', '--json']);
      sent = { sfn: aws.sent('sfn'), s3: aws.sent('s3'), sqs: aws.sent('sqs') };
    });

    it('succeeds and shows the Map Run from the API: 10 EXPRESS children, all succeeded', () => {
      expect(result.code).to.equal(EXIT.succeeded);
      expect(result.out).to.contain(`Map Run of "${MAP_STATE}" SUCCEEDED`);
      expect(result.out).to.contain('10 EXPRESS child executions: succeeded 10, failed 0');
      expect(result.out).to.match(/Slowest child {4}\([0-9a-f-]{36}\): \d/);
    });

    it('says what AWS does not give instead of a number: the children keep no history', () => {
      expect(result.out).to.contain('Largest child    history not available on AWS; payload not available on AWS');
      expect(result.out).to.contain('State transitions in children not available on AWS');
      const mapRun = JSON.parse(json.out).mapRuns[0];
      expect(mapRun).to.include({ stateName: MAP_STATE, executionType: 'EXPRESS', status: 'SUCCEEDED' });
      expect(mapRun.children).to.deep.equal({ total: 10, succeeded: 10, failed: 0, timedOut: 0, aborted: 0 });
      expect(mapRun).to.not.have.any.keys('largestChildEvents', 'largestChildPayloadBytes', 'childStateTransitions');
      expect(mapRun.unsuccessful).to.deep.equal([]);
    });

    it('reconciles the 1,000 seeded keys with what the children sent: nothing missing, nothing duplicated', () => {
      expect(result.out).to.contain('Seeded 1,000, delivered 1,000, missing 0, duplicated 0');
      expect(JSON.parse(json.out)).to.include({ status: 'SUCCEEDED', items: 1000, delivered: 1000, missing: 0, duplicates: 0 });
    });

    it('shows the Map Run in the HTML report, saying what AWS does not give', async () => {
      const html = await renderReport(result.record);
      expect(html).to.contain(`Map Run of “${MAP_STATE}”`);
      expect(html).to.contain('Largest child history: not available on AWS.');
      expect(html).to.contain('State transitions in the children: not available on AWS.');
      expect(html).to.match(/1,000<\/span> items seeded in the table/);
    });

    it('reads the key list the seed wrote and the ResultWriter manifest, with the SDK paginators, and never the queue', () => {
      const keys = sent.s3.map((command) => (command as { input: GetObjectCommandInput }).input.Key);
      expect(keys[0]).to.equal(`${KEY_LIST_PREFIX}${json.name}.jsonl`);
      expect(keys[1]).to.match(new RegExp(`^${RESULTS_PREFIX}[0-9a-f-]{36}/manifest\\.json$`));
      expect(new Set(namesOf(sent.s3))).to.deep.equal(new Set(['GetObjectCommand']));
      expect(namesOf(sent.sfn)).to.include.members(['ListMapRunsCommand', 'DescribeMapRunCommand', 'ListExecutionsCommand']);
      const listed = sent.sfn.find((command) => command.constructor.name === 'ListExecutionsCommand') as { input: ListExecutionsCommandInput };
      expect(listed.input.mapRunArn).to.equal(JSON.parse(json.out).mapRuns[0].mapRunArn);
      expect(sent.sqs).to.deep.equal([]);
    });
  });

  it('reports an invalid count as InvalidInput, with no Map Run and nothing seeded', async () => {
    const { code, out } = await run(['--count', String(AT_SCALE_MAX_ITEMS + 1), '--json']);
    expect(code).to.equal(EXIT.notSucceeded);
    const summary = JSON.parse(out);
    expect(summary).to.include({ status: 'FAILED', error: 'InvalidInput', failedState: 'Reject Invalid Input', items: 0, delivered: 0, missing: 0 });
    expect(summary.mapRuns).to.deep.equal([]);
    expect(summary.states).to.have.keys(SEED_STATE, 'Reject Invalid Input');
    expect(aws.sent('s3')).to.deep.equal([]);
  });
});

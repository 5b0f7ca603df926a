import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { reconcile, type ExecutionRecord, type MapRunReport } from '../../execution/execution-record.ts';
import type { SeededItem } from '../../workflow/description.ts';
import { JSON_CHAR_LIMIT, TABLE_ROW_LIMIT, renderReport, writeReport } from '../../viz/report.ts';
import { failedRecord, FAILED_STATE, SCRIPT_BODY as FAILED_SCRIPT } from '../fixtures/records/failed.ts';
import { succeededRecord, SCRIPT_BODY as SUCCEEDED_SCRIPT } from '../fixtures/records/succeeded.ts';
import { drawnNodes } from './svg.ts';

const entered = (record: ExecutionRecord) =>
  Object.entries(record.states).filter(([, state]) => state.entered > 0).map(([name]) => name);

function outcomes(page: HTMLElement): Record<string, string> {
  return Object.fromEntries(page.querySelectorAll('#deliveries tr[data-message-id]').map((row) => [row.getAttribute('data-message-id'), row.getAttribute('data-outcome')]));
}

describe('viz/report', () => {
  describe('a failed run', () => {
    let html: string;
    let page: HTMLElement;

    before(async () => {
      html = await renderReport(failedRecord);
      page = parse(html);
    });

    it('highlights exactly the states the execution entered, each with its count and time', () => {
      const nodes = drawnNodes(page.querySelector('#diagram svg')!).filter((node) => node.classes.includes('state'));
      expect(nodes.filter((node) => node.classes.includes('entered')).map((node) => node.name)).to.have.members(entered(failedRecord));
      expect(nodes.filter((node) => node.classes.includes('skipped')).map((node) => node.name)).to.have.members(['Reject Invalid Input', 'Succeed']);
      expect(nodes.find((node) => node.name === 'Send Message to SQS')!.text).to.contain('ran 3× · 20.0 s');
      expect(nodes.find((node) => node.name === 'Pop Element from List')!.text).to.contain('ran 2× · 3 ms');
    });

    it('marks the failed state in red, and only it', () => {
      const failed = page.querySelectorAll('#diagram g.node.failed');
      expect(failed.map((group) => group.querySelector('title')!.text)).to.deep.equal([FAILED_STATE]);
      expect(failed[0]!.querySelector('path, polygon')!.getAttribute('stroke')).to.equal('#b91c1c');
      expect(page.querySelectorAll('#steps tr.failed').map((row) => row.getAttribute('data-state'))).to.deep.equal([FAILED_STATE]);
    });

    it('lists each state with the number of times it ran', () => {
      const rows = Object.fromEntries(page.querySelectorAll('#steps tr[data-state]').map((row) => [row.getAttribute('data-state'), Number(row.getAttribute('data-entered'))]));
      expect(rows).to.deep.equal({
        'Seed the DynamoDB Table': 1,
        'Reject Invalid Input': 0,
        'For Loop Condition': 3,
        'Read Next Message from DynamoDB': 3,
        'Send Message to SQS': 3,
        'Pop Element from List': 2,
        Succeed: 0,
      });
    });

    it('states the status, error, cause and failed state', () => {
      const summary = page.querySelector('#summary')!.text;
      expect(page.querySelector('#summary .badge')!.text).to.equal('FAILED');
      expect(summary).to.contain('SQS.RequestThrottledException').and.contain(failedRecord.cause!).and.contain(`Failed in the step ${FAILED_STATE}`);
      expect(page.querySelector('h1 + .lead')!.text).to.contain('failed in the step “Send Message to SQS” after 21.9 s');
    });

    it('measures history events and the largest payload against their limits', () => {
      const gauges = page.querySelectorAll('.gauge').map((gauge) => gauge.text.replace(/\s+/g, ' '));
      expect(gauges[0]).to.contain('61 of 25,000 (0.24% of the limit)');
      expect(gauges[1]).to.contain('389 bytes of 256 KiB');
      expect(page.querySelectorAll('.gauge-fill').map((bar) => bar.getAttribute('style'))).to.deep.equal(['width: 0.24%', 'width: 0.15%']);
    });

    it('flags the missing and duplicated items, and the message no item accounts for', () => {
      expect(outcomes(page)).to.deep.equal({
        '9b74c9897bac-0001': 'duplicated',
        '9b74c9897bac-0002': 'delivered',
        '9b74c9897bac-0003': 'missing',
        '9b74c9897bac-0004': 'missing',
      });
      const delivered = page.querySelectorAll('#deliveries tr[data-message-id]').map((row) => row.querySelectorAll('td')[3]!.text);
      expect(delivered).to.deep.equal(['2', '1', '0', '0']);
      expect(page.querySelectorAll('#deliveries tr.unexpected').map((row) => row.text)).to.have.length(1);
      expect(page.querySelectorAll('#deliveries .tile-number').map((tile) => tile.text)).to.deep.equal(['4', '4', '2', '1']);
    });

    it('shows each state run’s input, and the error of the run that failed', () => {
      const send = page.querySelectorAll('details.state-data').find((details) => details.getAttribute('data-state') === FAILED_STATE)!;
      expect(send.querySelectorAll('.sample')).to.have.length(3);
      expect(send.querySelectorAll('.sample')[2]!.text).to.contain('SQS.RequestThrottledException');
      expect(JSON.parse(send.querySelector('.sample pre')!.text)).to.deep.equal(failedRecord.states[FAILED_STATE]!.samples[0]!.input);
    });

    it('leads with the message of a Lambda error and folds the rest of its cause away', async () => {
      const cause = JSON.stringify({ errorType: 'InvalidInput', errorMessage: 'input.count must be between 1 and 1784, got 0', trace: ['InvalidInput: <trace>'] });
      const lambda = parse(await renderReport({ ...failedRecord, error: 'InvalidInput', cause, failedState: 'Reject Invalid Input' }));
      expect(lambda.querySelectorAll('#summary .callout.bad p strong').map((strong) => strong.text)).to.include('input.count must be between 1 and 1784, got 0');
      expect(JSON.parse(lambda.querySelector('#summary .callout.bad details pre')!.text)).to.deep.equal(JSON.parse(cause));
    });

    it('escapes message bodies, which may hold markup', () => {
      expect(html).to.not.match(/<script/i);
      expect(page.querySelector('tr[data-message-id="9b74c9897bac-0002"] td.body')!.text).to.equal(FAILED_SCRIPT);
    });
  });

  describe('retries', () => {
    it('shows the attempts of a retried step in the diagram and the steps table', async () => {
      const name = 'Read Next Message from DynamoDB';
      const states = { ...succeededRecord.states, [name]: { ...succeededRecord.states[name]!, entered: 1, ms: 20, retries: 5 } };
      const page = parse(await renderReport({ ...succeededRecord, states }));
      const node = drawnNodes(page.querySelector('#diagram svg')!).find((candidate) => candidate.name === name)!;
      expect(node.text).to.contain('ran 1× · 5 retries · 20 ms');
      const row = page.querySelector(`#steps tr[data-state="${name}"]`)!;
      expect(row.querySelectorAll('td')[2]!.text).to.equal('1 (+5 retries)');
    });
  });

  describe('a succeeded run', () => {
    let html: string;
    let page: HTMLElement;

    before(async () => {
      html = await renderReport(succeededRecord);
      page = parse(html);
    });

    it('says "1 state transition", in the singular, for a one-step run', async () => {
      const text = parse(await renderReport({ ...succeededRecord, stateTransitions: 1 })).textContent;
      expect(text).to.contain('1 state transition');
      expect(text).to.not.contain('1 state transitions');
      expect(page.textContent).to.contain(`${succeededRecord.stateTransitions} state transitions`);
    });

    it('highlights every state it went through, marks none failed and counts the loop', () => {
      const nodes = drawnNodes(page.querySelector('#diagram svg')!).filter((node) => node.classes.includes('state'));
      expect(nodes.filter((node) => node.classes.includes('entered')).map((node) => node.name)).to.have.members(entered(succeededRecord));
      expect(nodes.find((node) => node.name === 'For Loop Condition')!.text).to.contain('ran 4×');
      expect(page.querySelectorAll('.failed')).to.have.length(0);
      expect(page.querySelector('#summary .badge')!.text).to.equal('SUCCEEDED');
      expect(page.querySelector('#summary .callout.bad')).to.equal(null);
    });

    it('lists the injected faults, each with its firings by state and the retries, only when there were faults', async () => {
      expect(page.querySelector('#faults')).to.equal(null);
      const faults = [
        {
          fault: 'sqs:sendMessage:SQS.AmazonSQSException:1',
          error: 'SQS.AmazonSQSException',
          fired: 1,
          states: { 'Send <Message>': { fired: 1, retried: 1 } },
        },
      ];
      const withFaults = parse(await renderReport({ ...succeededRecord, faults }));
      const items = withFaults.querySelectorAll('#summary #faults li').map((item) => item.text);
      expect(items).to.deep.equal(['sqs:sendMessage:SQS.AmazonSQSException:1: fired 1 time, in "Send <Message>" 1 time (retried 1)']);
    });

    it('shows every item delivered once', () => {
      expect(Object.values(outcomes(page))).to.deep.equal(['delivered', 'delivered', 'delivered']);
      expect(page.querySelector('h1 + .lead')!.text).to.contain('3 items were seeded and 3 messages delivered: none missing.');
    });

    it('shows the execution output as JSON', () => {
      const output = page.querySelectorAll('details.state-data')[1]!;
      expect(output.querySelector('summary')!.text).to.contain('Execution output');
      expect(JSON.parse(output.querySelector('pre')!.text)).to.deep.equal({ List: ['DONE'] });
    });

    it('escapes markup everywhere it appears: table, JSON samples and inputs', () => {
      expect(html).to.not.match(/<script/i);
      expect(html).to.not.contain('<b>tags</b>');
      expect(page.querySelectorAll('pre').some((pre) => pre.text.includes(JSON.stringify(SUCCEEDED_SCRIPT)))).to.equal(true);
    });

    it('loads nothing from anywhere: no scripts, links, images or URLs in styles', () => {
      expect(page.querySelectorAll('script, link, img, iframe, object, embed, [src], [href]')).to.have.length(0);
      expect(page.querySelector('style')!.text).to.not.match(/url\(|@import/);
      expect(page.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).to.contain("default-src 'none'");
    });
  });

  describe('limits', () => {
    const many = (count: number): ExecutionRecord => {
      const seeded: SeededItem[] = Array.from({ length: count }, (_, index) => ({ messageId: `abc-${String(index + 1).padStart(4, '0')}`, body: `Message ${index + 1}` }));
      const delivered = seeded.filter((_, index) => index < 236).map((item) => ({ messageId: item.messageId, body: item.body }));
      return { ...succeededRecord, seeded, delivered, reconciliation: reconcile(seeded, delivered) };
    };

    it(`shows at most ${TABLE_ROW_LIMIT} rows, says so, and still lists every missing item`, async () => {
      const page = parse(await renderReport(many(240)));
      expect(page.querySelectorAll('#deliveries tr[data-message-id]')).to.have.length(TABLE_ROW_LIMIT);
      expect(page.querySelector('#deliveries .note')!.text).to.contain(`Showing the first ${TABLE_ROW_LIMIT} of 240 items`);
      expect(page.querySelector('#deliveries .callout.bad')!.text).to.contain('abc-0237').and.contain('abc-0240');
      expect(page.querySelector('#deliveries details.items')!.hasAttribute('open')).to.equal(false);
      expect(parse(await renderReport(succeededRecord)).querySelector('#deliveries details.items')!.hasAttribute('open')).to.equal(true);
    });

    it('cuts a long JSON value and says how long it was', async () => {
      const record = { ...succeededRecord, input: { messages: ['x'.repeat(JSON_CHAR_LIMIT * 2)] } };
      const input = parse(await renderReport(record)).querySelectorAll('details.state-data')[0]!;
      expect(input.querySelector('pre')!.text).to.have.length(JSON_CHAR_LIMIT);
      expect(input.querySelector('.note')!.text).to.contain(`Showing the first 10,000 of ${JSON.stringify({ messages: ['x'.repeat(JSON_CHAR_LIMIT * 2)] }, null, 2).length.toLocaleString('en-US')} characters`);
    });

    it('still renders the page when a payload (read from AWS) nests too deep to print', async () => {
      const output = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
      const data = parse(await renderReport({ ...succeededRecord, output })).querySelectorAll('details.state-data')[1]!;
      expect(data.querySelector('.note')!.text).to.equal('Not shown: Maximum call stack size exceeded.');
    });

    it('still reports a run whose definition cannot be drawn, saying why', async () => {
      const page = parse(await renderReport({ ...failedRecord, definition: { StartAt: 'Nowhere', States: {} } }));
      expect(page.querySelector('#diagram')!.text).to.contain('The diagram could not be drawn: the definition has no States');
      expect(page.querySelectorAll('#steps tr[data-state]').map((row) => row.getAttribute('data-state'))).to.deep.equal(Object.keys(failedRecord.states));
    });
  });

  describe('writeReport', () => {
    let dir: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'report-'));
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes <dir>/<start time>-<execution name>.html and returns its path', async () => {
      const path = await writeReport(failedRecord, join(dir, 'reports'));
      expect(path).to.equal(join(dir, 'reports', '2025-03-02T08-15-00Z-run-20250302T081500Z-c0ffee.html'));
      expect(await readFile(path, 'utf8')).to.equal(await renderReport(failedRecord));
      expect(await readdir(join(dir, 'reports'))).to.deep.equal(['2025-03-02T08-15-00Z-run-20250302T081500Z-c0ffee.html']);
    });

    it('keeps the file name safe whatever the execution is called', async () => {
      const record = { ...succeededRecord, executionArn: 'arn:aws:states:us-east-1:000000000000:execution:sm:../../a b' };
      const path = await writeReport(record, dir);
      expect(path).to.equal(join(dir, '2025-03-01T12-00-00Z-.._.._a_b.html'));
    });
  });

  describe('a Map Run', () => {
    const MAP_RUN: MapRunReport = {
      stateName: 'Send <Every> Record',
      mapRunArn: 'arn:aws:states:us-east-1:000000000000:mapRun:m/SendEveryRecord:1',
      executionType: 'EXPRESS',
      status: 'FAILED',
      children: { total: 3, succeeded: 1, failed: 1, timedOut: 0, aborted: 1 },
      itemsProcessed: 100,
      itemsNotProcessed: 200,
      slowest: { index: 2, name: 'child-2', status: 'SUCCEEDED', durationMs: 900, items: 100 },
      unsuccessful: [{ index: 0, name: 'child-0', status: 'FAILED', durationMs: 40, items: 100, error: 'MessagesNotSent', cause: 'left 3 unsent', failedState: 'Fail' }],
      largestChildEvents: 12_500,
      largestChildPayloadBytes: 3535,
      largestChildPayloadState: 'Prepare Batch',
      childStateTransitions: 51,
    };

    it('shows the children by outcome, the items, the largest child against its own quotas and the failed children', async () => {
      const page = parse(await renderReport({ ...succeededRecord, stateTransitions: 2, mapRuns: [MAP_RUN] }));
      const section = page.querySelector('#map-runs')!;
      expect(section.querySelector('h3')!.text).to.contain('Map Run of “Send <Every> Record”').and.contain('FAILED');
      const tiles = section.querySelectorAll('.tile').map((tile) => tile.text.replace(/\s+/g, ' ').trim());
      expect(tiles).to.deep.equal([
        '3 batches (EXPRESS child executions)',
        '1 succeeded',
        '1 failed',
        '1 aborted',
        '100 items processed',
        '200 items in children that did not succeed',
      ]);
      expect(section.text).to.contain('12,500 of 25,000 events (50.0% of the limit)');
      expect(section.querySelectorAll('tr.missing').map((row) => row.querySelectorAll('td').map((cell) => cell.text))).to.deep.equal([
        ['0', 'child-0', 'FAILED', '40 ms', '100', 'Fail', 'MessagesNotSent: left 3 unsent'],
      ]);
      expect(page.querySelector('#summary')!.text).to.contain('2 state transitions in this execution, 51 state transitions in its 3 child executions');
    });

    const FAILED_RUN: MapRunReport = {
      ...MAP_RUN,
      stateName: 'Send Every Record',
      unsuccessful: [
        { index: 1, name: 'child-1', status: 'ABORTED', durationMs: 950, items: 100, failedState: 'Read Batch from DynamoDB' },
        { index: 0, name: 'child-0', status: 'FAILED', durationMs: 40, items: 100, error: 'DynamoDb.ThrottlingException', cause: 'Throughput exceeds the current capacity', failedState: 'Read Batch from DynamoDB' },
      ],
    };
    const failedMapRun: ExecutionRecord = {
      ...succeededRecord,
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The specified tolerated failure threshold was exceeded',
      failedState: 'Send Every Record',
      mapRuns: [FAILED_RUN],
    };

    it("leads What went wrong with the failed child's error, the Map Run's own after it", async () => {
      const callout = parse(await renderReport(failedMapRun)).querySelector('#what-went-wrong')!;
      const text = callout.text.replace(/\s+/g, ' ');
      expect(text).to.contain('A child execution of the Map Run of “Send Every Record” (#0) failed in its step Read Batch from DynamoDB');
      expect(text.indexOf('DynamoDb.ThrottlingException')).to.be.above(-1).and.below(text.indexOf('States.ExceedToleratedFailureThreshold'));
      expect(text).to.contain('Throughput exceeds the current capacity');
      expect(text).to.contain('The specified tolerated failure threshold was exceeded');
    });

    it('says an ABORTED child was stopped, not failed, and gives the slowest child no outcome columns', async () => {
      const section = parse(await renderReport(failedMapRun)).querySelector('#map-runs')!;
      expect(section.querySelectorAll('th').map((cell) => cell.text)).to.include('Ended in').and.not.include('Failed in');
      const aborted = section.querySelectorAll('tr.missing')[0]!.querySelectorAll('td').map((cell) => cell.text);
      expect(aborted).to.deep.equal(['1', 'child-1', 'ABORTED', '950 ms', '100', 'Read Batch from DynamoDB (stopped)', '']);
      const slowest = section.querySelector('table.slowest')!;
      expect(slowest.querySelectorAll('th').map((cell) => cell.text)).to.deep.equal(['#', 'Child execution', 'Status', 'Duration', 'Items']);
    });

    it('says when step times are summed over child executions running at once', async () => {
      const steps = parse(await renderReport({ ...succeededRecord, mapRuns: [MAP_RUN] })).querySelector('#steps')!;
      expect(steps.querySelector('#summed-times')!.text).to.contain('summed over every run of a step').and.contain('run at once');
      expect(steps.querySelectorAll('th').map((cell) => cell.text)).to.include('Total time (summed)');
      const plain = parse(await renderReport(succeededRecord)).querySelector('#steps')!;
      expect(plain.querySelector('#summed-times')).to.equal(null);
    });

    it('has no Map Run section without one', async () => {
      expect(parse(await renderReport(succeededRecord)).querySelector('#map-runs')).to.equal(null);
    });
  });
});

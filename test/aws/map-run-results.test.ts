import { expect } from 'chai';
import sinon from 'sinon';
import { manifestFromDefinition, manifestFromOutput, MapRunResultsUnreadable, readMapRunResults } from '../../aws/map-run-results.ts';
import { resultWriterObjects } from '../../local/bridge/s3-objects.ts';
import { stubbedS3 } from './s3-stub.ts';

// A ResultWriter's results as AWS writes them (its documented layout: a manifest listing
// SUCCEEDED_n.json / FAILED_n.json / PENDING_n.json, each entry a child's metadata with its Input
// and Output as JSON strings), which the offline writer writes too.
const BUCKET = 'transfer-records-runs';
const RUN_ID = '0f5c8f0e-3f7b-4c3e-9b59-2b1f0a6d6c11';
const MAP_RUN_ARN = `arn:aws:states:eu-west-1:123456789012:mapRun:transfer-records-at-scale-state-machine/SendEveryRecord:${RUN_ID}`;
const BASE = `map-run-results/${RUN_ID}`;
const MANIFEST = { Bucket: BUCKET, Key: `${BASE}/manifest.json` };

function child(name: string, status: string, keys: string[], extra: Record<string, unknown> = {}) {
  return {
    ExecutionArn: `arn:aws:states:eu-west-1:123456789012:execution:transfer-records-at-scale-state-machine/SendEveryRecord:${name}`,
    Input: JSON.stringify({ BatchInput: { TableName: 'transfer-records-table' }, Items: keys.map((key) => ({ MessageId: key })) }),
    InputDetails: { Included: true },
    Name: name,
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: '2026-11-29T12:00:00.000Z',
    StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:transfer-records-at-scale-state-machine/SendEveryRecord',
    Status: status,
    StopDate: '2026-11-29T12:00:01.000Z',
    ...extra,
  };
}

const manifest = (files: Record<string, string[]>) =>
  JSON.stringify({
    DestinationBucket: BUCKET,
    MapRunArn: MAP_RUN_ARN,
    ResultFiles: Object.fromEntries(['FAILED', 'PENDING', 'SUCCEEDED'].map((group) => [group, (files[group] ?? []).map((Key) => ({ Key, Size: 1 }))])),
  });

describe('aws/map-run-results', () => {
  afterEach(() => sinon.restore());

  describe('readMapRunResults', () => {
    it("reads every file the manifest lists, in AWS's form: each child's status, name, batch, output, error and cause", async () => {
      const { s3, requested } = stubbedS3({
        [`${BUCKET}/${MANIFEST.Key}`]: manifest({ SUCCEEDED: [`${BASE}/SUCCEEDED_0.json`], FAILED: [`${BASE}/FAILED_0.json`] }),
        [`${BUCKET}/${BASE}/SUCCEEDED_0.json`]: JSON.stringify([
          child('c1', 'SUCCEEDED', ['k1', 'k2'], { Output: '{"Sent":2}', OutputDetails: { Included: true } }),
        ]),
        [`${BUCKET}/${BASE}/FAILED_0.json`]: JSON.stringify([
          child('c2', 'FAILED', ['k3'], { Error: 'MessagesNotSent', Cause: 'SendMessageBatch left 1 message(s) unsent' }),
          child('c3', 'ABORTED', ['k4']),
        ]),
      });
      const children = await readMapRunResults(s3, MANIFEST);
      expect(requested()).to.deep.equal([`${BUCKET}/${MANIFEST.Key}`, `${BUCKET}/${BASE}/SUCCEEDED_0.json`, `${BUCKET}/${BASE}/FAILED_0.json`]);
      expect(children).to.have.length(3);
      expect(children![0]).to.deep.include({ group: 'SUCCEEDED', status: 'SUCCEEDED', name: 'c1', output: { Sent: 2 } });
      expect(children![0]!.input).to.deep.include({ Items: [{ MessageId: 'k1' }, { MessageId: 'k2' }] });
      expect(children![1]).to.deep.include({ group: 'FAILED', status: 'FAILED', name: 'c2', error: 'MessagesNotSent', cause: 'SendMessageBatch left 1 message(s) unsent' });
      expect(children![2]).to.deep.include({ group: 'FAILED', status: 'ABORTED', name: 'c3' });
      expect(children![2]!.input).to.deep.include({ Items: [{ MessageId: 'k4' }] });
    });

    it('reads result files written as JSON Lines (WriterConfig.OutputType JSONL) and several files per group', async () => {
      const { s3 } = stubbedS3({
        [`${BUCKET}/${MANIFEST.Key}`]: manifest({ SUCCEEDED: [`${BASE}/SUCCEEDED_0.json`, `${BASE}/SUCCEEDED_1.json`], PENDING: [`${BASE}/PENDING_0.json`] }),
        [`${BUCKET}/${BASE}/SUCCEEDED_0.json`]: `${JSON.stringify(child('c1', 'SUCCEEDED', ['k1']))}\n${JSON.stringify(child('c2', 'SUCCEEDED', ['k2']))}\n`,
        [`${BUCKET}/${BASE}/SUCCEEDED_1.json`]: JSON.stringify([child('c3', 'SUCCEEDED', ['k3'])]),
        [`${BUCKET}/${BASE}/PENDING_0.json`]: JSON.stringify([child('c4', 'PENDING_REDRIVE', ['k4'])]),
      });
      const children = (await readMapRunResults(s3, MANIFEST))!;
      expect(children.map((entry) => [entry.group, entry.name])).to.deep.equal([['SUCCEEDED', 'c1'], ['SUCCEEDED', 'c2'], ['SUCCEEDED', 'c3'], ['PENDING', 'c4']]);
    });

    it("reads the offline writer's objects through the same code: AWS's entries, with each child's input and output", async () => {
      const executed = (index: number, status: 'SUCCEEDED' | 'FAILED', keys: string[], outcome: Record<string, unknown>) => ({
        index,
        executionArn: `arn:aws:states:eu-west-1:123456789012:execution:m/SendEveryRecord:c${index}`,
        name: `c${index}`,
        status,
        startDate: new Date('2026-11-29T12:00:00.000Z'),
        stopDate: new Date('2026-11-29T12:00:01.000Z'),
        inputBytes: 0,
        items: keys.length,
        input: JSON.stringify({ Items: keys.map((key) => ({ MessageId: key })) }),
        eventCount: 0,
        stateTransitions: 0,
        ...outcome,
      });
      const { objects, output } = resultWriterObjects({
        Bucket: BUCKET,
        Prefix: 'map-run-results',
        MapRunArn: MAP_RUN_ARN,
        StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:m/SendEveryRecord',
        Executions: [
          executed(0, 'SUCCEEDED', ['k1', 'k2'], { output: { Sent: 2 } }),
          executed(1, 'FAILED', ['k3'], { error: 'MessagesNotSent', cause: 'left 1 unsent' }),
        ],
      });
      const { s3 } = stubbedS3(Object.fromEntries(objects.map((object) => [`${BUCKET}/${object.key}`, object.body])));
      const where = manifestFromOutput(output)!;
      expect(where).to.deep.equal(MANIFEST);
      const children = (await readMapRunResults(s3, where))!;
      const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:m/SendEveryRecord:${name}`;
      expect(children).to.deep.equal([
        { group: 'SUCCEEDED', status: 'SUCCEEDED', name: 'c0', executionArn: arn('c0'), input: { Items: [{ MessageId: 'k1' }, { MessageId: 'k2' }] }, output: { Sent: 2 } },
        { group: 'FAILED', status: 'FAILED', name: 'c1', executionArn: arn('c1'), input: { Items: [{ MessageId: 'k3' }] }, error: 'MessagesNotSent', cause: 'left 1 unsent' },
      ]);
    });

    it('answers undefined when no manifest is where it should be (a Map Run that failed before writing)', async () => {
      const { s3 } = stubbedS3({});
      expect(await readMapRunResults(s3, MANIFEST)).to.equal(undefined);
    });

    it('names a manifest that is not a ResultWriter manifest', async () => {
      const { s3 } = stubbedS3({ [`${BUCKET}/${MANIFEST.Key}`]: '{"Files": []}' });
      const error = await readMapRunResults(s3, MANIFEST).catch((raised: unknown) => raised);
      expect(error).to.be.instanceOf(MapRunResultsUnreadable);
      expect((error as Error).message).to.contain(`s3://${BUCKET}/${MANIFEST.Key} has no ResultFiles`);
    });

    it('names a result file that is neither JSON nor JSON Lines', async () => {
      const { s3 } = stubbedS3({ [`${BUCKET}/${MANIFEST.Key}`]: manifest({ SUCCEEDED: [`${BASE}/SUCCEEDED_0.json`] }), [`${BUCKET}/${BASE}/SUCCEEDED_0.json`]: '[{"Name": "c1"},\n' });
      const error = await readMapRunResults(s3, MANIFEST).catch((raised: unknown) => raised);
      expect(error).to.be.instanceOf(MapRunResultsUnreadable);
      expect((error as Error).message).to.contain(`s3://${BUCKET}/${BASE}/SUCCEEDED_0.json is neither a JSON array nor JSON Lines (line 1)`);
    });
  });

  describe('where the manifest is', () => {
    it("takes it from the Map state's result", () => {
      expect(manifestFromOutput({ MapRunArn: MAP_RUN_ARN, ResultWriterDetails: { Bucket: BUCKET, Key: MANIFEST.Key } })).to.deep.equal(MANIFEST);
      expect(manifestFromOutput({ Sent: 1 })).to.equal(undefined);
      expect(manifestFromOutput(undefined)).to.equal(undefined);
    });

    it("derives it from a literal ResultWriter (<Prefix>/<Map Run id>/manifest.json), as AWS and the offline writer lay it out", () => {
      const { output } = resultWriterObjects({ Bucket: BUCKET, Prefix: 'map-run-results/', MapRunArn: MAP_RUN_ARN, StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:m/M', Executions: [] });
      for (const Prefix of ['map-run-results', 'map-run-results/']) {
        expect(manifestFromDefinition({ Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: BUCKET, Prefix } }, MAP_RUN_ARN)).to.deep.equal(output.ResultWriterDetails);
      }
      expect(manifestFromDefinition({ Parameters: { Bucket: BUCKET } }, MAP_RUN_ARN)).to.deep.equal({ Bucket: BUCKET, Key: `${RUN_ID}/manifest.json` });
    });

    it('does not guess where a ResultWriter computes its bucket or prefix', () => {
      expect(manifestFromDefinition({ Arguments: { Bucket: '{% $bucket %}', Prefix: 'p' } }, MAP_RUN_ARN)).to.equal(undefined);
      expect(manifestFromDefinition({ Arguments: { Bucket: BUCKET, Prefix: "{% 'p' & $x %}" } }, MAP_RUN_ARN)).to.equal(undefined);
      expect(manifestFromDefinition(undefined, MAP_RUN_ARN)).to.equal(undefined);
    });
  });
});

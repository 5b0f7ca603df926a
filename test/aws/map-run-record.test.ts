import { expect } from 'chai';
import sinon from 'sinon';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  type ExecutionListItem,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { collectMapRunParts } from '../../aws/map-run-record.ts';
import { findState, mapStateName } from '../../aws/map-runs.ts';
import type { Clients } from '../../execution/clients.ts';
import { stubbedS3 } from './s3-stub.ts';
import { keyItem } from '../../workflow/key-items.ts';
import { KEY_FIELD, SENT_FIELD } from '../../workflow/transfer-records-at-scale.ts';

// A Map Run that failed on AWS, as its API and its ResultWriter answer: what the local endpoint
// cannot produce (its results hold no child inputs, and a failed offline Map Run writes none).
// Three children ran: two succeeded, one failed with MessagesNotSent; the fifth key's batch never
// started. The SFN client and S3 answer from stubs; nothing else is faked.
const REGION = 'eu-west-1';
const PREFIX = `arn:aws:states:${REGION}:123456789012`;
const EXECUTION_ARN = `${PREFIX}:execution:transfer-records-at-scale-state-machine:run-20261129T120000Z-a1b2c3`;
const RUN_ID = '6d1b417b-7a55-42f8-928e-13cae887caef';
const MAP_RUN_ARN = `${PREFIX}:mapRun:transfer-records-at-scale-state-machine/SendEveryRecord:${RUN_ID}`;
const BUCKET = 'transfer-records-runs';
const KEY_LIST = 'key-lists/run-20261129T120000Z-a1b2c3.jsonl';
const BASE = `map-run-results/${RUN_ID}`;
const MAP_STATE = 'Send Every Record';
const CAUSE = 'SendMessageBatch left 1 message(s) unsent after 5 attempt(s): k4';

const DEFINITION = {
  StartAt: 'Seed',
  States: {
    Seed: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: MAP_STATE },
    [MAP_STATE]: {
      Type: 'Map',
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Send', States: { Send: { Type: 'Succeed' } } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: BUCKET, Prefix: 'map-run-results' } },
      End: true,
    },
  },
};

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 29, 12, 0, seconds));
const event = (id: number, previousEventId: number, type: HistoryEvent['type'], details: Partial<HistoryEvent> = {}): HistoryEvent => ({ id, previousEventId, timestamp: at(0), type, ...details });
const EVENTS: HistoryEvent[] = [
  event(1, 0, 'ExecutionStarted'),
  event(2, 0, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Seed' } }),
  event(3, 2, 'TaskSucceeded', {
    taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify({ Payload: { Bucket: BUCKET, Key: KEY_LIST, Count: 5 }, StatusCode: 200 }) },
  }),
  event(4, 3, 'TaskStateExited', { stateExitedEventDetails: { name: 'Seed' } }),
  event(5, 4, 'MapStateEntered', { stateEnteredEventDetails: { name: MAP_STATE } }),
  event(6, 5, 'MapStateStarted'),
  event(7, 6, 'MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: MAP_RUN_ARN } }),
  event(8, 7, 'MapRunFailed', { mapRunFailedEventDetails: { error: 'States.ExceedToleratedFailureThreshold' } }),
];

const childArn = (name: string) => `${PREFIX}:execution:transfer-records-at-scale-state-machine/SendEveryRecord:${name}`;
const CHILDREN: ExecutionListItem[] = [
  { executionArn: childArn('c1'), stateMachineArn: MAP_RUN_ARN, name: 'c1', status: 'SUCCEEDED', startDate: at(1), stopDate: at(2), itemCount: 2 },
  { executionArn: childArn('c2'), stateMachineArn: MAP_RUN_ARN, name: 'c2', status: 'FAILED', startDate: at(1), stopDate: at(9), itemCount: 2 },
  { executionArn: childArn('c3'), stateMachineArn: MAP_RUN_ARN, name: 'c3', status: 'SUCCEEDED', startDate: at(1), stopDate: at(4), itemCount: 1 },
];
const batch = (keys: string[]) => JSON.stringify({ Items: keys.map((key) => keyItem(KEY_FIELD, key)) });
const result = (name: string, status: string, keys: string[], extra: object = {}) => ({ ExecutionArn: childArn(name), Name: name, Status: status, Input: batch(keys), InputDetails: { Included: true }, ...extra });

function stubbedSfn(): SFNClient {
  const sfn = new SFNClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  sinon.stub(sfn, 'send').callsFake(async (command: unknown) => {
    if (command instanceof ListMapRunsCommand) return { mapRuns: [{ executionArn: EXECUTION_ARN, mapRunArn: MAP_RUN_ARN, stateMachineArn: MAP_RUN_ARN, startDate: at(0) }] };
    if (command instanceof DescribeMapRunCommand) {
      const counts = (succeeded: number, failed: number) => ({ pending: 0, running: 0, succeeded, failed, timedOut: 0, aborted: 0, total: succeeded + failed, resultsWritten: succeeded + failed });
      return { mapRunArn: MAP_RUN_ARN, executionArn: EXECUTION_ARN, status: 'FAILED', itemCounts: counts(3, 2), executionCounts: counts(2, 1) };
    }
    if (command instanceof ListExecutionsCommand) return { executions: CHILDREN };
    if (command instanceof DescribeExecutionCommand) {
      const child = CHILDREN.find((entry) => entry.executionArn === command.input.executionArn)!;
      return { ...child, input: batch(['k3', 'k4']), ...(child.status === 'FAILED' ? { error: 'MessagesNotSent', cause: CAUSE } : {}) };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  });
  return sfn;
}

describe('aws/map-run-record collectMapRunParts', () => {
  afterEach(() => sinon.restore());

  function collect() {
    const { s3, requested } = stubbedS3({
      [`${BUCKET}/${KEY_LIST}`]: ['k1', 'k2', 'k3', 'k4', 'k5'].map((key) => JSON.stringify(keyItem(KEY_FIELD, key))).join('\n'),
      [`${BUCKET}/${BASE}/manifest.json`]: JSON.stringify({
        DestinationBucket: BUCKET,
        MapRunArn: MAP_RUN_ARN,
        ResultFiles: { FAILED: [{ Key: `${BASE}/FAILED_0.json`, Size: 1 }], PENDING: [], SUCCEEDED: [{ Key: `${BASE}/SUCCEEDED_0.json`, Size: 1 }] },
      }),
      [`${BUCKET}/${BASE}/SUCCEEDED_0.json`]: JSON.stringify([result('c1', 'SUCCEEDED', ['k1', 'k2'], { Output: '{"Sent":2}' }), result('c3', 'SUCCEEDED', ['k5'], { Output: '{"Sent":1}' })]),
      [`${BUCKET}/${BASE}/FAILED_0.json`]: JSON.stringify([result('c2', 'FAILED', ['k3', 'k4'], { Error: 'MessagesNotSent', Cause: CAUSE })]),
    });
    const clients = { sfn: stubbedSfn(), s3, dynamodb: new DynamoDBClient({ region: REGION }), sqs: new SQSClient({ region: REGION }) } as Clients;
    const sleep = sinon.fake.resolves(undefined);
    return { requested, parts: collectMapRunParts(clients, { executionArn: EXECUTION_ARN, events: EVENTS, definition: DEFINITION, output: undefined, fields: { keyField: KEY_FIELD, sentField: SENT_FIELD }, sleep }) };
  }

  it('shows the failed Map Run from the API: its children by outcome, its items, its slowest child and why the failed one failed', async () => {
    const { mapRuns } = await collect().parts;
    expect(mapRuns).to.have.length(1);
    const [run] = mapRuns;
    expect(run).to.deep.include({
      stateName: MAP_STATE,
      mapRunArn: MAP_RUN_ARN,
      executionType: 'EXPRESS',
      status: 'FAILED',
      children: { total: 3, succeeded: 2, failed: 1, timedOut: 0, aborted: 0 },
      itemsProcessed: 3,
      itemsNotProcessed: 2,
    });
    expect(run!.slowest).to.deep.equal({ name: 'c2', status: 'FAILED', durationMs: 8000, items: 2, error: 'MessagesNotSent', cause: CAUSE });
    expect(run!.unsuccessful).to.deep.equal([{ name: 'c2', status: 'FAILED', durationMs: 8000, items: 2, error: 'MessagesNotSent', cause: CAUSE }]);
    expect(run).to.not.have.any.keys('largestChildEvents', 'largestChildPayloadBytes', 'childStateTransitions');
  });

  it("reads the results where the ResultWriter puts them and reports the failed child's keys as not confirmed sent", async () => {
    const { requested, parts } = collect();
    const { reconciliation, seeded, warnings } = await parts;
    expect(requested()).to.deep.equal([
      `${BUCKET}/${KEY_LIST}`,
      `${BUCKET}/${BASE}/manifest.json`,
      `${BUCKET}/${BASE}/SUCCEEDED_0.json`,
      `${BUCKET}/${BASE}/FAILED_0.json`,
    ]);
    expect(seeded.map((item) => item.messageId)).to.deep.equal(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(reconciliation).to.deep.include({ items: 5, delivered: 3, missing: ['k3', 'k4'], duplicates: [] });
    expect(warnings).to.deep.equal([
      '2 of the missing key(s) were in child executions that did not succeed: not confirmed sent (such a child may have sent part of its batch before it failed)',
    ]);
  });
});

describe('aws/map-runs', () => {
  it('finds the state that started a Map Run, also where other executions interleave events with the same ids', () => {
    expect(mapStateName(EVENTS, MAP_RUN_ARN)).to.equal(MAP_STATE);
    const interleaved = [...EVENTS.slice(0, 6), event(5, 4, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Read Batch' } }), ...EVENTS.slice(6)];
    expect(mapStateName(interleaved, MAP_RUN_ARN)).to.equal(MAP_STATE);
    expect(mapStateName(EVENTS, `${MAP_RUN_ARN}x`)).to.equal(undefined);
  });

  it("finds a state by name inside a Map's item processor or a Parallel's branches", () => {
    const nested = { States: { P: { Type: 'Parallel', Branches: [{ States: { M: DEFINITION.States[MAP_STATE] } }] } } };
    expect(findState(nested, 'M')).to.equal(DEFINITION.States[MAP_STATE]);
    expect(findState(DEFINITION, 'Send')).to.deep.equal({ Type: 'Succeed' });
    expect(findState(DEFINITION, 'Nowhere')).to.equal(undefined);
  });
});

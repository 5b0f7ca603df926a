import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  createHistoryTracker,
  historyEventsOf,
  type EngineEvent,
  type HistoryOptions,
  type HistorySummary,
} from '../../local/history.ts';
import { WORKFLOW_DEFINITION } from '../../workflow/resources.ts';
import { renderTemplate } from '../../workflow/template.ts';

const SEED = 'Seed the DynamoDB Table';
const LOOP = 'For Loop Condition';
const GET = 'Read Next Message from DynamoDB';
const SEND = 'Send Message to SQS';
const POP = 'Pop Element from List';
const REJECT = 'Reject Invalid Input';

type StateType = Extract<EngineEvent, { type: 'StateEntered' }>['state']['type'];

const ids = (n: number) => Array.from({ length: n }, (_, index) => `id-${String(index + 1).padStart(4, '0')}`);

/**
 * The engine's event stream for the transfer-records loop over `n` items, as the engine emits
 * it: a state's output is the very object the next state gets as input.
 */
function* transferRecords(n: number): Generator<EngineEvent> {
  let timestamp = 0;
  const at = () => (timestamp += 1);
  const state = (name: string, type: StateType, input: unknown, output?: unknown) =>
    ({ name, type, input, ...(output === undefined ? {} : { output }) }) as never;
  const step = function* (name: string, type: StateType, input: unknown, output: unknown): Generator<EngineEvent> {
    yield { type: 'StateEntered', timestamp: at(), state: state(name, type, input) };
    yield { type: 'StateExited', timestamp: at(), state: state(name, type, input, output) };
  };
  const input = { count: n };
  yield { type: 'ExecutionStarted', timestamp: at(), input };
  const list = [...ids(n), 'DONE'];
  let current: unknown = { List: list };
  yield* step(SEED, 'Task', input, current);
  for (let index = 0; index < n; index += 1) {
    yield* step(LOOP, 'Choice', current, current);
    const read = { ...(current as object), DynamoDB: { Item: {} } };
    yield* step(GET, 'Task', current, read);
    const sent = { ...read, SQS: { MessageId: 'm' } };
    yield* step(SEND, 'Task', read, sent);
    const popped = { List: list.slice(index + 1) };
    yield* step(POP, 'Pass', sent, popped);
    current = popped;
  }
  yield* step(LOOP, 'Choice', current, current);
  yield* step('Succeed', 'Succeed', current, current);
  yield { type: 'ExecutionSucceeded', timestamp: at(), output: current as never };
}

function track(events: Iterable<EngineEvent>, options: Partial<HistoryOptions> = {}) {
  const tracker = createHistoryTracker({ stopAtBreach: true, ...options });
  const breaches = [];
  for (const event of events) {
    const breach = tracker.observe(event);
    if (breach) breaches.push(breach);
  }
  return { summary: tracker.summary(), breaches };
}

const transferDefinition = (): StateMachineDefinition =>
  JSON.parse(
    renderTemplate(readFileSync(WORKFLOW_DEFINITION, 'utf8'), {
      SeedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:seed',
      TableName: 'table',
      QueueUrl: 'http://127.0.0.1/000000000000/queue',
    }),
  );

/** Runs a definition on the real engine with local handlers and tracks its events. */
async function onEngine(
  definition: StateMachineDefinition,
  input: unknown,
  handlers: Record<string, (input: never) => Promise<unknown>>,
  retries: Record<string, number> = {},
): Promise<HistorySummary> {
  const tracker = createHistoryTracker({ stopAtBreach: true });
  const execution = new StateMachine(definition, { validationOptions: { noValidate: true } }).run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retries },
    context: { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:execution:machine:test' } },
  });
  const drained = (async () => {
    for await (const event of execution.eventLogs) tracker.observe(event);
  })();
  await execution.result.catch(() => undefined);
  await drained;
  return tracker.summary();
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function transferHandlers(n: number, getItemFailures = 0) {
  let failures = getItemFailures;
  return {
    [SEED]: async () => ({ Payload: [...ids(n), 'DONE'] }),
    [GET]: async (input: { Key: { MessageId: { S: string } } }) => {
      if (failures-- > 0) throw namedError('DynamoDB.ProvisionedThroughputExceededException', 'slow down');
      return { Item: { MessageId: { S: input.Key.MessageId.S }, Message: { S: 'body' } } };
    },
    [SEND]: async () => ({ MessageId: 'm' }),
  };
}

describe('local/history', () => {
  describe('historyEventsOf', () => {
    it('counts a Task as entered, scheduled, started, succeeded, exited', () => {
      const task = { name: GET, type: 'Task' as const, input: {} };
      const entered = historyEventsOf({ type: 'StateEntered', timestamp: 0, state: task });
      const exited = historyEventsOf({ type: 'StateExited', timestamp: 0, state: { ...task, output: {} } });
      expect([...entered, ...exited]).to.deep.equal([
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
      ]);
    });

    it('records no TaskSucceeded when the Task exits through a Catch', () => {
      const state = { name: SEED, type: 'Task' as const, input: {}, output: {} };
      expect(historyEventsOf({ type: 'StateExited', timestamp: 0, state }, true)).to.deep.equal(['TaskStateExited']);
    });

    it('sends a Fail state straight to ExecutionFailed', () => {
      const state = { name: REJECT, type: 'Fail' as const, input: {} };
      expect(historyEventsOf({ type: 'StateEntered', timestamp: 0, state })).to.deep.equal(['FailStateEntered']);
      expect(historyEventsOf({ type: 'StateFailed', timestamp: 0, state, Error: 'E', Cause: 'C' })).to.deep.equal([]);
    });
  });

  describe('on a synthetic transfer-records stream', () => {
    for (const n of [0, 1, 10, 1784]) {
      it(`counts 14·N + 11 history events for N = ${n}`, () => {
        const { summary, breaches } = track(transferRecords(n));
        expect(summary.historyEvents).to.equal(14 * n + 11);
        expect(breaches).to.deep.equal([]);
      });
    }

    it('counts states entered and transitions, with the first three samples of each state', () => {
      const { summary } = track(transferRecords(5));
      expect(Object.keys(summary.states)).to.deep.equal([SEED, LOOP, GET, SEND, POP, 'Succeed']);
      expect(summary.states[LOOP]!.entered).to.equal(6);
      expect(summary.states[POP]!.entered).to.equal(5);
      expect(summary.stateTransitions).to.equal(1 + 4 * 5 + 2);
      expect(summary.states[POP]!.samples).to.have.length(3);
      expect(summary.states[POP]!.samples[1]!.output).to.deep.equal({ List: ['id-0003', 'id-0004', 'id-0005', 'DONE'] });
      // Each state's events are one tick apart in the stream.
      expect(summary.states[GET]!.ms).to.equal(5);
    });

    it('finds the largest payload and the state it belongs to', () => {
      const { summary } = track(transferRecords(3));
      const largest = JSON.stringify({ List: [...ids(3), 'DONE'], DynamoDB: { Item: {} }, SQS: { MessageId: 'm' } });
      expect(summary.maxPayloadBytes).to.equal(Buffer.byteLength(largest));
      expect(summary.maxPayloadState).to.equal(SEND);
    });

    it('lets event 25,000 be ExecutionSucceeded: 1,784 items fit', () => {
      const { summary } = track(transferRecords(1784), { limits: { historyEvents: 24_987, payloadBytes: 256 * 1024 } });
      expect(summary.breaches).to.deep.equal([]);
      expect(summary.historyEvents).to.equal(24_987);
    });

    it('fails 1,785 items at the Succeed state: event 25,000 would not be ExecutionSucceeded', () => {
      const { summary, breaches } = track(transferRecords(1785));
      expect(breaches).to.have.length(1);
      expect(breaches[0]).to.include({ quota: 'historyEvents', error: 'States.Runtime', state: 'Succeed' });
      expect(breaches[0]!.cause).to.contain('maximum number of history events (25000)');
      expect(breaches[0]!.cause).to.contain('SucceedStateExited');
      expect(summary.historyEvents).to.equal(25_000);
      expect(summary.failedState).to.equal('Succeed');
    });

    it('names the item where 1,786 items cross the limit, and stops counting there', () => {
      const { summary, breaches } = track(transferRecords(1786));
      expect(breaches).to.have.length(1);
      expect(breaches[0]!.state).to.equal(GET);
      expect(breaches[0]!.item).to.equal(`entry 1786 of "${GET}", $.List[0] = "id-1786"`);
      expect(breaches[0]!.cause).to.contain('would have been TaskScheduled');
      expect(summary.historyEvents).to.equal(25_000);
      expect(summary.states[GET]!.entered).to.equal(1786);
      expect(summary.states[SEND]!.entered).to.equal(1785);
    });

    it('only reports the crossing when asked not to stop, and goes on counting', () => {
      const { summary, breaches } = track(transferRecords(1786), { stopAtBreach: false });
      expect(breaches).to.have.length(1);
      expect(breaches[0]!.state).to.equal(GET);
      expect(summary.historyEvents).to.equal(14 * 1786 + 11);
      expect(summary.states[SEND]!.entered).to.equal(1786);
    });

    it('fails a payload over the limit with States.DataLimitExceeded, naming state and item', () => {
      // {"List":[…3 ids, "DONE"]} is 47 bytes; the GetItem result makes it 70.
      const { summary, breaches } = track(transferRecords(3), { limits: { historyEvents: 25_000, payloadBytes: 60 } });
      expect(breaches).to.have.length(1);
      expect(breaches[0]).to.include({ quota: 'payloadBytes', error: 'States.DataLimitExceeded', state: GET });
      expect(breaches[0]!.cause).to.contain(`The output of state "${GET}" is 70 bytes`);
      expect(breaches[0]!.item).to.equal(`entry 1 of "${GET}", $.List[0] = "id-0001"`);
      expect(summary.failedState).to.equal(GET);
    });
  });

  describe('on the real engine', () => {
    it('counts 14·N + 11 for the transfer-records workflow', async () => {
      const summary = await onEngine(transferDefinition(), { count: 4 }, transferHandlers(4));
      expect(summary.historyEvents).to.equal(14 * 4 + 11);
      expect(summary.stateTransitions).to.equal(1 + 4 * 4 + 2);
      expect(summary.failedState).to.equal(undefined);
    });

    it('adds TaskFailed, TaskScheduled and TaskStarted per retried attempt', async () => {
      const definition = transferDefinition();
      const summary = await onEngine(definition, { count: 2 }, transferHandlers(2, 2), { [GET]: 0 });
      expect(summary.historyEvents).to.equal(14 * 2 + 11 + 2 * 3);
      expect(summary.states[GET]!.entered).to.equal(2);
      expect(summary.states[GET]!.samples[0]).to.not.have.property('error');
    });

    it('counts a caught failure that ends in a Fail state, and names that state', async () => {
      const handlers = {
        [SEED]: async () => {
          throw namedError('InvalidInput', '{"errorType":"InvalidInput","errorMessage":"input.count must be between 1 and 1784, got 0"}');
        },
      };
      const summary = await onEngine(transferDefinition(), { count: 0 }, handlers);
      // ExecutionStarted, TaskStateEntered, TaskScheduled, TaskStarted, TaskFailed, TaskStateExited,
      // FailStateEntered, ExecutionFailed.
      expect(summary.historyEvents).to.equal(8);
      expect(summary.failedState).to.equal(REJECT);
      expect(summary.states[SEED]!.samples[0]).to.include({ error: 'InvalidInput' });
    });

    it("charges a state still open when the execution ends with its time, whatever its name holds", () => {
      const state = { name: 'Wait for #1', type: 'Wait', input: {} } as never;
      const { summary } = track([
        { type: 'ExecutionStarted', timestamp: 0, input: {} },
        { type: 'StateEntered', timestamp: 1, state },
        { type: 'ExecutionAborted', timestamp: 11 },
      ] as EngineEvent[]);
      expect(summary.states['Wait for #1']!.ms).to.equal(10);
    });

    it('counts Map iterations and Parallel states, whose branches record nothing of their own', async () => {
      const definition = {
        StartAt: 'Fan',
        States: {
          Fan: { Type: 'Map', ItemsPath: '$.items', Iterator: { StartAt: 'Each', States: { Each: { Type: 'Pass', End: true } } }, Next: 'Both' },
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
              { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
            ],
            End: true,
          },
        },
      } as unknown as StateMachineDefinition;
      const summary = await onEngine(definition, { items: [1, 2] }, {});
      // 1 started + Map (entered, started, 2 × 4 per iteration, succeeded, exited) + Parallel
      // (entered, started, 2 × 2 branch states, succeeded, exited) + 1 succeeded.
      expect(summary.historyEvents).to.equal(1 + 12 + 8 + 1);
      expect(summary.states.Each!.entered).to.equal(2);
    });
  });
});

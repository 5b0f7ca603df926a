// TestState for Map and Parallel states, as AWS answers it: a mock is required and is the state's
// whole result (or its error); stateConfiguration says how many Map iterations failed. The cases
// and expected answers are those AWS gave for these definitions at each inspection level.
import { expect } from 'chai';
import { InvalidTestStateRequest, testState, type InspectionLevel, type TestStateRequest } from '../../engine/test-state.ts';
import { rejection } from '../helpers.ts';

const LEVELS: InspectionLevel[] = ['INFO', 'DEBUG', 'TRACE'];
const BRANCH = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } });
const BRANCHES_RESULT = [{ branch1: 'result' }, { branch2: 'result' }];

const PARALLEL = { Type: 'Parallel', Branches: [BRANCH('B1'), BRANCH('B2')], End: true };
const IO_PARALLEL = { ...PARALLEL, InputPath: '$.parallelInput', ResultPath: '$.parallelResult', OutputPath: '$' };
const JSONATA_PARALLEL = {
  ...PARALLEL,
  QueryLanguage: 'JSONata',
  Arguments: '{% $states.input.parallelInput %}',
  Output: { parallelInput: '{% $states.input.parallelInput %}', parallelResult: '{% $states.result %}' },
};

// A distributed Map in JSONata whose one Task is never run: the mock stands for the Map's result.
const PROCESSOR = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'TestState',
  States: { TestState: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'foo', Payload: 'bar' }, End: true } },
};
const MAP = { Type: 'Map', QueryLanguage: 'JSONata', Items: '{% $states.input.Values %}', ItemProcessor: PROCESSOR, Output: '{% $states %}', End: true };
const MAP_CATCH = {
  ...MAP,
  Output: undefined,
  ToleratedFailureCount: 1,
  Catch: [
    { ErrorEquals: ['MockException'], Output: '{% $states %}', Next: 'HandleMockError' },
    { ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Output: '{% $states %}', Next: 'HandleThreshold' },
  ],
};
const MAP_RETRY = {
  ...MAP,
  Output: {
    result: "{% $map($states.result, function($v) { $v = 1 ? 'pass' : 'failed' }) %}",
    successCount: '{% $count($states.result[$ = 1]) %}',
    failedCount: '{% $count($states.result[$ = 0]) %}',
  },
  ToleratedFailureCount: 1,
  Retry: [
    { ErrorEquals: ['MockException'], MaxAttempts: 3 },
    { ErrorEquals: ['States.ExceedToleratedFailureThreshold'], MaxAttempts: 2 },
  ],
};
// A JSONPath state machine whose Map is tested by name.
const MAP_MACHINE = {
  StartAt: 'State0',
  States: {
    State0: {
      Type: 'Map',
      ItemsPath: '$.Values',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
      ToleratedFailureCount: 2,
      End: true,
    },
  },
};
const VALUES = { Values: ['first', 'second', 'third'] };
const MOCK_ERROR = { errorOutput: { error: 'MockException', cause: 'Mock the error cause.' } };

const run = (request: Omit<TestStateRequest, 'input'> & { input?: unknown }) => testState({ input: VALUES, ...request });

describe('engine/test-state: Map and Parallel', () => {
  describe('Parallel', () => {
    for (const inspectionLevel of LEVELS) {
      it(`at ${inspectionLevel}: the mock is the branches' result; AWS shows the input and the result steps, not InputPath`, async () => {
        const base = await run({ definition: PARALLEL, input: { key: 'value' }, inspectionLevel, mock: { result: BRANCHES_RESULT } });
        const io = await run({ definition: IO_PARALLEL, input: { parallelInput: { data: 'input_value' } }, inspectionLevel, mock: { result: BRANCHES_RESULT } });
        const output = { parallelInput: { data: 'input_value' }, parallelResult: BRANCHES_RESULT };
        const jsonata = await run({ definition: JSONATA_PARALLEL, input: { parallelInput: { data: 'input_value' } }, inspectionLevel, mock: { result: BRANCHES_RESULT } });
        if (inspectionLevel === 'INFO') {
          expect(base).to.deep.equal({ status: 'SUCCEEDED', output: BRANCHES_RESULT });
          expect(io).to.deep.equal({ status: 'SUCCEEDED', output });
          expect(jsonata).to.deep.equal({ status: 'SUCCEEDED', output });
          return;
        }
        expect(base.inspectionData).to.deep.equal({ input: { key: 'value' }, afterResultSelector: BRANCHES_RESULT, afterResultPath: BRANCHES_RESULT });
        expect(io).to.deep.include({ status: 'SUCCEEDED', output });
        expect(io.inspectionData).to.deep.equal({ input: { parallelInput: { data: 'input_value' } }, afterResultSelector: BRANCHES_RESULT, afterResultPath: output });
        expect(jsonata).to.deep.include({ status: 'SUCCEEDED', output });
        expect(jsonata.inspectionData).to.deep.equal({ input: { parallelInput: { data: 'input_value' } } });
      });
    }

    it('refuses a Parallel without a mock, a mock that is not one result per branch, and a mock on a Pass', async () => {
      const unmocked = await rejection(run({ definition: PARALLEL }));
      expect(unmocked).to.be.instanceOf(InvalidTestStateRequest).and.to.include({ code: 'InvalidDefinition' });
      expect((unmocked as Error).message).to.match(/^TestState API does not support Map or Parallel states/);
      const object = await rejection(run({ definition: PARALLEL, mock: { result: { mock: 'object' } } }));
      expect(object).to.include({ code: 'ValidationException', message: 'Mocked result must be an array.' });
      const short = await rejection(run({ definition: PARALLEL, mock: { result: [{ branch1: 'result' }] } }));
      expect(short).to.include({ message: 'Mocked result must contain the same number of items as number of Parallel branches.' });
      const pass = await rejection(run({ definition: { Type: 'Pass', End: true }, mock: { result: {} } }));
      expect(pass).to.include({ code: 'ValidationException', message: "State type 'Pass' is not supported when a mock is specified" });
    });

    it('a mocked error goes to the Parallel state\'s Catch', async () => {
      const definition = { ...PARALLEL, End: undefined, Next: 'After', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle' }] };
      const caught = await run({ definition, input: { a: 1 }, mock: { errorOutput: { error: 'BranchFailed', cause: 'B2' } }, errorCausedByState: 'B2' });
      expect(caught).to.deep.equal({ status: 'CAUGHT_ERROR', error: 'BranchFailed', cause: 'B2', nextState: 'Handle', output: { a: 1, error: { Error: 'BranchFailed', Cause: 'B2' } } });
      const elsewhere = await rejection(run({ definition, mock: { errorOutput: { error: 'E' } }, errorCausedByState: 'Nowhere' }));
      expect(elsewhere).to.include({ code: 'ValidationException' });
    });
  });

  describe('Map', () => {
    for (const inspectionLevel of LEVELS) {
      it(`at ${inspectionLevel}: failed iterations within ToleratedFailureCount succeed; beyond it, Catch takes States.ExceedToleratedFailureThreshold`, async () => {
        const below = await run({ definition: MAP_CATCH, inspectionLevel, mock: { result: [1, 1, 1] }, mapIterationFailureCount: 0 });
        const beyond = await run({ definition: MAP_CATCH, inspectionLevel, mock: { result: [0, 0, 1] }, mapIterationFailureCount: 2 });
        const threshold = { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' };
        expect(below).to.deep.include({ status: 'SUCCEEDED', output: [1, 1, 1] });
        expect(beyond).to.deep.include({ status: 'CAUGHT_ERROR', error: threshold.Error, cause: threshold.Cause, nextState: 'HandleThreshold' });
        expect(beyond.output).to.deep.include({ input: VALUES, errorOutput: threshold });
        if (inspectionLevel === 'INFO') {
          expect(below).to.not.have.property('inspectionData');
          expect(beyond).to.not.have.property('inspectionData');
          return;
        }
        expect(below.inspectionData).to.deep.equal({ input: VALUES, maxConcurrency: 0, toleratedFailureCount: 1 });
        expect(beyond.inspectionData).to.deep.equal({ input: VALUES, maxConcurrency: 0, toleratedFailureCount: 1, errorDetails: { catchIndex: 1 } });
      });

      it(`at ${inspectionLevel}: beyond the tolerance, the Map's Retry makes it RETRIABLE; within it, Output reads the mocked result`, async () => {
        const below = await run({ definition: MAP_RETRY, inspectionLevel, mock: { result: [1, 1, 1] }, mapIterationFailureCount: 0 });
        expect(below).to.deep.include({ status: 'SUCCEEDED', output: { result: ['pass', 'pass', 'pass'], successCount: 3, failedCount: 0 } });
        const beyond = await run({ definition: MAP_RETRY, inspectionLevel, mock: { result: [0, 0, 1] }, mapIterationFailureCount: 2 });
        expect(beyond).to.deep.include({ status: 'RETRIABLE', error: 'States.ExceedToleratedFailureThreshold' });
        if (inspectionLevel !== 'INFO') expect(beyond.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 1, retryBackoffIntervalSeconds: 1 });
      });

      it(`at ${inspectionLevel}: a mocked error fails the Map; a Map of a JSONPath machine shows InputPath and ItemsPath`, async () => {
        const failed = await run({ definition: MAP, input: { Values: [1, 1, 1] }, inspectionLevel, mock: MOCK_ERROR, errorCausedByState: 'TestState' });
        expect(failed).to.deep.include({ status: 'FAILED', error: 'MockException', cause: 'Mock the error cause.' });
        const named = await run({ definition: MAP_MACHINE, stateName: 'State0', inspectionLevel, mock: MOCK_ERROR, errorCausedByState: 'HandleItem', mapIterationFailureCount: 2 });
        expect(named).to.deep.include({ status: 'FAILED', error: 'MockException' });
        if (inspectionLevel === 'INFO') return;
        expect(failed.inspectionData).to.deep.equal({ input: { Values: [1, 1, 1] }, maxConcurrency: 0 });
        expect(named.inspectionData).to.deep.equal({
          input: VALUES,
          afterInputPath: VALUES,
          afterItemsPath: VALUES.Values,
          maxConcurrency: 0,
          toleratedFailureCount: 2,
        });
      });
    }

    it('without a tolerance, failed iterations given do not fail the Map (its error would be an iteration\'s own)', async () => {
      const result = await run({ definition: MAP, mock: { result: [0, 0, 1] }, mapIterationFailureCount: 2 });
      expect(result.status).to.equal('SUCCEEDED');
      expect(result.output).to.deep.include({ input: VALUES, result: [0, 0, 1] });
    });

    it('a ToleratedFailurePercentage judges the failed iterations against the items', async () => {
      const definition = { ...MAP_CATCH, ToleratedFailureCount: undefined, ToleratedFailurePercentage: 50 };
      const within = await run({ definition, inspectionLevel: 'DEBUG', mock: { result: [1, 0, 1] }, mapIterationFailureCount: 1 });
      expect(within).to.deep.include({ status: 'SUCCEEDED' });
      expect(within.inspectionData).to.deep.include({ toleratedFailurePercentage: 50 });
      const beyond = await run({ definition, mock: { result: [1, 0, 0] }, mapIterationFailureCount: 2 });
      expect(beyond).to.deep.include({ status: 'CAUGHT_ERROR', nextState: 'HandleThreshold' });
    });

    it('an ItemReader\'s items are the mapItemReaderData given; MaxConcurrency is shown', async () => {
      const definition = {
        QueryLanguage: 'JSONata',
        StartAt: 'State0',
        States: {
          State0: {
            Type: 'Map',
            MaxConcurrency: 1,
            ItemReader: { ReaderConfig: { InputType: 'JSON' }, Resource: 'arn:aws:states:::s3:getObject', Arguments: { Bucket: '{% $states.input.Bucket %}', Key: '{% $states.input.Key %}' } },
            ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
            ItemSelector: { 'index': '{% $states.context.Map.Item.Index %}', 'squared': '{% $states.context.Map.Item.Value * $states.context.Map.Item.Value %}' },
            End: true,
          },
        },
      };
      const input = { Bucket: 'test-bucket', Key: 'test-key' };
      const result = await run({ definition, stateName: 'State0', input, inspectionLevel: 'DEBUG', mock: { result: [1, 4, 9] }, mapItemReaderData: [1, 2, 3] });
      expect(result).to.deep.include({ status: 'SUCCEEDED', output: [1, 4, 9] });
      expect(result.inspectionData).to.deep.equal({
        input,
        afterItemSelector: [
          { index: 0, squared: 1 },
          { index: 1, squared: 4 },
          { index: 2, squared: 9 },
        ],
        maxConcurrency: 1,
      });
    });

    it('a JSONPath ItemSelector sees $$.Map.Item; ResultSelector and ResultPath apply to the mocked result', async () => {
      const definition = {
        Type: 'Map',
        ItemsPath: '$.orders',
        ItemSelector: { 'order.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'customer.$': '$.customer' },
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        MaxConcurrencyPath: '$.limit',
        ResultSelector: { 'count.$': '$.length()' },
        ResultPath: '$.summary',
        Next: 'After',
      };
      const input = { orders: ['a', 'b'], customer: 'c-1', limit: 5 };
      const result = await run({ definition, input, inspectionLevel: 'TRACE', mock: { result: [{ ok: true }, { ok: true }] } });
      expect(result).to.deep.include({ status: 'SUCCEEDED', nextState: 'After', output: { ...input, summary: { count: 2 } } });
      expect(result.inspectionData).to.deep.equal({
        input,
        afterInputPath: input,
        afterItemsPath: ['a', 'b'],
        afterItemSelector: [
          { order: 'a', index: 0, customer: 'c-1' },
          { order: 'b', index: 1, customer: 'c-1' },
        ],
        maxConcurrency: 5,
        afterResultSelector: { count: 2 },
        afterResultPath: { ...input, summary: { count: 2 } },
      });
    });

    it('refuses what AWS refuses: no mock, a result of the wrong shape, more failures than iterations', async () => {
      expect(await rejection(run({ definition: MAP }))).to.include({ code: 'InvalidDefinition' });
      expect(await rejection(run({ definition: MAP, mock: { result: { mock: 'object' } } }))).to.include({ message: 'Mocked result must be an array.' });
      const writer = { ...MAP, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: 'b', Prefix: 'p' } } };
      expect(await rejection(run({ definition: writer, mock: { result: ['array'] } }))).to.include({ message: 'Mocked result must be a JSON object.' });
      const tooMany = await rejection(run({ definition: MAP, mock: { result: [1, 1, 1] }, mapIterationFailureCount: 4 }));
      expect(tooMany).to.include({ message: 'Map iteration failure count must be less than or equal to the number of Map iterations' });
      const unmocked = await rejection(run({ definition: { Type: 'Pass', End: true }, mapIterationFailureCount: 0 }));
      expect(unmocked).to.include({ message: 'TestState does not support MapIterationFailureCount when a mock is not specified.' });
    });

    it('tests a state inside a Map\'s ItemProcessor by name', async () => {
      const result = await run({ definition: MAP_MACHINE, stateName: 'HandleItem', input: { Value: 'HelloWorld' }, inspectionLevel: 'DEBUG' });
      expect(result).to.deep.include({ status: 'SUCCEEDED', output: { Value: 'HelloWorld' } });
    });
  });
});

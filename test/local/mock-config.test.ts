// Step Functions Local's mock configuration file: its format, its refusals (named, with the place
// in the file), and the mocking dispatcher on the engine: the events of a real call, Retry and
// Catch on a thrown error, the n-th invocation taking the n-th response, unmocked states run for real.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { runExecution, type Dispatcher, type TaskCall } from '../../engine/index.ts';
import {
  chooseTestCase,
  findTestCase,
  InvalidMockConfig,
  loadMockConfig,
  mockingDispatcher,
  parseMockConfig,
  UnknownTestCase,
  type TestCase,
} from '../../local/mock-config.ts';

const FIXTURE = 'test/fixtures/mocks/mock-config.json';
const DEFINITION_FILE = 'test/fixtures/mocks/lambda-sqs-integration.asl.json';

async function definition(): Promise<unknown> {
  return JSON.parse((await readFile(DEFINITION_FILE, 'utf8')).replace('${QueueUrl}', 'http://127.0.0.1:1/000000000000/greetings'));
}

const context = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:LambdaSQSIntegration:run',
  executionName: 'run',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:LambdaSQSIntegration',
  stateMachineName: 'LambdaSQSIntegration',
  roleArn: 'arn:aws:iam::000000000000:role/any',
  startTime: new Date(),
};

/** Runs the fixture under a test case; the calls that reached the real dispatcher are returned too. */
async function runCase(testCase: TestCase) {
  const real: TaskCall[] = [];
  const dispatch: Dispatcher = async (call) => {
    real.push(call);
    return { MessageId: 'real-message' };
  };
  const result = await runExecution(await definition(), { name: 'Ada' }, context, {
    dispatch: mockingDispatcher(dispatch, testCase),
    retryDelay: () => 0,
  });
  return { result, real, types: result.history.map((event) => event.type) };
}

function refusal(text: string): string {
  try {
    parseMockConfig(text, 'mocks.json');
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidMockConfig);
    return (error as Error).message;
  }
  throw new Error('expected InvalidMockConfig');
}

describe('local/mock-config', () => {
  it('reads the documented format: state machines, test cases, responses by invocation and range', async () => {
    const config = await loadMockConfig(FIXTURE);
    expect(Object.keys(config.stateMachines)).to.deep.equal(['LambdaSQSIntegration']);
    expect(Object.keys(config.stateMachines.LambdaSQSIntegration!)).to.deep.equal(['HappyPath', 'RetryPath', 'HybridPath']);
    const retry = config.responses.GreetingAfterThreeFailures!;
    expect(retry.map(({ key, from, to }) => ({ key, from, to }))).to.deep.equal([
      { key: '0', from: 0, to: 0 },
      { key: '1-2', from: 1, to: 2 },
      { key: '3', from: 3, to: 3 },
    ]);
    expect(retry[1]!.answer).to.deep.equal({ throw: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded.' } });
  });

  it('refuses a malformed file by name, naming the place in the file', () => {
    expect(refusal('{')).to.match(/^mocks\.json is not JSON/);
    expect(refusal('{"StateMachines": {}, "Mocks": {}}')).to.include('$.Mocks is not a field');
    expect(refusal('{"StateMachines": {"M": {"Cases": {}}}}')).to.include('$.StateMachines.M.Cases is not a field');
    expect(refusal('{"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}, "MockedResponses": {}}')).to.include(
      '$.StateMachines.M.TestCases.T.S names the mocked response "Missing", which MockedResponses does not hold',
    );
    expect(refusal('{"MockedResponses": {"R": {"first": {"Return": 1}}}}')).to.include('$.MockedResponses.R.first: "first" is not an invocation number');
    expect(refusal('{"MockedResponses": {"R": {"2-1": {"Return": 1}}}}')).to.include('the range "2-1" ends before it starts');
    expect(refusal('{"MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}')).to.include('"0-2" and "2" both answer invocation 2');
    expect(refusal('{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {}}}}}')).to.include('$.MockedResponses.R["0"] must hold exactly one field, Return or Throw');
    expect(refusal('{"MockedResponses": {"R": {"0": {"Throw": {"Error": "E"}}}}}')).to.include('$.MockedResponses.R["0"].Throw.Cause must be a string');
  });

  it('finds a test case only for its state machine, and only for Task states of the definition', async () => {
    const config = await loadMockConfig(FIXTURE);
    const parsed = await definition();
    expect(() => findTestCase(config, 'Other', 'HappyPath', parsed)).to.throw(UnknownTestCase, 'no state machine "Other"');
    expect(() => findTestCase(config, 'LambdaSQSIntegration', 'SadPath', parsed)).to.throw(UnknownTestCase, 'its test cases: HappyPath, RetryPath, HybridPath');
    const typo = parseMockConfig('{"StateMachines": {"M": {"TestCases": {"T": {"LambdaStat": "R"}}}}, "MockedResponses": {"R": {}}}', 'typo.json');
    expect(() => findTestCase(typo, 'M', 'T', parsed)).to.throw(UnknownTestCase, 'mocks "LambdaStat", which is not a Task state');
    // The CLI's --test-case: alone, under the one state machine that has it; or StateMachine#TestCase.
    expect(chooseTestCase(config, 'HappyPath', 'transfer-records-state-machine', parsed).stateMachine).to.equal('LambdaSQSIntegration');
    expect(chooseTestCase(config, 'LambdaSQSIntegration#RetryPath', 'x', parsed).name).to.equal('RetryPath');
  });

  it('HappyPath: both Tasks answered by the file, with the events of real calls, and nothing called', async () => {
    const config = await loadMockConfig(FIXTURE);
    const { result, real, types } = await runCase(findTestCase(config, 'LambdaSQSIntegration', 'HappyPath', await definition()));
    expect(real).to.have.length(0);
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ MD5OfMessageBody: '0c1a7f2e9d3b4c5a6e7f8091a2b3c4d5', MessageId: '9f8e7d6c-5b4a-4321-8fed-cba987654321' });
    expect(types.filter((type) => type.startsWith('Task') && !type.includes('State'))).to.deep.equal([
      'TaskScheduled', 'TaskStarted', 'TaskSucceeded',
      'TaskScheduled', 'TaskStarted', 'TaskSucceeded',
    ]);
    // The SQS state's input is the mocked Lambda response, as a real one would be.
    const sqsScheduled = result.history.filter((event) => event.type === 'TaskScheduled')[1]!;
    expect(JSON.parse((sqsScheduled.taskScheduledEventDetails as { parameters: string }).parameters).MessageBody).to.equal('Good morning from a mock');
  });

  it('RetryPath: the n-th attempt takes the n-th response; Retry acts on each thrown error', async () => {
    const config = await loadMockConfig(FIXTURE);
    const { result, types } = await runCase(findTestCase(config, 'LambdaSQSIntegration', 'RetryPath', await definition()));
    expect(result.status).to.equal('SUCCEEDED');
    const failed = result.history.filter((event) => event.type === 'TaskFailed').map((event) => (event.taskFailedEventDetails as { error: string }).error);
    expect(failed).to.deep.equal(['Lambda.ResourceNotReadyException', 'Lambda.TooManyRequestsException', 'Lambda.TooManyRequestsException']);
    expect(types.filter((type) => type === 'TaskScheduled')).to.have.length(5);
  });

  it('HybridPath: a state the test case does not name runs for real', async () => {
    const config = await loadMockConfig(FIXTURE);
    const { result, real } = await runCase(findTestCase(config, 'LambdaSQSIntegration', 'HybridPath', await definition()));
    expect(real.map((call) => call.stateName)).to.deep.equal(['SQSState']);
    expect(result.output).to.deep.equal({ MessageId: 'real-message' });
  });

  it('an invocation no response covers fails the execution (States.Runtime); Catch takes a thrown error', async () => {
    const short = parseMockConfig(
      JSON.stringify({
        StateMachines: { M: { TestCases: { Short: { LambdaState: 'OnceOnly' }, Caught: { LambdaState: 'Fails' } } } },
        MockedResponses: { OnceOnly: { '0': { Throw: { Error: 'Lambda.ServiceException', Cause: 'down' } } }, Fails: { '0-9': { Throw: { Error: 'Custom.Error', Cause: 'no' } } } },
      }),
      'short.json',
    );
    const { result } = await runCase(findTestCase(short, 'M', 'Short', await definition()));
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.Runtime');
    expect(result.cause).to.include('No mocked response for invocation 1 of state "LambdaState"').and.include('"OnceOnly", whose invocations are 0');

    const caught = JSON.parse(JSON.stringify(await definition())) as { States: Record<string, Record<string, unknown>> };
    caught.States.LambdaState!.Retry = [];
    caught.States.LambdaState!.Catch = [{ ErrorEquals: ['Custom.Error'], ResultPath: '$.failure', Next: 'Handled' }];
    caught.States.Handled = { Type: 'Pass', End: true };
    const outcome = await runExecution(caught, {}, context, {
      dispatch: mockingDispatcher(() => Promise.reject(new Error('not mocked')), findTestCase(short, 'M', 'Caught', caught)),
    });
    expect(outcome.status).to.equal('SUCCEEDED');
    expect(outcome.output).to.deep.equal({ failure: { Error: 'Custom.Error', Cause: 'no' } });
  });
});

// TestState offline: each inspection level, a mocked result through the whole JSONPath data flow,
// a mocked error decided by Retry (with the retries already made) and then Catch.
import { expect } from 'chai';
import { InvalidTestStateRequest, testState } from '../../engine/test-state.ts';
import { rejection } from '../helpers.ts';

// The data-flow example of AWS's "Processing input and output" page, as a Task with a mocked result.
const TASK = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  InputPath: '$.library',
  Parameters: { 'FunctionName': 'fn', 'Payload.$': '$' },
  ResultSelector: { 'titles.$': '$.Payload.titles' },
  ResultPath: '$.lambda',
  OutputPath: '$.lambda',
  Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 }],
  Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle' }],
  Next: 'Done',
};
const INPUT = { library: { shelf: 3 }, other: true };
const RESULT = { Payload: { titles: ['a', 'b'] }, StatusCode: 200 };

describe('engine/test-state', () => {
  it('at DEBUG, records each step of the data flow, the output and the next state', async () => {
    const result = await testState({ definition: TASK, input: INPUT, inspectionLevel: 'DEBUG', mock: { result: RESULT } });
    expect(result).to.deep.include({ status: 'SUCCEEDED', nextState: 'Done', output: { titles: ['a', 'b'] } });
    expect(result.inspectionData).to.deep.equal({
      input: INPUT,
      afterInputPath: { shelf: 3 },
      afterParameters: { FunctionName: 'fn', Payload: { shelf: 3 } },
      result: RESULT,
      afterResultSelector: { titles: ['a', 'b'] },
      afterResultPath: { ...INPUT, lambda: { titles: ['a', 'b'] } },
    });
  });

  it('at INFO, gives the status, output and next state only; TRACE is DEBUG for a non-HTTP task', async () => {
    const info = await testState({ definition: TASK, input: INPUT, inspectionLevel: 'INFO', mock: { result: RESULT } });
    expect(info).to.deep.equal({ status: 'SUCCEEDED', nextState: 'Done', output: { titles: ['a', 'b'] } });
    const trace = await testState({ definition: TASK, input: INPUT, inspectionLevel: 'TRACE', mock: { result: RESULT } });
    expect(trace.inspectionData?.afterParameters).to.deep.equal({ FunctionName: 'fn', Payload: { shelf: 3 } });
  });

  it('a mocked error the Retry takes is RETRIABLE with its backoff, until the retries are spent, then caught', async () => {
    const mock = { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'slow down' } };
    // At INFO AWS gives no inspection data, not even errorDetails.
    const info = await testState({ definition: TASK, input: INPUT, mock });
    expect(info).to.deep.equal({ status: 'RETRIABLE', error: 'Lambda.TooManyRequestsException', cause: 'slow down' });
    const first = await testState({ definition: TASK, input: INPUT, mock, inspectionLevel: 'DEBUG' });
    expect(first.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0, retryBackoffIntervalSeconds: 2 });
    const third = await testState({ definition: TASK, input: INPUT, mock, retrierRetryCount: 2, inspectionLevel: 'TRACE' });
    expect(third.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0, retryBackoffIntervalSeconds: 8 });
    const spent = await testState({ definition: TASK, input: INPUT, mock, retrierRetryCount: 3 });
    expect(spent).to.deep.include({
      status: 'CAUGHT_ERROR',
      nextState: 'Handle',
      output: { ...INPUT, error: { Error: 'Lambda.TooManyRequestsException', Cause: 'slow down' } },
    });
  });

  it('an error nothing takes fails the state; a retrier whose retries are spent is named in errorDetails', async () => {
    const { Catch: _catch, ...uncaught } = TASK;
    const result = await testState({ definition: uncaught, input: INPUT, mock: { errorOutput: { error: 'Boom', cause: 'why' } } });
    expect(result).to.deep.include({ status: 'FAILED', error: 'Boom', cause: 'why' });
    const mock = { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'slow down' } };
    const spent = await testState({ definition: uncaught, input: INPUT, mock, retrierRetryCount: 3, inspectionLevel: 'DEBUG' });
    expect(spent).to.deep.include({ status: 'FAILED', error: 'Lambda.TooManyRequestsException' });
    expect(spent.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0 });
  });

  it('tests a state by name within a whole definition, and calls the Task when no mock is given', async () => {
    const definition = { StartAt: 'Choose', States: { Choose: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'Big' }], Default: 'Small' }, Big: TASK, Small: { Type: 'Succeed' }, Done: { Type: 'Succeed' }, Handle: { Type: 'Succeed' } } };
    expect(await testState({ definition, stateName: 'Choose', input: { n: 2 } })).to.deep.include({ status: 'SUCCEEDED', nextState: 'Big' });
    const calls: unknown[] = [];
    const called = await testState({
      definition,
      stateName: 'Big',
      input: INPUT,
      call: async (state, resource, parameters) => {
        calls.push({ state, resource, parameters });
        return RESULT;
      },
    });
    expect(called.output).to.deep.equal({ titles: ['a', 'b'] });
    expect(calls).to.deep.equal([{ state: 'Big', resource: 'arn:aws:states:::lambda:invoke', parameters: { FunctionName: 'fn', Payload: { shelf: 3 } } }]);
  });

  it('runs Pass with Result and ResultPath; a state name the definition lacks is AWS\'s ValidationException', async () => {
    const pass = await testState({ definition: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.r', End: true }, input: { a: 1 } });
    expect(pass).to.deep.equal({ status: 'SUCCEEDED', output: { a: 1, r: { x: 1 } } });
    const missing = await rejection(testState({ definition: { StartAt: 'A', States: { A: { Type: 'Succeed' } } }, stateName: 'B', input: {} }));
    expect(missing).to.be.instanceOf(InvalidTestStateRequest).and.to.include({ code: 'ValidationException', message: 'State not found in definition' });
  });

  it('refuses by name a state whose fields have another JSON type: a Choices or Catch that is no list of objects, a path that is no string', async () => {
    for (const [state, field] of [
      [{ Type: 'Pass', Choices: true, End: true }, 'Choices'],
      [{ Type: 'Choice', Choices: [null], Default: 'D' }, 'Choices'],
      [{ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: 'x', End: true }, 'Catch'],
      [{ Type: 'Pass', Catch: [null], End: true }, 'Catch'],
      [{ Type: 'Pass', OutputPath: [], End: true }, 'OutputPath'],
    ] as const) {
      const refused = await rejection(testState({ definition: state, input: {} }));
      expect(refused, JSON.stringify(state)).to.be.instanceOf(Error).and.to.have.property('message').that.includes(`field '${field}'`);
      expect((refused as Error).name, JSON.stringify(state)).to.equal('DefinitionError');
    }
  });

  it('a Fail state names the error and cause its ErrorPath and CausePath read, as an execution does', async () => {
    const definition = { Type: 'Fail', ErrorPath: '$.e', CausePath: '$.c' };
    const result = await testState({ definition, input: { e: 'Custom.Error', c: 'the cause' }, inspectionLevel: 'DEBUG' });
    expect(result).to.deep.include({ status: 'FAILED', error: 'Custom.Error', cause: 'the cause' });
    // A Fail state that names neither has neither, as ExecutionFailed does.
    expect(await testState({ definition: { Type: 'Fail' }, input: {} })).to.deep.equal({ status: 'FAILED' });
  });

  it("a Choice rule's Assign (JSONPath or JSONata) sets the variables; Default takes the state's own", async () => {
    const rule = { Variable: '$.n', NumericGreaterThan: 1, Assign: { 'size': 'big', 'n.$': '$.n' }, Next: 'Big' };
    const choice = { Type: 'Choice', Choices: [rule], Default: 'Small', Assign: { size: 'small' } };
    const big = await testState({ definition: choice, input: { n: 2 }, variables: { kept: 1 }, inspectionLevel: 'DEBUG' });
    expect(big).to.deep.include({ status: 'SUCCEEDED', nextState: 'Big' });
    expect(big.inspectionData?.variables).to.deep.equal({ kept: 1, size: 'big', n: 2 });
    const small = await testState({ definition: choice, input: { n: 0 }, inspectionLevel: 'DEBUG' });
    expect(small.inspectionData?.variables).to.deep.equal({ size: 'small' });
    const jsonata = { QueryLanguage: 'JSONata', Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 1 %}', Assign: { size: '{% "big" %}' }, Next: 'Big' }], Default: 'Small' };
    const assigned = await testState({ definition: jsonata, input: { n: 2 }, inspectionLevel: 'DEBUG' });
    expect(assigned.inspectionData?.variables).to.deep.equal({ size: 'big' });
  });

  it('the state sees the context object given, or that of a new execution on its input', async () => {
    const pass = { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'state.$': '$$.State.Name' }, End: true };
    const given = await testState({ definition: pass, stateName: 'P', input: {}, context: { Execution: { Id: 'arn:x' }, State: { Name: 'Given' } } });
    expect(given.output).to.deep.equal({ id: 'arn:x', state: 'Given' });
    const generated = await testState({ definition: pass, stateName: 'P', input: { a: 1 } });
    expect(generated.status).to.equal('SUCCEEDED');
    // As AWS records TestState's context: an express execution's ARN, and no RedriveCount.
    expect((generated.output as { id: string }).id).to.match(/^arn:aws:states:[^:]+:\d+:express:[^:]+:[^:]+$/);
    // Its State.Name is StateName, whichever state is tested (recorded).
    expect((generated.output as { state: string }).state).to.equal('StateName');
    const execution = await testState({ definition: { Type: 'Pass', Parameters: { 'e.$': '$$.Execution', 's.$': '$$.State.Name' }, End: true }, input: {} });
    expect(Object.keys((execution.output as { e: object }).e).sort()).to.deep.equal(['Id', 'Input', 'Name', 'RoleArn', 'StartTime']);
    // Given no roleArn, the execution has no role: null.
    expect((execution.output as { e: { RoleArn: unknown } }).e.RoleArn).to.equal(null);
    expect((execution.output as { s: string }).s).to.equal('StateName');
    // A context path that matches nothing is reported as AWS words it, "in the input".
    const missing = await testState({ definition: { Type: 'Pass', Parameters: { 'x.$': '$$.Execution.Nope' }, End: true }, input: { a: 1 }, context: {} });
    expect(missing).to.deep.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(missing.cause).to.contain("The JSONPath '$$.Execution.Nope' specified for the field 'x.$' could not be found in the input '{}'");
  });

  it('refuses variables that are not a JSON object, as a ValidationException', async () => {
    for (const variables of [null, [1, 2], 'x', 1]) {
      const refused = await rejection(testState({ definition: { Type: 'Pass', End: true }, input: {}, variables: variables as never }));
      expect(refused, JSON.stringify(variables)).to.be.instanceOf(InvalidTestStateRequest).and.to.include({ code: 'ValidationException' });
    }
    expect(await testState({ definition: { Type: 'Pass', Output: '{% $x %}', QueryLanguage: 'JSONata', End: true }, input: {}, variables: { x: 2 } })).to.include({ output: 2 });
  });

  it("refuses a context object AWS refuses, with AWS's ValidationException messages", async () => {
    const refused = (context: unknown) => rejection(testState({ definition: { Type: 'Pass', End: true }, input: {}, context }));
    expect(await refused({ Execution: { Id: 1 } })).to.include({ code: 'ValidationException', message: 'Invalid Context object provided: Execution.Id must be a string' });
    expect(await refused({ Map: {} })).to.include({ message: "Invalid Context object provided: 'Map' field is not supported when mocking a Context object" });
    expect(await refused({ Execution: { pokemon: 'squirtle' } })).to.include({ message: "Invalid Context object provided: Field 'pokemon' is not allowed" });
    expect(await refused({ Pokedex: {} })).to.include({ message: "Invalid Context object provided: Field 'Pokedex' is not allowed" });
  });

  it('shows the data flow AWS records at DEBUG: a Pass with a Result has no InputPath or Parameters step, a Fail its input after InputPath, the variables given', async () => {
    const input = { initialData: { fieldFromInput: 'value from input' } };
    const withResult = { Type: 'Pass', InputPath: '$.initialData', Parameters: { 'inputValue.$': '$.fieldFromInput' }, Result: { resultKey: 'result value' }, ResultPath: '$.modifiedData', End: true };
    const pass = await testState({ definition: withResult, input, inspectionLevel: 'DEBUG' });
    expect(Object.keys(pass.inspectionData ?? {}).sort()).to.deep.equal(['afterResultPath', 'afterResultSelector', 'input', 'result']);
    const fail = await testState({ definition: { Type: 'Fail', Error: 'SomeFailure' }, input: { Value: 'HelloWorld' }, inspectionLevel: 'DEBUG' });
    expect(fail.inspectionData).to.deep.equal({ input: { Value: 'HelloWorld' }, afterInputPath: { Value: 'HelloWorld' } });
    const jsonata = { QueryLanguage: 'JSONata', Type: 'Pass', Output: '{% $v %}', End: true };
    const given = await testState({ definition: jsonata, input: {}, inspectionLevel: 'DEBUG', variables: { v: 'test_value' } });
    expect(given).to.deep.include({ output: 'test_value' });
    expect(given.inspectionData?.variables).to.deep.equal({ v: 'test_value' });
  });

  it('runs a mocked Task that waits for a task token: the mock is the answer, the given context\'s Task.Token its token (recorded); unmocked it is refused', async () => {
    const wait = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/test-queue', MessageBody: { 'TaskToken.$': '$$.Task.Token' } },
      ResultPath: '$.SQS',
      Next: 'NEXT_STATE',
    };
    const context = { Execution: { Id: 'arn:aws:states:::execution:M:e' }, Task: { Token: 'abcd123' } };
    const answered = await testState({ definition: wait, input: {}, inspectionLevel: 'DEBUG', context, mock: { result: { pokemon: ['pikachu'] } } });
    expect(answered).to.deep.include({ status: 'SUCCEEDED', output: { SQS: { pokemon: ['pikachu'] } }, nextState: 'NEXT_STATE' });
    expect(answered.inspectionData?.afterParameters).to.deep.include({ MessageBody: { TaskToken: 'abcd123' } });
    const failing = await testState({ definition: wait, input: {}, mock: { errorOutput: { error: 'Denied', cause: 'no' } } });
    expect(failing).to.include({ status: 'FAILED', error: 'Denied', cause: 'no' });
    expect(await rejection(testState({ definition: wait, input: {}, call: async () => ({}) }))).to.include({ name: 'UnsupportedFeature' });
  });

  it('refuses an ItemsPath into the context object that reads no array as AWS words it, with no prefix and no afterItemsPath (recorded)', async () => {
    const context = { Execution: { Input: { values: ['charizard'] } } };
    for (const [itemsPath, shown] of [['$$', '$'], ['$$.Execution.Input', '$.Execution.Input']]) {
      const map = { Type: 'Map', ItemsPath: itemsPath, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true };
      const result = await testState({ definition: map, input: ['fire'], inspectionLevel: 'DEBUG', context, mock: { result: [] } });
      expect(result).to.deep.include({ status: 'FAILED', error: 'States.Runtime', cause: `Reference path "${shown}" must point to array.` });
      expect(result.inspectionData).to.not.have.property('afterItemsPath');
    }
  });

  it('runs a JSONata Task: Arguments, the result, Assign and Output, and a Catch with its own Output', async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Arguments: { QueueUrl: 'q', MessageBody: '{% $states.input.body %}' },
          Assign: { sent: '{% $states.result.MessageId %}' },
          Output: '{% {"id": $states.result.MessageId, "was": $states.input.body} %}',
          Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% {"failed": $states.errorOutput.Error} %}', Next: 'Oops' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
        Oops: { Type: 'Succeed' },
      },
    };
    const sent = await testState({ definition, stateName: 'Send', input: { body: 'hi' }, inspectionLevel: 'DEBUG', mock: { result: { MessageId: 'm-1' } } });
    expect(sent).to.deep.include({ status: 'SUCCEEDED', nextState: 'Done', output: { id: 'm-1', was: 'hi' } });
    expect(sent.inspectionData).to.deep.include({ afterArguments: { QueueUrl: 'q', MessageBody: 'hi' }, result: { MessageId: 'm-1' }, variables: { sent: 'm-1' } });
    const caught = await testState({ definition, stateName: 'Send', input: { body: 'hi' }, mock: { errorOutput: { error: 'SQS.AmazonSQSException', cause: 'x' } } });
    expect(caught).to.deep.include({ status: 'CAUGHT_ERROR', nextState: 'Oops', output: { failed: 'SQS.AmazonSQSException' } });
  });
});

import { expect } from 'chai';
import { runExecution, type TaskCall } from '../../../engine/index.ts';
import { CONTEXT, failure, machine, run, types } from '../run.ts';
import { onFakeClock } from '../../fake-clock.ts';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:fn';

describe('engine: Task state', () => {
  it('calls a Lambda function named by ARN with the effective input, recording LambdaFunction* events', async () => {
    const calls: TaskCall[] = [];
    const result = await run(machine({ Type: 'Task', Resource: FUNCTION, InputPath: '$.in', End: true }), { in: { a: 1 } }, {
      dispatch: async (call) => {
        calls.push(call);
        return { ok: true };
      },
    });
    expect(result.output).to.deep.equal({ ok: true });
    expect(calls[0]).to.include({ stateName: 'S', resource: FUNCTION });
    expect(calls[0]!.parameters).to.deep.equal({ a: 1 });
    expect(types(result)).to.deep.equal([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = JSON.parse(JSON.stringify(result.history[2]));
    expect(scheduled.lambdaFunctionScheduledEventDetails).to.deep.equal({ resource: FUNCTION, input: '{"a":1}', inputDetails: { truncated: false } });
  });

  it('records Task* events with resourceType and resource for a service integration', async () => {
    const result = await run(
      machine({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$.m' }, End: true }),
      { m: 'hi' },
      { dispatch: async () => ({ MessageId: '1' }) },
    );
    expect(types(result).slice(2, 5)).to.deep.equal(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    const scheduled = JSON.parse(JSON.stringify(result.history[2]));
    expect(scheduled.taskScheduledEventDetails).to.deep.equal({
      resourceType: 'sqs',
      resource: 'sendMessage',
      region: 'us-east-1',
      parameters: '{"QueueUrl":"q","MessageBody":"hi"}',
    });
  });

  it('records each execution\'s own region and each resource\'s own kind, whatever ran before', async () => {
    const definition = machine(
      { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', MessageBody: 'b' }, Next: 'L' },
      { L: { Type: 'Task', Resource: FUNCTION, Next: 'D' }, D: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: {}, End: true } },
    );
    for (const region of ['eu-west-3', 'us-east-1', 'eu-west-3', 'ap-south-2']) {
      const executionArn = CONTEXT.executionArn.replace('us-east-1', region);
      const result = await runExecution(definition, {}, { ...CONTEXT, executionArn }, { dispatch: async () => ({}) });
      const scheduled = result.history.filter((event) => event.type.endsWith('Scheduled')).map((event) => JSON.parse(JSON.stringify(event)));
      expect(scheduled.map((event) => event.type)).to.deep.equal(['TaskScheduled', 'LambdaFunctionScheduled', 'TaskScheduled']);
      expect(scheduled[0].taskScheduledEventDetails).to.include({ resourceType: 'sqs', resource: 'sendMessage', region });
      expect(scheduled[1].lambdaFunctionScheduledEventDetails).to.include({ resource: FUNCTION });
      expect(scheduled[2].taskScheduledEventDetails).to.include({ resourceType: 'dynamodb', resource: 'getItem', region });
    }
  });

  it('names an SDK integration resourceType aws-sdk:<service>', async () => {
    const result = await run(machine({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:listBuckets', Parameters: {}, End: true }), {}, { dispatch: async () => ({}) });
    expect(result.history[3]!.taskStartedEventDetails).to.deep.equal({ resourceType: 'aws-sdk:s3', resource: 'listBuckets' });
  });

  it('fails with States.DataLimitExceeded before scheduling when the parameters are over the payload quota', async () => {
    const result = await run(machine({ Type: 'Task', Resource: FUNCTION, End: true }), { big: 'x'.repeat(300) }, {
      dispatch: async () => ({}),
      quotas: { historyEvents: 25_000, payloadBytes: 256 },
    });
    expect(result).to.include({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
  });

  it('applies ResultSelector, ResultPath and OutputPath to the result, in that order', async () => {
    const result = await run(
      machine({ Type: 'Task', Resource: FUNCTION, ResultSelector: { 'v.$': '$.value' }, ResultPath: '$.r', OutputPath: '$.r.v', End: true }),
      { a: 1 },
      { dispatch: async () => ({ value: 7, noise: true }) },
    );
    expect(result.output).to.equal(7);
  });

  it('evaluates a JSONPath Assign on the raw result, before ResultSelector', async () => {
    const result = await run(
      machine(
        { Type: 'Task', Resource: FUNCTION, Assign: { 'raw.$': '$.value' }, ResultSelector: { 'v.$': '$.value' }, Next: 'After' },
        { After: { Type: 'Pass', Parameters: { 'raw.$': '$raw', 'selected.$': '$.v' }, End: true } },
      ),
      {},
      { dispatch: async () => ({ value: 7 }) },
    );
    expect(result.output).to.deep.equal({ raw: 7, selected: 7 });
  });

  it('fails with the function error when nothing catches it', async () => {
    const result = await run(machine({ Type: 'Task', Resource: FUNCTION, End: true }), {}, { dispatch: async () => Promise.reject(failure('Boom', 'it broke')) });
    expect(result).to.include({ status: 'FAILED', error: 'Boom', cause: 'it broke' });
    expect(types(result).slice(-2)).to.deep.equal(['LambdaFunctionFailed', 'ExecutionFailed']);
  });

  it('retries MaxAttempts times with IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const result = await run(
      machine({
        Type: 'Task',
        Resource: FUNCTION,
        Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 10 }],
        End: true,
      }),
      {},
      {
        dispatch: async () => {
          attempts += 1;
          throw failure('Boom', 'again');
        },
        retryDelay: (_state, ms) => {
          delays.push(ms);
          return 0;
        },
      },
    );
    expect(result.status).to.equal('FAILED');
    expect(attempts).to.equal(4);
    expect(delays).to.deep.equal([2000, 6000, 10000]);
  });

  it('MaxAttempts 0 never retries; JitterStrategy FULL waits at most the computed delay', async () => {
    let attempts = 0;
    const delays: number[] = [];
    const dispatch = async () => {
      attempts += 1;
      throw failure('Boom', 'x');
    };
    await run(machine({ Type: 'Task', Resource: FUNCTION, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], End: true }), {}, { dispatch });
    expect(attempts).to.equal(1);
    await run(
      machine({ Type: 'Task', Resource: FUNCTION, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2, IntervalSeconds: 1, JitterStrategy: 'FULL' }], End: true }),
      {},
      { dispatch, retryDelay: (_s, ms) => (delays.push(ms), 0) },
    );
    expect(delays).to.have.length(2);
    expect(delays[0]).to.be.within(0, 1000);
    expect(delays[1]).to.be.within(0, 2000);
  });

  it('counts retries in $$.State.RetryCount', async () => {
    let attempts = 0;
    const seen: unknown[] = [];
    await run(
      machine({ Type: 'Task', Resource: FUNCTION, Parameters: { 'n.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2 }], End: true }),
      {},
      {
        dispatch: async (call) => {
          seen.push((call.parameters as { n: number }).n);
          if (++attempts < 3) throw failure('Boom', 'x');
          return 'ok';
        },
        retryDelay: () => 0,
      },
    );
    expect(seen).to.deep.equal([0, 1, 2]);
  });

  it('Catch takes the first matching catcher; States.TaskFailed matches a task error; ResultPath places {Error, Cause}', async () => {
    const result = await run(
      machine(
        {
          Type: 'Task',
          Resource: FUNCTION,
          Catch: [
            { ErrorEquals: ['Other'], Next: 'Wrong' },
            { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Handler' },
          ],
          End: true,
        },
        { Wrong: { Type: 'Fail' }, Handler: { Type: 'Pass', End: true } },
      ),
      { a: 1 },
      { dispatch: async () => Promise.reject(failure('Boom', 'it broke')) },
    );
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ a: 1, error: { Error: 'Boom', Cause: 'it broke' } });
    expect(types(result).slice(4, 7)).to.deep.equal(['LambdaFunctionFailed', 'TaskStateExited', 'PassStateEntered']);
  });

  it('States.Runtime is not caught, even by States.ALL or by name', async () => {
    const result = await run(
      machine(
        {
          Type: 'Task',
          Resource: FUNCTION,
          OutputPath: '$.missing',
          Catch: [
            { ErrorEquals: ['States.Runtime'], Next: 'H' },
            { ErrorEquals: ['States.ALL'], Next: 'H' },
          ],
          End: true,
        },
        { H: { Type: 'Pass', End: true } },
      ),
      {},
      { dispatch: async () => ({}) },
    );
    expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('TimeoutSeconds ends a call that runs too long with States.Timeout (TaskTimedOut), aborting its signal', async () => {
    let aborted = false;
    const { value: result, elapsedMs } = await onFakeClock(() =>
      run(
        machine({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: {}, TimeoutSeconds: 1, End: true }),
        {},
        {
          dispatch: (call) =>
            new Promise((_resolve, reject) => {
              call.signal.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              });
            }),
        },
      ),
    );
    expect(elapsedMs).to.be.at.least(1000);
    expect(result).to.include({ status: 'FAILED', error: 'States.Timeout' });
    expect(result.cause).to.equal(undefined);
    expect(types(result).slice(-2)).to.deep.equal(['TaskTimedOut', 'ExecutionFailed']);
    // As AWS records a timeout: no cause in TaskTimedOut or ExecutionFailed.
    expect(result.history.at(-2)!.taskTimedOutEventDetails).to.deep.equal({ resourceType: 'dynamodb', resource: 'getItem', error: 'States.Timeout' });
    expect(result.history.at(-1)!.executionFailedEventDetails).to.deep.equal({ error: 'States.Timeout' });
    expect(aborted).to.equal(true);
  });

  it('States.TaskFailed does not match States.Timeout; a catcher for it gets {Error: States.Timeout, Cause: ""}', async () => {
    const definition = (errorEquals: string[]) =>
      machine({ Type: 'Task', Resource: FUNCTION, TimeoutSeconds: 1, Catch: [{ ErrorEquals: errorEquals, Next: 'H' }], End: true }, { H: { Type: 'Pass', End: true } });
    const hang = { dispatch: () => new Promise(() => {}) };
    expect((await onFakeClock(() => run(definition(['States.TaskFailed']), {}, hang))).value).to.include({ status: 'FAILED', error: 'States.Timeout' });
    const { value: caught } = await onFakeClock(() => run(definition(['States.Timeout']), {}, hang));
    expect(caught.output).to.deep.equal({ Error: 'States.Timeout', Cause: '' });
    expect(types(caught)).to.include('LambdaFunctionTimedOut');
  });

  it('passes HeartbeatSeconds and TimeoutSecondsPath on to the call and the scheduled event', async () => {
    let call: TaskCall | undefined;
    const result = await run(
      machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: {}, TimeoutSecondsPath: '$.t', HeartbeatSeconds: 5, End: true }),
      { t: 30 },
      { dispatch: async (c) => ((call = c), {}) },
    );
    expect(call).to.include({ timeoutSeconds: 30, heartbeatSeconds: 5 });
    expect(result.history[2]!.taskScheduledEventDetails).to.include({ timeoutInSeconds: 30, heartbeatInSeconds: 5 });
  });

  it('fails a TimeoutSecondsPath or HeartbeatSecondsPath that matches nothing with the cause AWS records (Jayway\'s wording)', async () => {
    for (const field of ['TimeoutSecondsPath', 'HeartbeatSecondsPath']) {
      const result = await run(
        machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: {}, [field]: '$.NoSuchTimeoutSecondsPath', End: true }),
        { 'int-literal': 0 },
        { dispatch: async () => ({}) },
      );
      expect(result).to.include({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
      });
    }
  });

  it('in JSONata, Arguments are evaluated on $states.input and Output on $states.result', async () => {
    const result = await run(
      machine({ Type: 'Task', Resource: FUNCTION, Arguments: { x: '{% $states.input.a %}' }, Output: '{% $states.result.y %}', End: true }, {}, { QueryLanguage: 'JSONata' }),
      { a: 2 },
      { dispatch: async (call) => ({ y: (call.parameters as { x: number }).x * 10 }) },
    );
    expect(result.output).to.equal(20);
  });

  it('in JSONata, a Catch Output sees $states.errorOutput', async () => {
    const result = await run(
      machine(
        {
          Type: 'Task',
          Resource: FUNCTION,
          Catch: [{ ErrorEquals: ['States.ALL'], Output: { e: '{% $states.errorOutput.Error %}', i: '{% $states.input %}' }, Next: 'H' }],
          End: true,
        },
        { H: { Type: 'Pass', End: true } },
        { QueryLanguage: 'JSONata' },
      ),
      { a: 1 },
      { dispatch: async () => Promise.reject(failure('Boom', 'x')) },
    );
    expect(result.output).to.deep.equal({ e: 'Boom', i: { a: 1 } });
  });
});

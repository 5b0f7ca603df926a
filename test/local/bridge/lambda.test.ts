import { expect } from 'chai';
import { runExecution } from '../../../engine/index.ts';
import type { BridgeOptions, TaskCall } from '../../../local/contracts.ts';
import { createTaskHandlers } from '../../../local/bridge/index.ts';
import { createFunctionLookup, functionAddress } from '../../../local/bridge/lambda.ts';
import type { LocalFunction } from '../../../local/bridge/service.ts';
import type { LambdaRunner } from '../../../local/services/lambda-runner.ts';
import { parseFault } from '../../../local/bridge/faults.ts';
import { localPolicies } from '../../../local/services/iam.ts';
import type { FixtureEvent } from '../../fixtures/lambda/index.ts';
import { rejection } from '../../helpers.ts';
import { CONTEXT as EXECUTION } from '../../engine/run.ts';
import { bridgeOptions, callable, taskHandler, useLocalEnvironment, type Task, type WithMetadata } from './fixture.ts';
import { entriesOf } from '../../fixtures/names.ts';

describe('local/bridge lambda:invoke', () => {
  const local = useLocalEnvironment('lambda-test');

  const definitionWith = (Parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    StartAt: 'Invoke',
    States: {
      Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters, End: true, ...extra },
    },
  });

  const options = (overrides: Partial<BridgeOptions> = {}) => bridgeOptions(local.env, overrides);

  // Without overrides, one handler (and so one warm container) serves the tests: each container is a thread to start.
  let plain: Task | undefined;
  function invoker(overrides?: Partial<BridgeOptions>): Task {
    const definition = definitionWith({ 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' });
    if (overrides === undefined) return (plain ??= callable(createTaskHandlers(definition, options()).Invoke));
    return callable(createTaskHandlers(definition, options(overrides)).Invoke);
  }

  const call = (Payload: FixtureEvent, FunctionName = entriesOf(local.env.resources).seedFunctionArn) => ({ FunctionName, Payload });

  it("wraps the function's result in Step Functions' lambda:invoke output", async () => {
    const output = (await invoker()(call({ action: 'nothing' }))) as WithMetadata;
    expect(Object.keys(output)).to.deep.equal([
      'ExecutedVersion',
      'Payload',
      'SdkHttpMetadata',
      'SdkResponseMetadata',
      'StatusCode',
    ]);
    expect(output).to.include({ ExecutedVersion: '$LATEST', Payload: null, StatusCode: 200 });
    const { SdkHttpMetadata, SdkResponseMetadata } = output;
    expect(SdkHttpMetadata.HttpStatusCode).to.equal(200);
    expect(SdkHttpMetadata.HttpHeaders).to.include({
      'Content-Length': '4',
      'Content-Type': 'application/json',
      'X-Amz-Executed-Version': '$LATEST',
      'x-amzn-Remapped-Content-Length': '0',
      'x-amzn-RequestId': SdkResponseMetadata.RequestId,
    });
    expect(SdkHttpMetadata.AllHttpHeaders['X-Amz-Executed-Version']).to.deep.equal(['$LATEST']);
  });

  it('passes the Payload as the event, and the context carries the request id the output names', async () => {
    const output = (await invoker()(call({ action: 'echo', id: 'e1' }))) as WithMetadata;
    const payload = output.Payload as { event: unknown; context: { awsRequestId: string } };
    expect(payload.event).to.deep.equal({ action: 'echo', id: 'e1' });
    expect(payload.context.awsRequestId).to.equal(output.SdkResponseMetadata.RequestId);
  });

  it('invokes with an empty object when the task gives no Payload', async () => {
    const handlers = createTaskHandlers(definitionWith({ FunctionName: entriesOf(local.env.resources).seedFunctionArn }), options());
    const output = (await callable(handlers.Invoke)({ FunctionName: entriesOf(local.env.resources).seedFunctionArn })) as WithMetadata;
    expect(output.Payload).to.deep.equal({ received: {} });
  });

  describe('the Payload, as Step Functions sends it', () => {
    const received = async (Payload: unknown) =>
      ((await invoker()({ FunctionName: entriesOf(local.env.resources).seedFunctionArn, Payload })) as WithMetadata).Payload;

    it("sends a string as the request body's text, which the function receives parsed, as AWS records", async () => {
      expect(await received('"HelloWorld"')).to.deep.equal({ received: 'HelloWorld' });
      expect(await received('0')).to.deep.equal({ received: 0 });
      expect(await received('true')).to.deep.equal({ received: true });
      expect(await received('[]')).to.deep.equal({ received: [] });
      expect(await received('null')).to.deep.equal({ received: null });
      expect(await received('{"action":"other"}')).to.deep.equal({ received: { action: 'other' } });
    });

    it('sends null, like no Payload, as an empty object, and other JSON values as their JSON', async () => {
      expect(await received(null)).to.deep.equal({ received: {} });
      expect(await received(7)).to.deep.equal({ received: 7 });
      expect(await received(false)).to.deep.equal({ received: false });
      expect(await received([1, 'a'])).to.deep.equal({ received: [1, 'a'] });
    });

    it('fails with Lambda.InvalidRequestContentException when a string Payload is not JSON text', async () => {
      const error = await rejection(invoker()(call('HelloWorld' as unknown as FixtureEvent)));
      expect(error.name).to.equal('Lambda.InvalidRequestContentException');
      expect(error.message).to.match(
        /^Could not parse request body into json: Could not parse payload into json: .+ \(Service: AWSLambda; Status Code: 400; Error Code: InvalidRequestContentException; Request ID: \S+; Proxy: null\)$/,
      );
    });
  });

  describe('LogType Tail', () => {
    // What the function writes through console reaches this process's standard output and error
    // (its container's streams lead there); the test keeps it from the report, waiting for the
    // `lines` expected, which come by a channel of their own.
    const quietly = async <T>(action: () => Promise<T>, lines = 0): Promise<{ result: T; printed: string[] }> => {
      const streams = [process.stdout, process.stderr];
      const saved = streams.map((stream) => stream.write);
      const chunks: string[][] = [[], []];
      streams.forEach((stream, index) => {
        stream.write = ((chunk: string | Uint8Array) => chunks[index]!.push(String(chunk)) > 0) as typeof stream.write;
      });
      try {
        const result = await action();
        const printed = () => chunks.map((each) => each.join(''));
        for (let waited = 0; printed().join('').split('\n').length <= lines && waited < 2000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return { result, printed: printed() };
      } finally {
        streams.forEach((stream, index) => (stream.write = saved[index]!));
      }
    };
    const tailed = (event: FixtureEvent) =>
      invoker()({ FunctionName: entriesOf(local.env.resources).seedFunctionArn, Payload: event, LogType: 'Tail' }) as Promise<WithMetadata>;
    const decoded = (output: WithMetadata) => Buffer.from(output.LogResult as string, 'base64').toString();

    it("returns the invocation's log as LogResult and the X-Amz-Log-Result header, in the places AWS records them", async () => {
      const { result: output, printed } = await quietly(() => tailed({ action: 'log', message: 'hello' }), 3);
      expect(Object.keys(output)).to.deep.equal([
        'ExecutedVersion',
        'LogResult',
        'Payload',
        'SdkHttpMetadata',
        'SdkResponseMetadata',
        'StatusCode',
      ]);
      const { HttpHeaders, AllHttpHeaders } = output.SdkHttpMetadata;
      expect(HttpHeaders['X-Amz-Log-Result']).to.equal(output.LogResult);
      expect(AllHttpHeaders['X-Amz-Log-Result']).to.deep.equal([output.LogResult]);
      expect(Object.keys(HttpHeaders).indexOf('X-Amz-Log-Result')).to.equal(Object.keys(HttpHeaders).indexOf('X-Amz-Executed-Version') + 1);
      const id = output.SdkResponseMetadata.RequestId;
      const log = decoded(output);
      expect(log.startsWith(`START RequestId: ${id} Version: $LATEST\n`), log).to.be.true;
      const lines = log.split('\n');
      expect(lines.slice(1, 4).map((line) => line.split('\t').slice(1))).to.deep.equal([
        [id, 'INFO', 'hello'],
        [id, 'WARN', 'warned'],
        [id, 'ERROR', 'it failed'],
      ]);
      expect(Date.parse(lines[1]!.split('\t')[0]!)).to.be.a('number').and.not.NaN;
      expect(lines[4]).to.equal(`END RequestId: ${id}`);
      expect(lines[5]).to.match(new RegExp(`^REPORT RequestId: ${id}\tDuration: \\d+\\.\\d{2} ms\tBilled Duration: \\d+ ms\tMemory Size: \\d+ MB\tMax Memory Used: \\d+ MB\t`));
      expect(lines[6]).to.equal('');
      expect(printed).to.deep.equal(['hello\n', 'warned\nit failed\n']);
    });

    it('keeps only the last 4 KB of a longer log', async () => {
      const { result: output } = await quietly(() => tailed({ action: 'log', message: 'x'.repeat(100), times: 60 }), 62);
      const log = decoded(output);
      expect(Buffer.byteLength(log)).to.equal(4096);
      expect(log).to.match(/END RequestId: \S+\nREPORT RequestId: [^\n]+\n$/);
      expect(log).not.to.include('START RequestId');
    });

    it('keeps each log to its own invocation when invocations overlap', async () => {
      const { result: outputs } = await quietly(() =>
        Promise.all([tailed({ action: 'log', message: 'first', ms: 30 }), tailed({ action: 'log', message: 'second', ms: 30 })]),
        6,
      );
      const [first, second] = outputs.map(decoded);
      expect(first).to.include('\tINFO\tfirst\n').and.not.include('second');
      expect(second).to.include('\tINFO\tsecond\n').and.not.include('first');
    });

    it("returns no log without LogType Tail, and leaves the host's console alone", async () => {
      const { log, warn, error } = console;
      const { result: output } = await quietly(() => invoker()(call({ action: 'log', message: 'untold' })) as Promise<WithMetadata>, 3);
      expect(output).not.to.have.property('LogResult');
      expect(output.SdkHttpMetadata.HttpHeaders).not.to.have.property('X-Amz-Log-Result');
      expect([console.log, console.warn, console.error]).to.deep.equal([log, warn, error]);
    });
  });

  it("fails the task with the function's error type and Lambda's error document as the cause", async () => {
    const error = await rejection(invoker()(call({ action: 'throw', name: 'InvalidInput', message: 'input.count must be at least 1' })));
    expect(error.name).to.equal('InvalidInput');
    expect(JSON.parse(error.message)).to.include({ errorType: 'InvalidInput', errorMessage: 'input.count must be at least 1' });
  });

  it("lets the engine's Catch on InvalidInput take the failure, with Error and Cause as on AWS", async () => {
    const definition = definitionWith(
      { FunctionName: entriesOf(local.env.resources).seedFunctionArn, 'Payload.$': '$' },
      { Catch: [{ ErrorEquals: ['InvalidInput'], ResultPath: '$.Error', Next: 'Rejected' }] },
    );
    const machine = { ...definition, States: { ...definition.States, Rejected: { Type: 'Pass', End: true } } };
    const handlers = createTaskHandlers(machine, options());
    const execution = await runExecution(machine, { action: 'throw', name: 'InvalidInput', message: 'bad count' }, EXECUTION, {
      dispatch: (call) => handlers[call.stateName]!(call.parameters),
    });
    expect(execution.status, execution.cause).to.equal("SUCCEEDED");
    const result = execution.output as { Error: { Error: string; Cause: string } };
    expect(result.Error.Error).to.equal('InvalidInput');
    expect(JSON.parse(result.Error.Cause)).to.include({ errorType: 'InvalidInput', errorMessage: 'bad count' });
  });

  it('fails with Lambda.AWSLambdaException naming lambda:InvokeFunction once its statement is removed', async () => {
    const stateMachinePolicy = localPolicies(local.env.resources).stateMachinePolicy.filter(
      (statement) => statement.Sid !== 'InvokeSeedFunction',
    );
    const calls: TaskCall[] = [];
    const error = await rejection(invoker({ stateMachinePolicy, onCall: (taskCall) => calls.push(taskCall) })(call({ action: 'echo' })));
    expect(error.name).to.equal('Lambda.AWSLambdaException');
    expect(error.message).to.match(
      new RegExp(
        `is not authorized to perform: lambda:InvokeFunction on resource: ${entriesOf(local.env.resources).seedFunctionArn} ` +
          'because no identity-based policy allows the lambda:InvokeFunction action ' +
          '\\(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: \\S+; Proxy: null\\)$',
      ),
    );
    expect(calls.map((taskCall) => [taskCall.service, taskCall.action, taskCall.error])).to.deep.equal([
      ['lambda', 'invoke', 'Lambda.AWSLambdaException'],
    ]);
  });

  it('denies another function first, as AWS checks IAM before the function exists', async () => {
    const error = await rejection(invoker()(call({ action: 'echo' }, 'other-function')));
    expect(error.name).to.equal('Lambda.AWSLambdaException');
    expect(error.message).to.include(`lambda:InvokeFunction on resource: arn:aws:lambda:${local.env.resources.region}:000000000000:function:other-function`);
  });

  it('reports a function that does not exist locally as Lambda.ResourceNotFoundException when the role may call it', async () => {
    const stateMachinePolicy = [{ Sid: 'All', Effect: 'Allow' as const, Action: ['lambda:InvokeFunction'], Resource: ['*'] }];
    const error = await rejection(invoker({ stateMachinePolicy })(call({ action: 'echo' }, 'other-function')));
    expect(error.name).to.equal('Lambda.ResourceNotFoundException');
    expect(error.message).to.match(
      /^Function not found: arn:aws:lambda:[a-z0-9-]+:000000000000:function:other-function:\$LATEST \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;/,
    );
  });

  it('fails the first invocations a --fault names, as the Retry on Lambda.ServiceException expects', async () => {
    const invoke = invoker({ faults: [parseFault('lambda:invoke:Lambda.ServiceException:1')] });
    expect((await rejection(invoke(call({ action: 'echo' })))).name).to.equal('Lambda.ServiceException');
    expect(await invoke(call({ action: 'echo' }))).to.have.property('StatusCode', 200);
  });

  describe('a Task whose Resource is the function ARN', () => {
    const arnTask = (overrides: Partial<BridgeOptions> = {}) => taskHandler(local.env, entriesOf(local.env.resources).seedFunctionArn, overrides);

    it("returns the function's result itself, with no Payload wrapper or metadata", async () => {
      const output = (await arnTask()({ action: 'echo', id: 'e2' })) as { event: unknown; context: { invokedFunctionArn: string } };
      expect(output.event).to.deep.equal({ action: 'echo', id: 'e2' });
      expect(output.context.invokedFunctionArn).to.equal(entriesOf(local.env.resources).seedFunctionArn);
      expect(output).to.not.have.any.keys('Payload', 'StatusCode', 'SdkHttpMetadata');
    });

    it('passes the effective input as the event, whatever its JSON type', async () => {
      expect(await callable(createTaskHandlers(
        { StartAt: 'T', States: { T: { Type: 'Task', Resource: entriesOf(local.env.resources).seedFunctionArn, End: true } } },
        options(),
      ).T)('plain text' as unknown as object)).to.deep.equal({ received: 'plain text' });
    });

    it("fails with the function's errorType and Lambda's error document as the cause", async () => {
      const error = await rejection(arnTask()({ action: 'throw', name: 'InvalidInput', message: 'bad count' }));
      expect(error.name).to.equal('InvalidInput');
      expect(JSON.parse(error.message)).to.include({ errorType: 'InvalidInput', errorMessage: 'bad count' });
    });

    it('is checked against the role, and failed by a lambda:invoke --fault, as lambda:invoke is', async () => {
      const stateMachinePolicy = localPolicies(local.env.resources).stateMachinePolicy.filter(
        (statement) => statement.Sid !== 'InvokeSeedFunction',
      );
      const denied = await rejection(arnTask({ stateMachinePolicy })({ action: 'echo' }));
      expect(denied.name).to.equal('Lambda.AWSLambdaException');
      expect(denied.message).to.include(`lambda:InvokeFunction on resource: ${entriesOf(local.env.resources).seedFunctionArn}`);
      const faulted = arnTask({ faults: [parseFault('lambda:invoke:Lambda.ServiceException:1')] });
      expect((await rejection(faulted({ action: 'echo' }))).name).to.equal('Lambda.ServiceException');
      expect(await faulted({ action: 'nothing' })).to.equal(null);
    });
  });
});

describe('local/bridge/lambda createFunctionLookup', () => {
  const resources = { region: 'eu-west-1', accountId: '123456789012' } as Parameters<typeof functionAddress>[1];
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:seed';
  const seed: LocalFunction = { arn, runner: {} as LambdaRunner };
  const lookup = createFunctionLookup([seed], resources);

  it('finds a function by name, ARN, partial ARN, each unqualified or with $LATEST', () => {
    for (const name of ['seed', arn, '123456789012:function:seed', 'seed:$LATEST', `${arn}:$LATEST`]) {
      expect(lookup.find(name), name).to.equal(seed);
    }
  });

  it('finds no other function, no alias or version, and no function of another account', () => {
    for (const name of ['other', `${arn}:live`, 'seed:1', arn.replace('123456789012', '210987654321')]) {
      expect(lookup.find(name), name).to.equal(undefined);
    }
    expect(createFunctionLookup([], resources).find('seed')).to.equal(undefined);
  });

  it('resolves what Lambda resolves, for IAM and error messages', () => {
    expect(functionAddress('seed', resources)).to.deep.equal({ arn, unqualifiedArn: arn });
    expect(functionAddress('seed:live', resources)).to.deep.equal({ arn: `${arn}:live`, unqualifiedArn: arn, qualifier: 'live' });
    expect(functionAddress('123456789012:function:seed', resources).arn).to.equal(arn);
  });
});

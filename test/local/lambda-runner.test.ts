import { expect } from 'chai';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createClients, type Clients } from '../../execution/clients.ts';
import { SEED_FUNCTION } from '../../workflow/transfer-records.ts';
import type { LocalEnvironment } from '../../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../local/host/environment.ts';
import { localPolicies } from '../../local/services/iam.ts';
import {
  createLambdaRunner,
  describedFunctionSettings,
  LambdaFunctionError,
  MissingBundle,
  type LambdaRunnerOptions,
} from '../../local/services/lambda-runner.ts';
import type { FixtureEvent } from '../fixtures/lambda/index.ts';
import { lambdaFixtureBundle } from '../fixtures/lambda/bundle.ts';
import { useHostAwsSettings, type HostAwsSettings } from './host-aws.ts';
import { entriesOf } from '../fixtures/names.ts';


async function failure(promise: Promise<unknown>): Promise<LambdaFunctionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(LambdaFunctionError);
    return error as LambdaFunctionError;
  }
  throw new Error('expected the invocation to fail');
}

describe('local/lambda-runner', () => {
  let env: LocalEnvironment;
  let clients: Clients;
  let options: LambdaRunnerOptions;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'runner-test' });
    clients = createClients({ region: env.resources.region, endpoints: env.endpoints, credentials: LOCAL_CREDENTIALS });
    options = {
      bundlePath: lambdaFixtureBundle(),
      resources: env.resources,
      endpoints: env.endpoints,
      policy: localPolicies(env.resources).functionPolicies.seed!,
      settings: describedFunctionSettings(env.resources, 'seed'),
    };
  });

  after(async () => {
    clients.dynamodb.destroy();
    clients.sqs.destroy();
    clients.sfn.destroy();
    await env.stop();
  });

  // Without overrides, one runner (and so one warm container) serves the tests: each container is a thread to start.
  let plain: ReturnType<typeof createLambdaRunner> | undefined;
  const invoke = (event: FixtureEvent, overrides?: Partial<LambdaRunnerOptions>) =>
    (overrides === undefined ? (plain ??= createLambdaRunner(options)) : createLambdaRunner({ ...options, ...overrides })).invoke(event);

  it('passes the event and a Lambda context, and returns the result after a JSON round trip', async () => {
    const { requestId, payload } = await invoke({ action: 'echo', id: 'a' });
    const result = payload as {
      event: unknown;
      context: Record<string, unknown>;
    };
    expect(result.event).to.deep.equal({ action: 'echo', id: 'a' });
    expect(result.context).to.include({
      awsRequestId: requestId,
      functionName: 'runner-test-seed',
      functionVersion: '$LATEST',
      invokedFunctionArn: entriesOf(env.resources).seedFunctionArn,
      memoryLimitInMB: String(SEED_FUNCTION.memorySize),
      logGroupName: '/aws/lambda/runner-test-seed',
    });
    expect(result.context.remainingMs).to.be.within(1, SEED_FUNCTION.timeoutSeconds * 1000);
  });

  it("gives the function its environment in its container, and leaves the host's process.env as it was", async () => {
    const before = { ...process.env };
    const { payload } = await invoke({ action: 'echo' });
    const result = payload as { environment: Record<string, string>; hasSessionToken: boolean };
    expect(result.environment).to.deep.equal({
      TABLE_NAME: 'runner-test-table',
      AWS_REGION: env.resources.region,
      AWS_ENDPOINT_URL_DYNAMODB: env.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: env.endpoints.sqs,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_LAMBDA_FUNCTION_NAME: 'runner-test-seed',
    });
    expect(result.hasSessionToken).to.be.true;
    expect(process.env).to.deep.equal(before);
  });

  it('keeps one warm container across the invocations of a runner, and a new one per runner', async () => {
    const runner = createLambdaRunner(options);
    const first = (await runner.invoke({ action: 'echo' })).payload as { invocations: number };
    const second = (await runner.invoke({ action: 'echo' })).payload as { invocations: number };
    const other = (await createLambdaRunner(options).invoke({ action: 'echo' })).payload as { invocations: number };
    expect([first.invocations, second.invocations, other.invocations]).to.deep.equal([1, 2, 1]);
  });

  it('returns null for a handler that returns nothing, as Lambda does', async () => {
    expect((await invoke({ action: 'nothing' })).payload).to.equal(null);
  });

  it('turns a thrown error into its type and the runtime error document', async () => {
    const error = await failure(invoke({ action: 'throw', name: 'InvalidInput', message: 'input.count must be at least 1' }));
    expect(error.name).to.equal('InvalidInput');
    const document = JSON.parse(error.message) as Record<string, unknown>;
    expect(Object.keys(document)).to.deep.equal(['errorType', 'errorMessage', 'trace']);
    expect(document).to.include({ errorType: 'InvalidInput', errorMessage: 'input.count must be at least 1' });
    expect((document.trace as string[])[0]).to.equal('InvalidInput: input.count must be at least 1');
  });

  it('reports a thrown non-Error by its type, as the Node.js runtime does', async () => {
    const error = await failure(invoke({ action: 'throwString', message: 'plain' }));
    expect(JSON.parse(error.message)).to.deep.equal({ errorType: 'string', errorMessage: 'plain', trace: [] });
  });

  it('fails an invocation that outlives the function timeout with Sandbox.Timedout', async () => {
    const error = await failure(invoke({ action: 'sleep', ms: 500 }, { timeoutSeconds: 0.05 }));
    expect(error.name).to.equal('Sandbox.Timedout');
    expect(JSON.parse(error.message)).to.deep.equal({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${error.requestId} Error: Task timed out after 0.05 seconds`,
    });
  });

  it('tells a function still running that no time is left once the run stops, so it ends at once', async () => {
    const stopping = new AbortController();
    const pending = invoke({ action: 'untilNoTimeLeft' }, { timeoutSeconds: 600, signal: stopping.signal });
    setTimeout(() => stopping.abort(), 50);
    // Without the signal the function would work on for its whole 600 s timeout.
    expect((await pending).payload).to.equal('no time left');
  });

  it('fails an invocation whose function calls process.exit with Runtime.ExitError, and the host goes on with a new container', async () => {
    const hostExit = process.exit;
    // Should the guard fail, a clean exit would end this test process with status 0: make it 1.
    const ended = () => (process.exitCode = 1);
    process.once('exit', ended);
    try {
      const runner = createLambdaRunner(options);
      expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
      const cases = [
        { event: { action: 'exit', status: 3 } as FixtureEvent, error: 'Runtime exited with error: exit status 3' },
        // Later in the invocation, after an await; and with no status, as Lambda reports a clean exit.
        { event: { action: 'exit', ms: 5 } as FixtureEvent, error: 'Runtime exited without providing a reason' },
      ];
      for (const { event, error: text } of cases) {
        const error = await failure(runner.invoke(event));
        expect(error.name).to.equal('Runtime.ExitError');
        expect(JSON.parse(error.message)).to.deep.equal({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${error.requestId} Error: ${text}` });
      }
      expect(process.exit).to.equal(hostExit);
      // Lambda starts the runtime again: the module's state is new.
      expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
    } finally {
      process.off('exit', ended);
    }
  });

  it("ends only the container whose function exits: another container's invocation keeps running, and its log", async () => {
    // Three functions at once: the short one ends while the others still await. A status that is
    // not 0, so that an exit that reached the host fails the test process rather than ending it quietly.
    const exiting = createLambdaRunner(options).invoke({ action: 'exit', ms: 30, status: 7 });
    const logging = createLambdaRunner(options).invoke({ action: 'log', message: 'before', ms: 30 }, { log: true });
    await createLambdaRunner(options).invoke({ action: 'echo' }, { log: true });
    const error = await failure(exiting);
    expect(error.name).to.equal('Runtime.ExitError');
    const { log } = await logging;
    expect(log).to.match(/\tINFO\tbefore\n/).and.to.match(/\tWARN\twarned\n/).and.to.match(/\tERROR\tit failed\n/);
  });

  it('stops a function that never yields at its timeout, and the next invocation runs in a new container', async () => {
    const runner = createLambdaRunner({ ...options, timeoutSeconds: 0.3 });
    expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
    const error = await failure(runner.invoke({ action: 'spin' }));
    expect(error.name).to.equal('Sandbox.Timedout');
    expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
  });

  it('retires a container whose invocation timed out: the invocations it still runs finish, new ones go to a new container', async () => {
    const runner = createLambdaRunner({ ...options, timeoutSeconds: 0.3 });
    const slow = runner.invoke({ action: 'sleep', ms: 1000 });
    const quick = (await runner.invoke({ action: 'echo' })).payload as { invocations: number };
    expect(quick.invocations).to.equal(2);
    expect((await failure(slow)).name).to.equal('Sandbox.Timedout');
    expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
  });

  it('ends the container, not the host, when the function throws after it answered: the next invocation starts cold', async () => {
    const runner = createLambdaRunner(options);
    expect((await runner.invoke({ action: 'throwLater', message: 'after the answer', ms: 10 })).payload).to.equal('answered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
  });

  it('fails an invocation whose function leaves a rejection unhandled with Runtime.UnhandledPromiseRejection', async () => {
    const runner = createLambdaRunner(options);
    const error = await failure(runner.invoke({ action: 'rejectUnhandled', message: 'nobody caught me' }));
    expect(error.name).to.equal('Runtime.UnhandledPromiseRejection');
    expect(JSON.parse(error.message)).to.include({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody caught me' });
    expect(((await runner.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
  });

  it('keeps at most eight idle containers in the process, ending the least recently used first', async () => {
    const first = createLambdaRunner(options);
    await first.invoke({ action: 'echo' });
    for (let other = 0; other < 8; other += 1) await createLambdaRunner(options).invoke({ action: 'echo' });
    expect(((await first.invoke({ action: 'echo' })).payload as { invocations: number }).invocations).to.equal(1);
  });

  describe("the Node.js runtimes' programming model, a handler that is not async", () => {
    const model = (runtime?: string) =>
      createLambdaRunner({
        ...options,
        bundlePath: 'test/fixtures/lambda/runtime-model.mjs',
        ...(runtime === undefined ? {} : { settings: { ...options.settings, runtime } }),
      });

    it("answers through its callback, on a Node.js runtime that gives one (before 24)", async () => {
      const runner = model('nodejs22.x');
      expect((await runner.invoke({ answer: 'callback-later' })).payload).to.deep.equal({ called: 'back' });
      const error = await failure(runner.invoke({ answer: 'callback-later', fail: 'called back with an error' }));
      expect(JSON.parse(error.message)).to.include({ errorType: 'Error', errorMessage: 'called back with an error' });
    });

    it('answers null for a value it returns, as the runtimes before 24 do; Node.js 24 answers the value', async () => {
      expect((await model('nodejs22.x').invoke({ answer: 'return' })).payload).to.equal(null);
      expect((await model('nodejs24.x').invoke({ answer: 'return' })).payload).to.deep.equal({ returned: true });
    });

    it("answers the callback's result once the event loop is empty, or at once when callbackWaitsForEmptyEventLoop is false", async () => {
      const runner = model('nodejs22.x');
      const waited = await runner.invoke({ answer: 'callback-then-timer' }, { log: true });
      expect(waited.payload).to.deep.equal({ called: 'back' });
      expect(waited.log).to.match(/\tINFO\ttimer ran\n/);
      const answered = await runner.invoke({ answer: 'callback-then-timer', waits: false }, { log: true });
      expect(answered.payload).to.deep.equal({ called: 'back' });
      expect(answered.log).to.not.match(/timer ran/);
    });

    it('answers null once its timers have run, for a handler that never answers', async () => {
      const { payload, log } = await model('nodejs22.x').invoke({ answer: 'timer-only' }, { log: true });
      expect(payload).to.equal(null);
      expect(log).to.match(/\tINFO\ttimer ran\n/);
    });

    it('answers through context.succeed, fail and done, the first answer counting', async () => {
      const runner = model('nodejs22.x');
      expect((await runner.invoke({ answer: 'succeed' })).payload).to.deep.equal({ succeeded: true });
      expect((await runner.invoke({ answer: 'done' })).payload).to.deep.equal({ done: true });
      const failed = await failure(runner.invoke({ answer: 'fail' }));
      expect(JSON.parse(failed.message)).to.include({ errorType: 'Error', errorMessage: 'failed through the context' });
      // fail() without an error fails with the runtime's "handled".
      const handled = await failure(runner.invoke({ answer: 'fail-empty' }));
      expect(JSON.parse(handled.message)).to.include({ errorType: 'string', errorMessage: 'handled' });
    });

    it('fails with an error thrown before it answers', async () => {
      const error = await failure(model('nodejs22.x').invoke({ answer: 'throw' }));
      expect(JSON.parse(error.message)).to.include({ errorType: 'Error', errorMessage: 'thrown before answering' });
    });
  });

  it('fails every invocation of a bundle without the handler export with Runtime.HandlerNotFound', async () => {
    const runner = createLambdaRunner({ ...options, bundlePath: 'test/fixtures/lambda/no-handler.mjs' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await failure(runner.invoke({ action: 'echo' }));
      expect(error.name).to.equal('Runtime.HandlerNotFound');
      expect(JSON.parse(error.message).errorMessage).to.equal('index.handler is undefined or not exported');
    }
  });

  it('fails every invocation of a bundle that cannot load with Runtime.ImportModuleError', async () => {
    const runner = createLambdaRunner({ ...options, bundlePath: 'test/fixtures/lambda/broken.mjs' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await failure(runner.invoke({ action: 'echo' }));
      expect(error.name).to.equal('Runtime.ImportModuleError');
      expect(JSON.parse(error.message).errorMessage).to.equal('Error: Cannot find package "left-pad"');
    }
  });

  it('refuses a bundle that does not exist, naming it', () => {
    expect(() => createLambdaRunner({ ...options, bundlePath: 'dist/nowhere/index.mjs' }))
      .to.throw(MissingBundle)
      .with.property('message')
      .that.includes('dist/nowhere/index.mjs');
  });

  describe("the function's own SDK calls, checked against its role's policy", () => {
    it('lets the BatchWriteItem the role allows through', async () => {
      expect((await invoke({ action: 'batchWrite', id: 'allowed' })).payload).to.equal('written');
      const { Item } = await clients.dynamodb.send(
        new GetItemCommand({ TableName: 'runner-test-table', Key: { MessageId: { S: 'allowed' } } }),
      );
      expect(Item?.Message).to.deep.equal({ S: 'from the fixture' });
    });

    it('fails a DeleteItem the role does not allow with AWS AccessDeniedException, naming action and resource', async () => {
      const error = await failure(invoke({ action: 'delete', id: 'allowed' }));
      expect(error.name).to.equal('AccessDeniedException');
      expect(JSON.parse(error.message).errorMessage).to.equal(
        'User: arn:aws:sts::000000000000:assumed-role/runner-test-seed-role/runner-test-seed is not authorized to perform: ' +
          `dynamodb:DeleteItem on resource: ${entriesOf(env.resources).tableArn} ` +
          'because no identity-based policy allows the dynamodb:DeleteItem action',
      );
      const { Item } = await clients.dynamodb.send(
        new GetItemCommand({ TableName: 'runner-test-table', Key: { MessageId: { S: 'allowed' } } }),
      );
      expect(Item).to.not.equal(undefined);
    });

    it('denies the BatchWriteItem too once its statement is removed from the policy', async () => {
      const policy = options.policy.filter((statement) => !statement.Action.includes('dynamodb:BatchWriteItem'));
      const error = await failure(invoke({ action: 'batchWrite', id: 'denied' }, { policy }));
      expect(error.name).to.equal('AccessDeniedException');
      expect(JSON.parse(error.message).errorMessage).to.include('dynamodb:BatchWriteItem');
    });
  });

  for (const kind of ['missing-profile', 'expired-sso'] as HostAwsSettings[]) {
    describe(`on a host with its own AWS settings (${kind})`, () => {
      let restore: () => Promise<void>;
      before(async () => {
        restore = await useHostAwsSettings(kind);
      });
      after(async () => restore());

      it("builds the function's environment from scratch: its SDK calls never meet the host's profile", async () => {
        const host = { ...process.env };
        // A runner made now, on this host: its container's environment is made when it starts.
        expect((await createLambdaRunner(options).invoke({ action: 'batchWrite', id: `host-${kind}` })).payload).to.equal('written');
        expect(process.env).to.deep.equal(host);
      });
    });
  }
});

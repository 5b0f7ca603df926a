// The command line under a mock configuration (--mock-config FILE --test-case NAME): AWS's
// LambdaSQSIntegration example from its documentation, and the project's own workflow with its
// seed or its queue mocked, end to end on the emulators. The reports say which states were mocked.
import { expect } from 'chai';
import { renderReport } from '../../viz/report.ts';
import { runCli } from './cli-run.ts';

const AWS_EXAMPLE = ['--definition', 'test/fixtures/mocks/lambda-sqs-integration.asl.json', '--mock-config', 'test/fixtures/mocks/mock-config.json'];
const OWN = ['--mock-config', 'test/fixtures/mocks/transfer-records-mocks.json'];

const run = runCli;

describe('local/cli with a mock configuration', function () {
  this.timeout(60_000);

  it('AWS\'s HappyPath: both Tasks answered from the file, the function that does not exist never called', async () => {
    const { status, out, records } = await run([...AWS_EXAMPLE, '--test-case', 'HappyPath', '--input', '{}']);
    expect(out).to.match(/^Execution SUCCEEDED/);
    expect(out).to.include('Mocked (test case "HappyPath" of "LambdaSQSIntegration" in test/fixtures/mocks/mock-config.json; these states called nothing)');
    expect(out).to.include('"LambdaState": 1 invocation answered by "GreetingReturned"');
    expect(out).to.include('"SQSState": 1 invocation answered by "MessageQueued"');
    expect(status).to.equal(0);
    const html = await renderReport(records[0]!);
    expect(html).to.include('id="mocked"').and.include('“HappyPath”').and.include('&quot;LambdaState&quot;: 1 invocation answered by &quot;GreetingReturned&quot;');
  });

  it('AWS\'s RetryPath and HybridPath: four attempts take four responses; the unmocked send reaches the queue', async () => {
    const retry = await run([...AWS_EXAMPLE, '--test-case', 'LambdaSQSIntegration#RetryPath', '--input', '{}', '--fast-retries', '--json']);
    const summary = JSON.parse(retry.out);
    expect(summary.status).to.equal('SUCCEEDED');
    expect(summary.mocks.states).to.deep.equal([
      { state: 'LambdaState', response: 'GreetingAfterThreeFailures', answered: 4 },
      { state: 'SQSState', response: 'MessageQueued', answered: 1 },
    ]);
    expect(retry.records[0]!.states.LambdaState!.retries).to.equal(3);

    const hybrid = JSON.parse((await run([...AWS_EXAMPLE, '--test-case', 'HybridPath', '--input', '{}', '--json'])).out);
    expect(hybrid.status).to.equal('SUCCEEDED');
    expect(hybrid.delivered).to.equal(1);
    expect(hybrid.output.MessageId).to.not.equal('9f8e7d6c-5b4a-4321-8fed-cba987654321');
  });

  it('the project\'s workflow: a mocked seed error takes the Catch; a mocked queue leaves the items undelivered', async () => {
    const rejected = JSON.parse((await run([...OWN, '--test-case', 'SeedRejects', '--json', '--count', '3'])).out);
    expect(rejected).to.include({ status: 'FAILED', error: 'InvalidInput', failedState: 'Reject Invalid Input', items: 0 });
    expect(rejected.mocks.states).to.deep.equal([{ state: 'Seed the DynamoDB Table', response: 'SeedRefusesInput', answered: 1 }]);

    const mocked = await run([...OWN, '--test-case', 'QueueMocked', '--json', '--count', '3']);
    const summary = JSON.parse(mocked.out);
    expect(summary).to.include({ status: 'SUCCEEDED', items: 3, delivered: 0, missing: 3 });
    expect(mocked.status).to.equal(1);

    const throttled = await run([...OWN, '--test-case', 'ThrottledOnce', '--count', '2', '--fast-retries', '--json']);
    expect(JSON.parse(throttled.out)).to.include({ status: 'SUCCEEDED', items: 2, delivered: 0 });
    expect(throttled.records[0]!.states['Send Message to SQS']!.retries).to.equal(1);
  });

  it('refuses, with exit status 2 and a named error, a missing half, a malformed file and an unknown test case', async () => {
    const half = await run(['--mock-config', 'test/fixtures/mocks/mock-config.json']);
    expect([half.status, half.err]).to.deep.equal([2, 'InvalidArguments: --mock-config and --test-case go together: the file, and the test case of it to run\n']);
    const malformed = await run(['--mock-config', 'test/fixtures/mocks/lambda-sqs-integration.asl.json', '--test-case', 'X']);
    expect(malformed.status).to.equal(2);
    expect(malformed.err).to.equal(
      'InvalidMockConfig: test/fixtures/mocks/lambda-sqs-integration.asl.json: $.Comment is not a field of the mock configuration; expected StateMachines or MockedResponses\n',
    );
    const unknown = await run([...OWN, '--test-case', 'SadPath']);
    expect(unknown.status).to.equal(2);
    expect(unknown.err).to.equal('UnknownTestCase: the mock configuration test/fixtures/mocks/transfer-records-mocks.json has no test case "SadPath" under any state machine\n');
  });
});

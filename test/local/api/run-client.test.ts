// The AWS run client (aws/run-command.ts), unchanged, against the local endpoint: start, wait,
// history, reconcile and report over AWS's protocol, for a success and an InvalidInput failure.
import { expect } from 'chai';
import { startLocalEnvironment } from '../../../local/host/environment.ts';
import { localRunDeps } from '../../../scripts/run-on-local-endpoint.ts';
import { startApiServer, type ApiServer } from '../../../local/api/server.ts';
import type { LocalEnvironment } from '../../../local/contracts.ts';
import { EXIT, runCommand } from '../../../aws/run-command.ts';
import type { ExecutionRecord } from '../../../execution/execution-record.ts';
import { renderReport } from '../../../viz/report.ts';

describe('local/api: the AWS run client against the endpoint', function () {
  this.timeout(60_000);
  let env: LocalEnvironment;
  let server: ApiServer;

  before(async () => {
    env = await startLocalEnvironment({ prefix: 'api-run' });
    server = await startApiServer({ env });
  });

  after(async () => {
    await server.stop();
    await env.stop();
  });

  async function runText(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runCommand(argv, {
      ...localRunDeps(env, server.endpoint, server.workflowArn),
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { status, out: out.join('\n'), err: err.join('\n') };
  }

  async function run(argv: string[]) {
    const { status, out, err } = await runText(argv);
    return { status, summary: JSON.parse(out) as Record<string, unknown>, err };
  }

  it('points at the endpoint, not at an AWS console page that cannot show a local execution', async () => {
    const { status, out, err } = await runText(['--count', '2']);
    expect(status).to.equal(EXIT.succeeded);
    expect(out + err).not.to.include('console.aws.amazon.com');
    expect(out).not.to.include('Console:');
    expect(err).to.match(/while it runs: env -u AWS_PROFILE .* aws stepfunctions describe-execution --execution-arn arn:aws:states:\S+:execution:\S+ --endpoint-url /);
    expect(err).to.include(`--endpoint-url ${server.endpoint}`);
    const { summary } = await run(['--count', '2', '--json']);
    expect(summary).not.to.have.any.keys('consoleUrl');
  });

  it("hands the report the endpoint it ran against, and the report says it ran there, not on AWS", async () => {
    const written: ExecutionRecord[] = [];
    const deps = localRunDeps(env, server.endpoint, server.workflowArn, async (record) => {
      written.push(record);
      return 'reports/run.html';
    });
    const status = await runCommand(['--count', '2', '--json'], { ...deps, out: () => {}, err: () => {} });
    expect(status).to.equal(EXIT.succeeded);
    expect(written).to.have.length(1);
    expect(written[0]).to.deep.include({ source: 'aws', endpoint: server.endpoint });
    const html = await renderReport(written[0]!);
    expect(html).to.include(`<dt>Ran on</dt><dd>This computer: the local Step Functions endpoint <code>${server.endpoint}</code>`);
    const { endpoint: _, ...onAws } = written[0]!;
    expect(await renderReport(onAws)).to.include('<dt>Ran on</dt><dd>AWS Step Functions</dd>');
    expect(await renderReport({ ...onAws, source: 'local' })).to.include('<dt>Ran on</dt><dd>This computer (offline emulators)</dd>');
  });

  it('runs the workflow and reconciles every item from the history and the table', async () => {
    const { status, summary } = await run(['--count', '5', '--json']);
    expect(status).to.equal(EXIT.succeeded);
    expect(summary).to.deep.include({ status: 'SUCCEEDED' });
    expect(summary).to.deep.include({ items: 5, delivered: 5, missing: 0, duplicates: 0, historyEvents: 14 * 5 + 11 });
  });

  it('reports the InvalidInput failure as on AWS, with exit status 1', async () => {
    const { status, summary } = await run(['--count', '5000', '--json']);
    expect(status).to.equal(EXIT.notSucceeded);
    expect(summary).to.deep.include({ status: 'FAILED', error: 'InvalidInput', failedState: 'Reject Invalid Input' });
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import type { DescribeExecutionOutput, StartExecutionCommand, StartExecutionInput } from '@aws-sdk/client-sfn';
import type { Clock } from '../../aws/execution.ts';
import { consoleLink } from '../../aws/execution.ts';
import { StackNotDeployed } from '../../aws/outputs.ts';
import { EXIT, runCommand, type RunDeps } from '../../aws/run-command.ts';
import type { ExecutionRecord } from '../../workflow/execution-record.ts';
import { fakeAws, type FakeAwsOptions } from './fake-aws.ts';
import {
  CHOICE,
  EXECUTION_ARN,
  INVALID_CAUSE,
  invalidInputHistory,
  ITEMS,
  OUTPUTS,
  POP,
  READ,
  REGION,
  REJECT,
  SEED,
  SEND,
  STARTED,
  succeededHistory,
  SUCCEED,
} from './fixtures.ts';

const FINISHED: Partial<DescribeExecutionOutput> = {
  status: 'SUCCEEDED',
  startDate: STARTED,
  stopDate: new Date(STARTED.getTime() + 2345),
  input: '{"count":2}',
  output: '{"List":["DONE"]}',
};

const SUCCESS: FakeAwsOptions = {
  describe: [{ status: 'RUNNING' }, FINISHED],
  history: succeededHistory(),
  table: new Map(ITEMS.map((item) => [item.id, item.body])),
  // This execution's messages, and an earlier run's that four receives have brought to the brink.
  queue: [
    ...ITEMS.map((item) => ({ messageId: item.id, body: item.body })),
    { messageId: 'ffffffffffff-0001', body: 'from an earlier run', receiveCount: 4 },
  ],
  maxReceiveCount: 5,
};

const FAILURE: FakeAwsOptions = {
  describe: [
    { ...FINISHED, status: 'FAILED', input: '{"count":5000}', output: undefined, error: 'InvalidInput', cause: INVALID_CAUSE },
  ],
  history: invalidInputHistory(),
};

function harness(options: FakeAwsOptions, overrides: Partial<RunDeps> = {}) {
  const aws = fakeAws(options);
  let now = STARTED.getTime();
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const out: string[] = [];
  const err: string[] = [];
  const deps: RunDeps = {
    readOutputs: sinon.fake.resolves(OUTPUTS),
    createClients: sinon.fake.returns(aws.clients),
    clock,
    readText: sinon.fake.resolves('["a", "b"]'),
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    ...overrides,
  };
  const sfnCommands = () => aws.sent('sfn').map((command) => command.constructor.name);
  return { aws, deps, out, err, sfnCommands };
}

describe('cli/run-command runCommand', () => {
  afterEach(() => sinon.restore());

  it('starts an execution of the deployed state machine in its region and prints what it did', async () => {
    const { aws, deps, out } = harness(SUCCESS);
    const code = await runCommand(['--count', '2'], deps);
    expect(code).to.equal(EXIT.succeeded);
    expect((deps.createClients as sinon.SinonSpy).firstCall.args).to.deep.equal([REGION]);
    const start = aws.sent('sfn')[0] as StartExecutionCommand;
    const input = start.input as StartExecutionInput;
    expect(input).to.include({ stateMachineArn: OUTPUTS.stateMachineArn, input: '{"count":2}' });
    expect(input.name).to.match(/^run-20250301T120000Z-[0-9a-f]{6}$/);

    const text = out.join('\n');
    expect(text).to.contain('SUCCEEDED');
    expect(text).to.contain(consoleLink(EXECUTION_ARN));
    for (const [state, entered] of [[SEED, 1], [CHOICE, 3], [READ, 2], [SEND, 2], [POP, 2], [SUCCEED, 1]] as const) {
      expect(text).to.match(new RegExp(`${state}\\s+${entered} ×`));
    }
    expect(text).to.match(/History events\s+39 of 25,000/);
    expect(text).to.contain('"Message 1"');
    expect(text).to.contain('Seeded 2, delivered 2, missing 0, duplicated 0');
  });

  it('sends no ReceiveMessage, nor any other SQS call, on a default run', async () => {
    const { aws, deps, out } = harness(SUCCESS);
    expect(await runCommand(['--count', '2'], deps)).to.equal(EXIT.succeeded);
    expect(aws.sent('sqs')).to.deep.equal([]);
    expect(out.join('\n')).to.contain('Seeded 2, delivered 2, missing 0, duplicated 0').and.not.contain('Queue (--peek)');
  });

  it('peeks at the queue with --peek, saying that it counted as a receive and what the next one would do', async () => {
    const { aws, deps, out } = harness(SUCCESS);
    expect(await runCommand(['--peek'], deps)).to.equal(EXIT.succeeded);
    const sqsCalls = aws.sent('sqs').map((command) => command.constructor.name);
    expect(sqsCalls).to.include('ReceiveMessageCommand');
    expect(sqsCalls.filter((name) => name.startsWith('DeleteMessage'))).to.deep.equal([]);
    const text = out.join('\n');
    expect(text).to.contain("Holds 2 of this execution's message(s) and 1 other message(s)");
    expect(text).to.contain("counted as one receive of each message toward the redrive policy's maxReceiveCount of 5");
    expect(text).to.contain('1 message(s) have now been received 5 times');
  });

  it('puts the peek in the JSON object with --peek --json', async () => {
    const { deps, out } = harness(SUCCESS);
    expect(await runCommand(['--peek', '--json'], deps)).to.equal(EXIT.succeeded);
    const summary = JSON.parse(out[0]!);
    expect(summary.queue).to.deep.equal({ thisExecution: 2, others: 1, maxReceiveCount: 5, atRedriveLimit: 1 });
    expect(summary).to.include({ delivered: 2, missing: 0 });
  });

  it('prints one JSON object with --json, and nothing on stderr', async () => {
    const { deps, out, err } = harness(SUCCESS);
    expect(await runCommand(['--json'], deps)).to.equal(EXIT.succeeded);
    expect(out).to.have.length(1);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'SUCCEEDED', historyEvents: 39, stateTransitions: 11, items: 2, delivered: 2 });
    expect(summary).to.include({ missing: 0, duplicates: 0, consoleUrl: consoleLink(EXECUTION_ARN) });
    expect(summary.states[CHOICE]).to.deep.equal({ entered: 3, ms: 30 });
    expect(summary).to.not.have.property('definition');
    expect(summary).to.not.have.property('queue');
    expect(err).to.deep.equal([]);
  });

  it('seeds the messages of a messages file', async () => {
    const { aws, deps } = harness(SUCCESS);
    await runCommand(['--messages-file', 'messages.json'], deps);
    const start = aws.sent('sfn')[0] as StartExecutionCommand;
    expect((start.input as StartExecutionInput).input).to.equal('{"messages":["a","b"]}');
  });

  it('exits non-zero with the error, cause and failed state when the execution fails', async () => {
    const { deps, out } = harness(FAILURE);
    expect(await runCommand(['--count', '5000', '--json'], deps)).to.equal(EXIT.notSucceeded);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'FAILED', error: 'InvalidInput', cause: INVALID_CAUSE, failedState: REJECT });
  });

  it('marks the failed state in the text report', async () => {
    const { deps, out } = harness(FAILURE);
    expect(await runCommand(['--count', '5000'], deps)).to.equal(EXIT.notSucceeded);
    const text = out.join('\n');
    expect(text).to.contain(`Failed state: ${REJECT}`);
    expect(text).to.match(new RegExp(`${REJECT}\\s+1 ×`));
    expect(text).to.contain('Error: InvalidInput');
  });

  it('stops waiting at the timeout, names the execution and leaves it running', async () => {
    const { deps, err, sfnCommands } = harness({ describe: [{ status: 'RUNNING' }] });
    expect(await runCommand(['--timeout', '60'], deps)).to.equal(EXIT.stillRunning);
    const text = err.join('\n');
    expect(text).to.contain('ExecutionWaitTimeout');
    expect(text).to.contain(EXECUTION_ARN);
    expect(text).to.contain(consoleLink(EXECUTION_ARN));
    expect(new Set(sfnCommands())).to.deep.equal(new Set(['StartExecutionCommand', 'DescribeExecutionCommand']));
  });

  it('asks for make deploy, and starts nothing, when the stack is not deployed', async () => {
    const { deps, err, sfnCommands } = harness(SUCCESS, {
      readOutputs: sinon.fake.rejects(new StackNotDeployed('the transfer-records stack has no outputs: run make deploy first')),
    });
    expect(await runCommand([], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('StackNotDeployed').and.contain('run make deploy first');
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('rejects an invalid messages file before reading outputs or starting anything', async () => {
    const { deps, err, sfnCommands } = harness(SUCCESS, { readText: sinon.fake.resolves('{"not": "an array"}') });
    expect(await runCommand(['--messages-file', 'bad.json'], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('InvalidMessagesFile');
    expect((deps.readOutputs as sinon.SinonSpy).called).to.be.false;
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('rejects bad arguments with the usage', async () => {
    const { deps, err, sfnCommands } = harness(SUCCESS);
    expect(await runCommand(['--count', 'many'], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('InvalidArguments').and.contain('Usage:');
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('writes the HTML report of the record and prints its path', async () => {
    const writeReport = sinon.fake.resolves('reports/run-20250301T120000Z.html');
    const { deps, out } = harness(SUCCESS, { writeReport });
    expect(await runCommand([], deps)).to.equal(EXIT.succeeded);
    const record = writeReport.firstCall.args[0] as ExecutionRecord;
    expect(record).to.include({ source: 'aws', status: 'SUCCEEDED', historyEvents: 39 });
    expect(out.join('\n')).to.match(/Report:\s+reports\/run-20250301T120000Z.html/);
  });

  it('still reports the execution when the HTML report cannot be written', async () => {
    const writeReport = sinon.fake.rejects(new Error('EACCES: permission denied, mkdir reports'));
    const { deps, out } = harness(SUCCESS, { writeReport });
    expect(await runCommand(['--json'], deps)).to.equal(EXIT.succeeded);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'SUCCEEDED' }).and.not.have.property('report');
    expect(summary.warnings).to.deep.equal(['the HTML report could not be written: EACCES: permission denied, mkdir reports']);
  });

  it('prints the usage for --help and does nothing else', async () => {
    const { deps, out, sfnCommands } = harness(SUCCESS);
    expect(await runCommand(['--help'], deps)).to.equal(EXIT.succeeded);
    expect(out.join('\n')).to.contain('Usage:');
    expect((deps.readOutputs as sinon.SinonSpy).called).to.be.false;
    expect(sfnCommands()).to.deep.equal([]);
  });
});

// The AWS run client's command, end to end against the local Step Functions endpoint and the
// emulators: the deployed workflow runs for real, its history, table and queue are read back over
// AWS's protocols. A run left waiting on a one-minute Wait state stands for a slow execution.
import { expect } from 'chai';
import sinon from 'sinon';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { StartExecutionCommand, StartExecutionInput } from '@aws-sdk/client-sfn';
import type { Clock } from '../../aws/execution.ts';
import { consoleLink } from '../../aws/execution.ts';
import { StackNotDeployed } from '../../aws/outputs.ts';
import { EXIT, runCommand, type RunDeps } from '../../aws/run-command.ts';
import type { ExecutionRecord } from '../../execution/execution-record.ts';
import { CHOICE, POP, READ, REJECT, SEED, SEND, STARTED, SUCCEED } from './fixtures.ts';
import { startLocalAws, type LocalAws } from './local-aws.ts';

// Real sleeps, cut short (the endpoint has no DescribeExecution quota to spare), on a clock that
// starts at STARTED so that the execution's name is known.
function shortClock(): Clock {
  const origin = Date.now();
  return {
    now: () => STARTED.getTime() + (Date.now() - origin),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
  };
}

/** A clock whose sleeps only move its time forward: a wait reaches its timeout at once. */
function instantClock(): Clock {
  let now = STARTED.getTime();
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe('cli/run-command runCommand', function () {
  this.timeout(30_000);
  let aws: LocalAws;
  let waitArn: string;

  before(async () => {
    aws = await startLocalAws('aws-run-command');
    waitArn = await aws.createMachine('wait-a-minute', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
  });

  beforeEach(() => aws.reset());
  afterEach(() => sinon.restore());
  after(() => aws.stop());

  function harness(overrides: Partial<RunDeps> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const deps: RunDeps = {
      readOutputs: sinon.fake.resolves(aws.outputs),
      createClients: sinon.fake.returns(aws.clients),
      clock: shortClock(),
      readText: sinon.fake.resolves('["a", "b"]'),
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      ...overrides,
    };
    const sfnCommands = () => aws.sent('sfn').map((command) => command.constructor.name);
    return { deps, out, err, sfnCommands };
  }

  /** Empties the queue, then leaves one message of an earlier run that four receives have brought to the brink. */
  async function queueWithEarlierMessage(): Promise<void> {
    const QueueUrl = aws.outputs.queueUrl!;
    for (;;) {
      const { Messages = [] } = await aws.own.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      const Entries = Messages.map((message: Message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! }));
      await aws.own.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries }));
    }
    const MessageAttributes = { MessageId: { DataType: 'String', StringValue: 'ffffffffffff-0001' } };
    await aws.own.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from an earlier run', MessageAttributes }));
    for (let receives = 0; receives < 4; ) {
      const { Messages = [] } = await aws.own.sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
      receives += Messages.length;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('starts an execution of the deployed state machine in its region and prints what it did', async () => {
    const { deps, out } = harness();
    const code = await runCommand(['--count', '2'], deps);
    expect(code).to.equal(EXIT.succeeded);
    expect((deps.createClients as sinon.SinonSpy).firstCall.args).to.deep.equal([aws.env.resources.region]);
    const start = aws.sent('sfn')[0] as StartExecutionCommand;
    const input = start.input as StartExecutionInput;
    expect(input).to.include({ stateMachineArn: aws.outputs.stateMachineArn, input: '{"count":2}' });
    expect(input.name).to.match(/^run-20250301T120000Z-[0-9a-f]{6}$/);

    const text = out.join('\n');
    expect(text).to.contain('SUCCEEDED');
    expect(text).to.contain(consoleLink(`${aws.outputs.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`));
    for (const [state, entered] of [[SEED, 1], [CHOICE, 3], [READ, 2], [SEND, 2], [POP, 2], [SUCCEED, 1]] as const) {
      expect(text).to.match(new RegExp(`${state}\\s+${entered} ×`));
    }
    expect(text).to.match(/History events\s+39 of 25,000/);
    expect(text).to.contain('"Message 1 of 2"');
    expect(text).to.contain('Seeded 2, delivered 2, missing 0, duplicated 0');
  });

  it('sends no ReceiveMessage, nor any other SQS call, on a default run', async () => {
    const { deps, out } = harness();
    expect(await runCommand(['--count', '2'], deps)).to.equal(EXIT.succeeded);
    expect(aws.sent('sqs')).to.deep.equal([]);
    expect(out.join('\n')).to.contain('Seeded 2, delivered 2, missing 0, duplicated 0').and.not.contain('Queue (--peek)');
  });

  it('peeks at the queue with --peek, saying that it counted as a receive and what the next one would do', async () => {
    await queueWithEarlierMessage();
    const { deps, out } = harness();
    expect(await runCommand(['--peek', '--count', '2'], deps)).to.equal(EXIT.succeeded);
    const sqsCalls = aws.sent('sqs').map((command) => command.constructor.name);
    expect(sqsCalls).to.include('ReceiveMessageCommand');
    expect(sqsCalls.filter((name) => name.startsWith('DeleteMessage'))).to.deep.equal([]);
    const text = out.join('\n');
    expect(text).to.contain("Holds 2 of this execution's message(s) and 1 other message(s)");
    expect(text).to.contain("counted as one receive of each message toward the redrive policy's maxReceiveCount of 5");
    expect(text).to.contain('1 message(s) have now been received 5 times');
  });

  it('puts the peek in the JSON object with --peek --json', async () => {
    await queueWithEarlierMessage();
    const { deps, out } = harness();
    expect(await runCommand(['--peek', '--json', '--count', '2'], deps)).to.equal(EXIT.succeeded);
    const summary = JSON.parse(out[0]!);
    expect(summary.queue).to.deep.equal({ thisExecution: 2, others: 1, maxReceiveCount: 5, atRedriveLimit: 1 });
    expect(summary).to.include({ delivered: 2, missing: 0 });
  });

  it('prints one JSON object with --json, and nothing on stderr', async () => {
    const { deps, out, err } = harness();
    expect(await runCommand(['--json', '--count', '2'], deps)).to.equal(EXIT.succeeded);
    expect(out).to.have.length(1);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'SUCCEEDED', historyEvents: 39, stateTransitions: 11, items: 2, delivered: 2 });
    const started = aws.sent('sfn')[0] as StartExecutionCommand;
    const executionArn = `${aws.outputs.stateMachineArn.replace(':stateMachine:', ':execution:')}:${(started.input as StartExecutionInput).name}`;
    expect(summary).to.include({ missing: 0, duplicates: 0, consoleUrl: consoleLink(executionArn) });
    expect(summary.states[CHOICE]).to.have.property('entered', 3);
    expect(summary.states[CHOICE].ms).to.be.a('number');
    expect(summary).to.not.have.property('definition');
    expect(summary).to.not.have.property('queue');
    expect(err).to.deep.equal([]);
  });

  it('seeds the messages of a messages file', async () => {
    const { deps, out } = harness();
    expect(await runCommand(['--messages-file', 'messages.json', '--json'], deps)).to.equal(EXIT.succeeded);
    const start = aws.sent('sfn')[0] as StartExecutionCommand;
    expect((start.input as StartExecutionInput).input).to.equal('{"messages":["a","b"]}');
    expect(JSON.parse(out[0]!)).to.include({ items: 2, delivered: 2, missing: 0 });
  });

  it('exits non-zero with the error, cause and failed state when the execution fails', async () => {
    const { deps, out } = harness();
    expect(await runCommand(['--count', '5000', '--json'], deps)).to.equal(EXIT.notSucceeded);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'FAILED', error: 'InvalidInput', failedState: REJECT });
    expect(JSON.parse(summary.cause)).to.include({ errorType: 'InvalidInput' });
  });

  it('marks the failed state in the text report', async () => {
    const { deps, out } = harness();
    expect(await runCommand(['--count', '5000'], deps)).to.equal(EXIT.notSucceeded);
    const text = out.join('\n');
    expect(text).to.contain(`Failed state: ${REJECT}`);
    expect(text).to.match(new RegExp(`${REJECT}\\s+1 ×`));
    expect(text).to.contain('Error: InvalidInput');
  });

  it('stops waiting at the timeout, names the execution and leaves it running', async () => {
    const { deps, err, sfnCommands } = harness({ readOutputs: sinon.fake.resolves({ ...aws.outputs, stateMachineArn: waitArn }), clock: instantClock() });
    expect(await runCommand(['--timeout', '60'], deps)).to.equal(EXIT.stillRunning);
    const text = err.join('\n');
    const started = aws.sent('sfn')[0] as StartExecutionCommand;
    const executionArn = `${waitArn.replace(':stateMachine:', ':execution:')}:${(started.input as StartExecutionInput).name}`;
    expect(text).to.contain('ExecutionWaitTimeout');
    expect(text).to.contain(executionArn);
    expect(text).to.contain(consoleLink(executionArn));
    expect(new Set(sfnCommands())).to.deep.equal(new Set(['StartExecutionCommand', 'DescribeExecutionCommand']));
  });

  it('asks for make deploy, and starts nothing, when the stack is not deployed', async () => {
    const { deps, err, sfnCommands } = harness({
      readOutputs: sinon.fake.rejects(new StackNotDeployed('the transfer-records stack has no outputs: run make deploy first')),
    });
    expect(await runCommand([], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('StackNotDeployed').and.contain('run make deploy first');
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('rejects an invalid messages file before reading outputs or starting anything', async () => {
    const { deps, err, sfnCommands } = harness({ readText: sinon.fake.resolves('{"not": "an array"}') });
    expect(await runCommand(['--messages-file', 'bad.json'], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('InvalidMessagesFile');
    expect((deps.readOutputs as sinon.SinonSpy).called).to.be.false;
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('rejects bad arguments with the usage', async () => {
    const { deps, err, sfnCommands } = harness();
    expect(await runCommand(['--count', 'many'], deps)).to.equal(EXIT.badSetup);
    expect(err.join('\n')).to.contain('InvalidArguments').and.contain('Usage:');
    expect(sfnCommands()).to.deep.equal([]);
  });

  it('writes the HTML report of the record and prints its path', async () => {
    const writeReport = sinon.fake.resolves('reports/run-20250301T120000Z.html');
    const { deps, out } = harness({ writeReport });
    expect(await runCommand(['--count', '2'], deps)).to.equal(EXIT.succeeded);
    const record = writeReport.firstCall.args[0] as ExecutionRecord;
    expect(record).to.include({ source: 'aws', status: 'SUCCEEDED', historyEvents: 39 });
    expect(out.join('\n')).to.match(/Report:\s+reports\/run-20250301T120000Z.html/);
  });

  it('still reports the execution when the HTML report cannot be written', async () => {
    const writeReport = sinon.fake.rejects(new Error('EACCES: permission denied, mkdir reports'));
    const { deps, out } = harness({ writeReport });
    expect(await runCommand(['--json', '--count', '2'], deps)).to.equal(EXIT.succeeded);
    const summary = JSON.parse(out[0]!);
    expect(summary).to.include({ status: 'SUCCEEDED' }).and.not.have.property('report');
    expect(summary.warnings).to.deep.equal(['the HTML report could not be written: EACCES: permission denied, mkdir reports']);
  });

  it('prints the usage for --help and does nothing else', async () => {
    const { deps, out, sfnCommands } = harness();
    expect(await runCommand(['--help'], deps)).to.equal(EXIT.succeeded);
    expect(out.join('\n')).to.contain('Usage:');
    expect((deps.readOutputs as sinon.SinonSpy).called).to.be.false;
    expect(sfnCommands()).to.deep.equal([]);
  });
});

// The AWS run client's start and wait, against the local Step Functions endpoint: real executions
// that run, wait or are stopped, and the clock's backoff between DescribeExecution calls.
import { expect } from 'chai';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand, type StartExecutionInput } from '@aws-sdk/client-sfn';
import {
  consoleLink,
  executionName,
  ExecutionWaitTimeout,
  startExecution,
  systemClock,
  waitForExecution,
  type Clock,
} from '../../aws/execution.ts';
import { rejection } from '../helpers.ts';
import { EXECUTION_ARN, REGION } from './fixtures.ts';
import { startLocalAws, type LocalAws } from './local-aws.ts';

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const waiting = (seconds: number) => ({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: seconds, End: true } } });

/** A clock whose sleeps only move its time forward. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('cli/execution', function () {
  this.timeout(30_000);
  let aws: LocalAws;
  let passArn: string;
  let waitArn: string;

  before(async () => {
    aws = await startLocalAws('aws-execution');
    passArn = await aws.createMachine('pass', PASS);
    waitArn = await aws.createMachine('wait-a-minute', waiting(60));
  });

  beforeEach(() => aws.reset());

  // Stopping the endpoint aborts the executions still waiting.
  after(() => aws.stop());

  it('names executions readably and uniquely, within the API rules', () => {
    const name = executionName(new Date('2025-03-01T12:34:56.789Z'), 'a1b2c3');
    expect(name).to.equal('run-20250301T123456Z-a1b2c3');
    const date = new Date();
    expect(executionName(date)).to.not.equal(executionName(date));
    expect(executionName(date)).to.match(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('starts the execution with its name and the input as JSON', async () => {
    const arn = await startExecution(aws.clients.sfn, passArn, { count: 3 }, 'run-x');
    expect(arn).to.equal(`${passArn.replace(':stateMachine:', ':execution:')}:run-x`);
    const [command] = aws.sent('sfn');
    expect(command).to.be.instanceOf(StartExecutionCommand);
    expect((command as StartExecutionCommand).input as StartExecutionInput).to.deep.equal({
      stateMachineArn: passArn,
      name: 'run-x',
      input: '{"count":3}',
    });
    await aws.finished(arn);
    const described = await aws.clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).to.include({ name: 'run-x', input: '{"count":3}', status: 'SUCCEEDED' });
  });

  it('polls until the execution leaves RUNNING, backing off up to the cap', async () => {
    const executionArn = await startExecution(aws.clients.sfn, waitArn, {}, 'stopped-while-polled');
    const clock = fakeClock();
    // The fifth backoff ends the wait: the execution is stopped, as a user would stop it.
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      await sleep(ms);
      if (clock.slept.length === 5) await aws.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'E' }));
    };
    const execution = await waitForExecution(aws.clients.sfn, executionArn, {
      timeoutMs: 60_000,
      clock,
      firstDelayMs: 1000,
      maxDelayMs: 5000,
    });
    expect(execution).to.include({ status: 'ABORTED', error: 'E' });
    expect(clock.slept).to.deep.equal([1000, 2000, 4000, 5000, 5000]);
  });

  it('gives up at the timeout without stopping the execution, naming its ARN and console page', async () => {
    const executionArn = await startExecution(aws.clients.sfn, waitArn, {}, 'still-waiting');
    aws.reset();
    const clock = fakeClock();
    const error = await rejection(waitForExecution(aws.clients.sfn, executionArn, { timeoutMs: 30_000, clock }));
    expect(error).to.be.instanceOf(ExecutionWaitTimeout);
    expect(error.name).to.equal('ExecutionWaitTimeout');
    expect(error.message).to.contain(executionArn).and.contain(consoleLink(executionArn)).and.contain('not stopped');
    // The last sleep is cut so the final check falls on the deadline.
    expect(clock.slept.reduce((sum, ms) => sum + ms, 0)).to.equal(30_000);
    const sent = aws.sent('sfn').map((command) => command.constructor.name);
    expect(new Set(sent)).to.deep.equal(new Set(['DescribeExecutionCommand']));
    const described = await aws.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).to.equal('RUNNING');
  });

  it('waits on real timers through the system clock', async () => {
    const oneSecond = await aws.createMachine('wait-a-second', waiting(1));
    const executionArn = await startExecution(aws.clients.sfn, oneSecond, {}, 'one-second');
    aws.reset();
    const started = Date.now();
    const execution = await waitForExecution(aws.clients.sfn, executionArn, { timeoutMs: 10_000, clock: systemClock, firstDelayMs: 300, maxDelayMs: 300 });
    expect(execution.status).to.equal('SUCCEEDED');
    // RUNNING while the Wait lasts, polled every 300 ms of real sleep, then SUCCEEDED.
    expect(Date.now() - started).to.be.at.least(1000);
    expect(aws.sent('sfn').length).to.be.within(4, 7);
  });

  it('links to the console page of the execution, in its own region', () => {
    expect(consoleLink(EXECUTION_ARN)).to.equal(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`,
    );
  });
});

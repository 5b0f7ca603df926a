import { expect } from 'chai';
import sinon from 'sinon';
import { StartExecutionCommand, type StartExecutionInput } from '@aws-sdk/client-sfn';
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
import { fakeAws } from './fake-aws.ts';
import { EXECUTION_ARN, REGION, STATE_MACHINE_ARN } from './fixtures.ts';

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

describe('cli/execution', () => {
  afterEach(() => sinon.restore());

  it('names executions readably and uniquely, within the API rules', () => {
    const name = executionName(new Date('2025-03-01T12:34:56.789Z'), 'a1b2c3');
    expect(name).to.equal('run-20250301T123456Z-a1b2c3');
    const date = new Date();
    expect(executionName(date)).to.not.equal(executionName(date));
    expect(executionName(date)).to.match(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('starts the execution with its name and the input as JSON', async () => {
    const aws = fakeAws();
    const arn = await startExecution(aws.clients.sfn, STATE_MACHINE_ARN, { count: 3 }, 'run-x');
    expect(arn).to.equal(EXECUTION_ARN);
    const [command] = aws.sent('sfn');
    expect(command).to.be.instanceOf(StartExecutionCommand);
    expect((command as StartExecutionCommand).input as StartExecutionInput).to.deep.equal({
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'run-x',
      input: '{"count":3}',
    });
  });

  it('polls until the execution leaves RUNNING, backing off up to the cap', async () => {
    const running = { status: 'RUNNING' as const };
    const aws = fakeAws({ describe: [running, running, running, running, running, { status: 'FAILED', error: 'E' }] });
    const clock = fakeClock();
    const execution = await waitForExecution(aws.clients.sfn, EXECUTION_ARN, {
      timeoutMs: 60_000,
      clock,
      firstDelayMs: 1000,
      maxDelayMs: 5000,
    });
    expect(execution.status).to.equal('FAILED');
    expect(clock.slept).to.deep.equal([1000, 2000, 4000, 5000, 5000]);
  });

  it('gives up at the timeout without stopping the execution, naming its ARN and console page', async () => {
    const aws = fakeAws({ describe: [{ status: 'RUNNING' }] });
    const clock = fakeClock();
    const error = await rejection(waitForExecution(aws.clients.sfn, EXECUTION_ARN, { timeoutMs: 30_000, clock }));
    expect(error).to.be.instanceOf(ExecutionWaitTimeout);
    expect(error.name).to.equal('ExecutionWaitTimeout');
    expect(error.message).to.contain(EXECUTION_ARN).and.contain(consoleLink(EXECUTION_ARN)).and.contain('not stopped');
    // The last sleep is cut so the final check falls on the deadline.
    expect(clock.slept.reduce((sum, ms) => sum + ms, 0)).to.equal(30_000);
    const sent = aws.sent('sfn').map((command) => command.constructor.name);
    expect(new Set(sent)).to.deep.equal(new Set(['DescribeExecutionCommand']));
  });

  it('waits on real timers through the system clock', async () => {
    const timers = sinon.useFakeTimers();
    const aws = fakeAws({ describe: [{ status: 'RUNNING' }, { status: 'SUCCEEDED' }] });
    const waiting = waitForExecution(aws.clients.sfn, EXECUTION_ARN, { timeoutMs: 10_000, clock: systemClock });
    await timers.tickAsync(1000);
    expect((await waiting).status).to.equal('SUCCEEDED');
    expect(aws.sent('sfn')).to.have.length(2);
  });

  it('links to the console page of the execution, in its own region', () => {
    expect(consoleLink(EXECUTION_ARN)).to.equal(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`,
    );
  });
});

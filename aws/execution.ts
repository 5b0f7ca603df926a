// Starts an execution and waits for it with bounded backoff, never longer than asked.
import { randomBytes } from 'node:crypto';
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { region as configuredRegion } from '../workflow/settings.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PollOptions {
  timeoutMs: number;
  clock?: Clock;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called after each DescribeExecution that found the execution still running. */
  onPoll?: (elapsedMs: number) => void;
}

export class ExecutionWaitTimeout extends Error {
  override name = 'ExecutionWaitTimeout';

  constructor(
    readonly executionArn: string,
    readonly timeoutMs: number,
  ) {
    super(
      `the execution is still running after ${Math.round(timeoutMs / 1000)} s; it was not stopped.\n` +
        `  arn:     ${executionArn}\n  console: ${consoleLink(executionArn)}`,
    );
  }
}

/** A readable, unique execution name: run-<UTC time>-<random>, within the 80-character limit. */
export function executionName(date: Date, suffix: string = randomBytes(3).toString('hex')): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${suffix}`;
}

export async function startExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  input: unknown,
  name: string,
): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  if (!executionArn) throw new Error(`StartExecution returned no executionArn for ${name}`);
  return executionArn;
}

// PENDING_REDRIVE turns into RUNNING once a redrive starts: neither is an outcome yet.
const UNFINISHED = new Set(['RUNNING', 'PENDING_REDRIVE']);

/** Polls DescribeExecution until the execution ends; throws ExecutionWaitTimeout at the deadline. */
export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  options: PollOptions,
): Promise<DescribeExecutionOutput> {
  const { timeoutMs, clock = systemClock, firstDelayMs = 1000, maxDelayMs = 10_000, onPoll } = options;
  const started = clock.now();
  let delay = firstDelayMs;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (!UNFINISHED.has(execution.status ?? 'RUNNING')) return execution;
    const elapsed = clock.now() - started;
    if (elapsed >= timeoutMs) throw new ExecutionWaitTimeout(executionArn, timeoutMs);
    onPoll?.(elapsed);
    // The last sleep is cut short so the final check happens at the deadline, not after it.
    await clock.sleep(Math.min(delay, timeoutMs - elapsed));
    delay = Math.min(delay * 2, maxDelayMs);
  }
}

/** The execution's page in the Step Functions console (commercial partition), in the region its ARN names. */
export function consoleLink(executionArn: string): string {
  const region = regionOf(executionArn) ?? configuredRegion();
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** arn:<partition>:<service>:<region>:... */
export function regionOf(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

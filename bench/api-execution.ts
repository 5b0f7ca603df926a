// One execution through Step Functions' API, as a client of an endpoint runs it: started, asked
// about until it ends, and timed from its history, in the server's own timestamps (whole
// milliseconds); and the clients that reach such an endpoint, made as the project makes them.
// The benchmarks that run a warm endpoint share it (warm-endpoint.ts, peer.ts).
import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type DescribeExecutionCommandOutput, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClients, type Clients } from '../execution/clients.ts';
import { LOCAL_CREDENTIALS } from '../local/services/emulators.ts';
import { region } from '../workflow/settings.ts';
import { median } from './median.ts';

/** Clients of a local endpoint's Step Functions, DynamoDB and SQS (execution/clients.ts), with the emulators' credentials. */
export const endpointClients = (endpoints: { sfn: string; dynamodb: string; sqs: string }): Clients =>
  createClients({ region: region(), endpoints, credentials: LOCAL_CREDENTIALS });

/** Every client of `clients`. */
export function destroyClients(clients: Clients): void {
  for (const client of [clients.sfn, clients.dynamodb, clients.sqs, clients.s3]) client.destroy();
}

export interface EndedExecution {
  described: DescribeExecutionCommandOutput;
  /** The history's first events, as many as asked for. */
  first: HistoryEvent[];
  /** The history's last event: the execution's end. */
  last: HistoryEvent | undefined;
}

export interface RunOptions {
  /** How often to ask whether it has ended: each answer takes the server's time from the execution. */
  pollMs: number;
  /** How long it may run before `fail` is thrown. */
  deadlineMs: number;
  /** How many of the history's first events to read. */
  firstEvents: number;
  fail: (message: string) => Error;
}

/** Starts an execution of `stateMachineArn` with `input` and waits for its end; its description and the history's ends. */
export async function runToEnd(sfn: SFNClient, stateMachineArn: string, input: string, options: RunOptions): Promise<EndedExecution> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
  const deadline = Date.now() + options.deadlineMs;
  let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (described.status === 'RUNNING') {
    if (Date.now() > deadline) throw options.fail(`the execution still ran after ${options.deadlineMs} ms`);
    await sleep(options.pollMs);
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  // The last event read on its own, in reverse order: a long history is not paged through.
  const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: options.firstEvents }));
  const last = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1, reverseOrder: true }));
  return { described, first: first.events ?? [], last: last.events?.[0] };
}

/** An event's time in ms; NaN for an event or timestamp that is not there. */
export const eventTime = (event: HistoryEvent | undefined): number => event?.timestamp?.getTime() ?? Number.NaN;

/** Milliseconds as a table cell: the median, then the range. */
export const msSpread = (values: number[]): string =>
  `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

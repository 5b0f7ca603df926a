// `make run TARGET=local`: the very client `make run` uses on AWS (aws/run-command.ts), talking
// to the local Step Functions endpoint over AWS's protocol, with the emulators standing in for
// the deployed stack's table, queue and bucket. Same report, same reconciliation, same exit status.
// It wires the offline runtime and the AWS client together, so it lives above both, with the tooling.
import { pathToFileURL } from 'node:url';
import { writeReport } from '../viz/report.ts';
import { createClients } from '../execution/clients.ts';
import { systemClock, type Clock } from '../aws/execution.ts';
import type { StackOutputs } from '../aws/outputs.ts';
import type { ExecutionRecord } from '../execution/execution-record.ts';
import { InvalidArguments, parseRunArgs } from '../aws/args.ts';
import { runCommand, type RunDeps } from '../aws/run-command.ts';
import { selectWorkflow } from '../execution/args.ts';
import type { LocalEnvironment } from '../local/contracts.ts';
import { LOCAL_CREDENTIALS } from '../local/services/emulators.ts';
import { inProcessTransport } from '../local/services/in-process-transport.ts';
import { startLocalEnvironment } from '../local/host/environment.ts';
import { startApiServer } from '../local/api/server.ts';
import { standaloneDescribeCommand } from '../local/api/instructions.ts';

/** The outputs `terraform output` gives on AWS, for the local stack. */
export function localOutputs(env: LocalEnvironment, stateMachineArn: string): StackOutputs {
  const { data, workflow } = env.resources;
  const { reconcile } = workflow;
  return {
    stateMachineArn,
    ...(reconcile ? { tableName: data[reconcile.items]!.name, queueUrl: data[reconcile.deliveries]!.url! } : {}),
  };
}

/**
 * The client's clock, its waits cut to LOCAL_POLL_MS: on AWS it backs off (1 s, 2 s, 4 s …) to
 * spare DescribeExecution's rate quota, which a local endpoint does not have.
 */
export const LOCAL_POLL_MS = 100;
const localClock: Clock = { ...systemClock, sleep: (ms) => systemClock.sleep(Math.min(ms, LOCAL_POLL_MS)) };

/**
 * The run client's dependencies pointed at the local endpoint and the emulators; `writeReport`,
 * when given, is handed each record with the endpoint it ran against (the record the client
 * makes is otherwise an AWS run's, and the report would say it ran on AWS).
 */
export function localRunDeps(
  env: LocalEnvironment,
  endpoint: string,
  stateMachineArn: string,
  writeReport?: RunDeps['writeReport'],
): Pick<RunDeps, 'readOutputs' | 'createClients' | 'clock' | 'watch' | 'writeReport'> {
  return {
    ...(writeReport ? { writeReport: (record: ExecutionRecord) => writeReport({ ...record, endpoint }) } : {}),
    clock: localClock,
    // No console offline; the endpoint answers while the run lasts, and the report remains after it.
    watch: (executionArn) => `while it runs: ${standaloneDescribeCommand(endpoint, executionArn, env.resources.region)}`,
    readOutputs: async () => localOutputs(env, stateMachineArn),
    createClients: (region) => createClients({ region, endpoints: { ...env.endpoints, sfn: endpoint }, credentials: LOCAL_CREDENTIALS, transportFor: inProcessTransport }),
  };
}

/**
 * The workflow the arguments select, which the endpoint registers; arguments the client will
 * refuse (it says why) leave the default.
 */
export function selectedWorkflow(argv: string[]): string | undefined {
  try {
    return selectWorkflow(parseRunArgs(argv).workflow).name;
  } catch (error) {
    if (error instanceof InvalidArguments) return undefined;
    throw error;
  }
}

/** Starts the emulators and the endpoint, runs the AWS client against them, stops both; returns the exit status. */
export async function runAgainstLocalEndpoint(argv: string[], io: Pick<RunDeps, 'out' | 'err' | 'writeReport'>): Promise<number> {
  const workflow = selectedWorkflow(argv);
  const env = await startLocalEnvironment(workflow === undefined ? {} : { workflow });
  try {
    const server = await startApiServer({ env });
    try {
      return await runCommand(argv, { ...io, ...localRunDeps(env, server.endpoint, server.workflowArn, io.writeReport) });
    } finally {
      await server.stop();
    }
  } finally {
    await env.stop();
  }
}

/** Runs the command on the process's arguments, then exits with its status. */
export async function runAsCommand(): Promise<void> {
  const status = await runAgainstLocalEndpoint(process.argv.slice(2), {
    writeReport: (record) => writeReport(record),
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  });
  process.stdout.write('', () => process.exit(status));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAsCommand();
}

// The `make run` flow: read the stack's outputs, start an execution, wait for it, then
// report what it did from its history and the queue. Every dependency is injected.
import type { Clients } from '../execution/clients.ts';
import type { ExecutionRecord } from '../execution/execution-record.ts';
import { region as configuredRegion } from '../workflow/settings.ts';
import { selectWorkflow } from '../execution/args.ts';
import { buildExecutionInput, InvalidMessagesFile, type ReadText } from '../execution/input.ts';
import type { WorkflowSpec } from '../workflow/description.ts';
import { InvalidArguments, parseRunArgs, USAGE } from './args.ts';
import {
  consoleLink,
  executionName,
  ExecutionWaitTimeout,
  regionOf,
  startExecution,
  waitForExecution,
  type Clock,
} from './execution.ts';
import { StackNotDeployed, TerraformMissing, type StackOutputs } from './outputs.ts';
import { formatRecord, summarizeRecord } from './print.ts';
import { inspectQueue, type QueueReport } from './queue-peek.ts';
import { collectExecutionRecord } from './record.ts';

export const EXIT = { succeeded: 0, notSucceeded: 1, badSetup: 2, stillRunning: 3 } as const;

export interface RunDeps {
  readOutputs: (workflow: WorkflowSpec) => Promise<StackOutputs>;
  createClients: (region: string) => Clients;
  clock: Clock;
  readText?: ReadText;
  /**
   * Where to watch the execution while the client waits. Absent on AWS: its console page, printed
   * with the result too. An endpoint that stops with the run has no page that outlasts it: the
   * line is printed at the start only, and the report is what remains.
   */
  watch?: (executionArn: string) => string;
  /** Writes the HTML report of the record and returns its path. */
  writeReport?: (record: ExecutionRecord) => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

const SETUP_ERRORS = [InvalidArguments, InvalidMessagesFile, TerraformMissing, StackNotDeployed];

export async function runCommand(argv: string[], deps: RunDeps): Promise<number> {
  try {
    const options = parseRunArgs(argv);
    if (options.help) {
      deps.out(USAGE);
      return EXIT.succeeded;
    }
    const workflow = selectWorkflow(options.workflow);
    const input = await buildExecutionInput(options, deps.readText);
    const outputs = await deps.readOutputs(workflow);
    // The stack's own region wins over the environment's, which may have changed since deploy.
    const clients = deps.createClients(regionOf(outputs.stateMachineArn) ?? configuredRegion());

    const name = executionName(new Date(deps.clock.now()));
    const executionArn = await startExecution(clients.sfn, outputs.stateMachineArn, input, name);
    if (!options.json) {
      deps.err(`Started ${name} with input ${JSON.stringify(input)}; waiting up to ${options.timeoutSeconds} s`);
      deps.err(`  ${deps.watch ? deps.watch(executionArn) : `console: ${consoleLink(executionArn)}`}`);
    }
    const execution = await waitForExecution(clients.sfn, executionArn, {
      timeoutMs: options.timeoutSeconds * 1000,
      clock: deps.clock,
    });

    const record = await collectExecutionRecord(clients, outputs, workflow, execution, deps.clock.sleep);
    // Only on request: a peek is a receive, and receives move messages toward the dead-letter queue.
    const queue: QueueReport | undefined = options.peek && outputs.queueUrl !== undefined
      ? await inspectQueue(clients.sqs, outputs.queueUrl, new Set(record.seeded.map((item) => item.messageId)))
      : undefined;
    const reportPath = await writeReportOf(record, deps.writeReport);
    const consoleUrl = deps.watch ? undefined : consoleLink(executionArn);
    if (options.json) {
      deps.out(JSON.stringify(summarizeRecord(record, reportPath, queue, consoleUrl)));
    } else {
      deps.out(formatRecord(record, reportPath, queue, consoleUrl));
    }
    return record.status === 'SUCCEEDED' ? EXIT.succeeded : EXIT.notSucceeded;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    deps.err(`${error.name}: ${error.message}`);
    if (error instanceof InvalidArguments) deps.err(USAGE);
    if (error instanceof ExecutionWaitTimeout) return EXIT.stillRunning;
    return SETUP_ERRORS.some((kind) => error instanceof kind) ? EXIT.badSetup : EXIT.notSucceeded;
  }
}

// The execution's outcome matters more than its page: a report that cannot be written becomes a warning.
async function writeReportOf(
  record: ExecutionRecord,
  writeReport: RunDeps['writeReport'],
): Promise<string | undefined> {
  if (!writeReport) return undefined;
  try {
    return await writeReport(record);
  } catch (error) {
    record.warnings.push(`the HTML report could not be written: ${(error as Error).message}`);
    return undefined;
  }
}

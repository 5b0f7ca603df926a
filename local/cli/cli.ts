// `make local` / `npm run local`: runs the workflow offline and prints what AWS would have done.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecutionRecord } from '../../execution/execution-record.ts';
import { InvalidArguments, parseOptions, parseQueueType, selectWorkflow } from '../../execution/args.ts';
import { APP, loopOf, withQueueType } from '../../workflow/app.ts';
import { buildExecutionInput, checkInputDepth, executionInput, expectedItems } from '../../execution/input.ts';
import { exitCodeFor, formatText, toJsonSummary } from '../../execution/report.ts';
import type { FaultSpec, StandInFunction } from '../contracts.ts';
import { writeHistoryFile } from './history-file.ts';
import { parseFault } from '../bridge/index.ts';
import { runTaskTokens } from '../api/callback-server.ts';
import { childLines, childSummaries } from './nested.ts';
import { createProgressLine, interruptedLine, shouldShowProgress, type ProgressStream } from './progress.ts';
import { RunInterrupted } from './run-guard.ts';
import { startReportWriter, type ReportWriter } from './report-writer.ts';
import { runLocal, type LocalRunOptions } from '../run.ts';
import { parseS3Data } from '../services/s3-data.ts';
import { parseUserMessaging } from '../services/user-messaging.ts';
import { loadMockConfig } from '../host/mock-config.ts';
import { ROOT } from '../root.ts';

/** Set to 1, it turns the HTML report off as --no-report does: for callers that pass only a fixed set of options. */
export const NO_REPORT_ENV = 'NO_HTML_REPORT';

export const USAGE = `Usage: make local [ITEMS=N] [MESSAGES_FILE=FILE] [ARGS="options"]
   or: node dist/local-cli.mjs [--count N | --messages-file FILE | --input JSON] [options]

Runs a workflow offline (transfer-records by default): the deployed ASL file, executed on
embedded DynamoDB and SQS emulators, with the Lambda bundles from dist/ and the stack's IAM policies.

  --workflow NAME           the workflow to run, as workflow/app.ts names it (make local WORKFLOW=NAME)
  --queue TYPE              standard (default) or fifo: the queue and its dead-letter queue
                            as FIFO queues, deduplicated by MessageId (make local QUEUE=fifo)
  --count N                 seed N generated items (default: the seed function's 10)
  --messages-file FILE      seed the bodies listed in FILE, a JSON array of strings
  --input JSON              use JSON as the raw execution input, e.g. '{"count": 0}'
  --definition FILE         run another ASL template; its placeholders are filled the same way
  --fault SPEC              service:action:ErrorName:times, e.g.
                            dynamodb:getItem:DynamoDB.ProvisionedThroughputExceededException:2
                            makes the first 'times' matching calls fail (repeatable);
                            'throttled' for ErrorName fails them as AWS reports throttling,
                            e.g. dynamodb:batchGetItem:throttled:5; services: dynamodb,
                            lambda, sqs, s3 (a Map's ItemReader getObject, ResultWriter putObject;
                            aws-sdk:s3 actions), sns, events
                            sqs:sendMessageBatch:failed-entries:N: the calls succeed, and
                            the first N entries come back in Failed (Id, SenderFault,
                            Code InternalError, Message) instead of reaching the queue
                            sqs:sendMessage:lost-answer:N (or sendMessageBatch): the first
                            N calls reach the queue, then fail as a lost answer does
                            (SQS.SdkClientException), so Retry sends them again
  --no-quota-fail           only warn when AWS's quotas (25,000 history events, 256 KiB
                            payloads) are crossed, instead of failing the run as AWS would
  --fast-retries            retry at once instead of waiting the ASL's Retry intervals
  --lambda NAME=MODULE      run MODULE's handler(event, context) for the function NAME (a name
                            or an ARN) that a Task invokes; the role may invoke it (repeatable);
                            one no Task invoked is named in the run's warnings
  --s3-bucket NAME          create the bucket NAME on the S3 emulator before the run (repeatable)
  --s3-object B/KEY=FILE    put FILE's bytes in bucket B (created too) under KEY (repeatable);
                            a --definition run's role may read, list and write these buckets
  --sns-topic NAME[=QUEUE[:raw]]
                            create the SNS topic NAME (FIFO if it ends in .fifo) and subscribe
                            the queue QUEUE (created if missing; :raw for raw delivery) to it
                            (repeatable); a --definition run's role may publish to it
  --event-rule QUEUE=PATTERN
                            a rule on the default event bus sending the events that match
                            PATTERN (an EventBridge event pattern, JSON) to the queue QUEUE
                            (repeatable); events:putEvents is recorded with or without rules
  --mock-config FILE        a mock configuration file of Step Functions Local (MockConfigFile.json)
  --test-case NAME          run under its test case NAME (or STATEMACHINE#NAME): its Task states
                            answer from the file, by invocation, and call nothing
  --history FILE            write the execution's events to FILE, as GetExecutionHistory
                            returns them: {"events": [...]}
  --json                    print one JSON object instead of the text report
  --no-report               write no HTML report under reports/ (also when the environment
                            has ${NO_REPORT_ENV}=1, which make conformance sets)
  --keep                    leave the emulators running, with a local Step Functions
                            endpoint (as make serve), and print how to reach them;
                            Ctrl-C stops them
  -h, --help                show this help

Exit status: 0 succeeded with nothing missing, 1 otherwise, 2 bad usage or a refused definition,
130 interrupted (Ctrl-C).`;

/** Exit status of a run stopped by Ctrl-C, as a shell reports SIGINT. */
export const INTERRUPTED_STATUS = 130;

const OPTIONS = {
  workflow: { type: 'string' },
  queue: { type: 'string' },
  count: { type: 'string' },
  'messages-file': { type: 'string' },
  input: { type: 'string' },
  definition: { type: 'string' },
  fault: { type: 'string', multiple: true },
  lambda: { type: 'string', multiple: true },
  's3-bucket': { type: 'string', multiple: true },
  's3-object': { type: 'string', multiple: true },
  'sns-topic': { type: 'string', multiple: true },
  'event-rule': { type: 'string', multiple: true },
  history: { type: 'string' },
  'mock-config': { type: 'string' },
  'test-case': { type: 'string' },
  'no-quota-fail': { type: 'boolean', default: false },
  'fast-retries': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'no-report': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface CliOptions {
  run: LocalRunOptions;
  json: boolean;
  help: boolean;
  /** Whether to write the HTML report. */
  report: boolean;
  /** Where to write the execution's history. */
  historyPath?: string;
}

export async function parseCliArgs(argv: string[], environment: NodeJS.ProcessEnv = process.env): Promise<CliOptions> {
  const values = parseOptions(argv, OPTIONS);
  const inputs = ['count', 'messages-file', 'input'].filter((name) => values[name as keyof typeof values] !== undefined);
  if (inputs.length > 1) throw new InvalidArguments(`--${inputs.join(' and --')} cannot be given together`);

  const run: LocalRunOptions = {
    faults: (values.fault ?? []).map((spec): FaultSpec => parseFault(spec)),
    quotaFail: !values['no-quota-fail'],
    fastRetries: values['fast-retries'],
    keep: values.keep,
    functions: (values.lambda ?? []).map(parseStandIn),
  };
  const s3Data = parseS3Data(values['s3-bucket'], values['s3-object']);
  if (s3Data !== undefined) run.s3Data = s3Data;
  const messaging = parseUserMessaging(values['sns-topic'], values['event-rule']);
  if (messaging !== undefined) run.messaging = messaging;
  run.workflow = selectWorkflow(values.workflow).name;
  if (values.queue !== undefined) run.app = withQueueType(APP, parseQueueType(values.queue));
  if (values.definition !== undefined) run.definitionPath = values.definition;
  if ((values['mock-config'] === undefined) !== (values['test-case'] === undefined)) {
    throw new InvalidArguments('--mock-config and --test-case go together: the file, and the test case of it to run');
  }
  if (values['mock-config'] !== undefined) run.mock = { config: await loadMockConfig(values['mock-config']), testCase: values['test-case']! };
  // Out-of-range counts go through: the seed function rejects them, as it would on AWS.
  if (values.count !== undefined) {
    if (!/^-?\d+$/.test(values.count.trim())) {
      throw new InvalidArguments(`--count must be an integer, got "${values.count}"`);
    }
    run.count = Number(values.count);
  }
  if (values['messages-file'] !== undefined) {
    const input = await buildExecutionInput({ messagesFile: values['messages-file'] });
    if ('messages' in input) run.messages = input.messages;
  }
  if (values.input !== undefined) {
    try {
      run.input = JSON.parse(values.input);
    } catch (error) {
      throw new InvalidArguments(`--input is not valid JSON: ${(error as Error).message}`);
    }
    checkInputDepth(run.input, '--input');
  }
  return {
    run,
    json: values.json,
    help: values.help,
    report: !values['no-report'] && environment[NO_REPORT_ENV] !== '1',
    ...(values.history === undefined ? {} : { historyPath: historyPath(values.history) }),
  };
}

/** `--history FILE`: its folder must exist and be writable, so a run is not lost to a typo once it is over. */
function historyPath(given: string): string {
  const path = resolve(given);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InvalidArguments(`--history ${given}: the folder ${folder} does not exist`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new InvalidArguments(`--history ${given}: the folder ${folder} is not writable`);
  }
  return path;
}



/** `--lambda NAME=MODULE`: the module must exist; its path is made absolute here. */
function parseStandIn(spec: string): StandInFunction {
  const at = spec.indexOf('=');
  const [nameOrArn, module] = [spec.slice(0, at).trim(), spec.slice(at + 1).trim()];
  if (at < 1 || module === '') throw new InvalidArguments(`--lambda "${spec}" must be NAME=MODULE, e.g. my-function=./handler.mjs`);
  const modulePath = resolve(module);
  if (!existsSync(modulePath)) throw new InvalidArguments(`--lambda ${nameOrArn}: module ${modulePath} does not exist`);
  return { nameOrArn, modulePath };
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** Resolves when the user asks the kept emulators to stop. */
  untilStopped: () => Promise<void>;
  /** A signal aborted when the user interrupts the run (Ctrl-C), until disposed; the process's signals by default. */
  interrupts?: () => { signal: AbortSignal; dispose(): void };
  /** Writes the execution's HTML report and returns its path. */
  writeReport: (record: ExecutionRecord) => Promise<string>;
  /**
   * Called before a run that writes a report, so that the writer can get ready while the run goes
   * on; disposed when the command ends, with or without a report.
   */
  prepareReport?: () => { dispose(): void };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const untilSignal = () =>
  new Promise<void>((resolve) => {
    for (const signal of STOP_SIGNALS) process.once(signal, resolve);
  });

function signalInterrupts(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const signal of STOP_SIGNALS) process.on(signal, abort);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, abort);
    },
  };
}

/** The repository's reports/ folder. */
export const REPORTS_DIR = join(ROOT, 'reports');

/** A path as short as it reads: relative to the working folder when inside it. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const shown = relative(cwd, path);
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/**
 * The process's own streams and signals. The report is written on a thread of its own, started
 * when the command knows it will write one (report-writer.ts): the page's renderer (Graphviz in
 * WebAssembly) loads and warms up there during the run, and not at all for a run without a report.
 */
function processIo(): CliIo {
  let prepared: ReportWriter | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    untilStopped: untilSignal,
    interrupts: signalInterrupts,
    prepareReport: () => {
      const writer = (prepared ??= startReportWriter(REPORTS_DIR));
      return {
        dispose: () => {
          if (prepared !== writer) return;
          prepared = undefined;
          void writer.close();
        },
      };
    },
    // One page a command: the thread ends once it is written.
    writeReport: async (record) => {
      const writer = prepared ?? startReportWriter(REPORTS_DIR);
      prepared = undefined;
      try {
        return displayPath(await writer.write(record));
      } finally {
        void writer.close();
      }
    },
  };
}

// Errors that refuse the request before the run: the user's to fix, shown without a stack.
const REFUSALS = new Set([
  'InvalidArguments',
  'InvalidMessagesFile',
  'InvalidExecutionInput',
  'InvalidInput',
  'InvalidFaultSpec',
  'DefinitionError',
  'UnsupportedFeature',
  'UnsupportedResource',
  'MissingBundle',
  'UnsupportedRuntime',
  'InvalidApplication',
  'UnsupportedResourceKind',
  'InvalidRegion',
  'InvalidBucketName',
  'InvalidMockConfig',
  'UnknownTestCase',
]);

/** The offline runtime uses Node 22's APIs (Promise.withResolvers); on an older Node it would fail mid-run. */
export class UnsupportedRuntime extends Error {
  override name = 'UnsupportedRuntime';
}

/** Where the Makefile installs Node 22 when the node on PATH is older (NODE_TOOLS there). */
const NODE22_BIN = '.tools/node22/node_modules/.bin';

export function requireNode22(version: string = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major < 22) {
    throw new UnsupportedRuntime(
      `the offline runtime needs Node 22 or later; this is Node ${version}. ` +
        `make local ARGS="…" runs it with Node 22 (installed into ${NODE22_BIN} when missing), ` +
        `or run ${NODE22_BIN}/node dist/local-cli.mjs …`,
    );
  }
}

/** Runs the command; returns the exit status. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await command(argv, io);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`${name}: ${message}\n`);
    // A caller reading stdout as JSON gets an object for a refusal too, with the error's name.
    if (argv.includes('--json')) io.stdout.write(`${JSON.stringify({ error: name, cause: message })}\n`);
    if (REFUSALS.has(name)) return 2;
    if (process.env.DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

async function command(argv: string[], io: CliIo): Promise<number> {
  const options = await parseCliArgs(argv);
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  requireNode22();
  const report = options.report ? io.prepareReport?.() : undefined;
  try {
    return await runCommand(options, io);
  } finally {
    report?.dispose();
  }
}

async function runCommand(options: CliOptions, io: CliIo): Promise<number> {
  const total = expectedItems(executionInput(options.run), loopOf(selectWorkflow(options.run.workflow)));
  const progress = shouldShowProgress({ stream: io.stderr, json: options.json, total })
    ? createProgressLine(io.stderr, total)
    : undefined;
  let delivered = 0;
  const onProgress = (p: { delivered: number }) => {
    delivered = p.delivered;
    progress?.update(p.delivered);
  };
  const interrupts = (io.interrupts ?? signalInterrupts)();
  // A Task that waits for a task token prints it, with an endpoint up to answer it until the run ends.
  const callbacks = runTaskTokens((text) => io.stderr.write(text));
  let result;
  try {
    result = await runLocal({ ...options.run, onProgress, signal: interrupts.signal, taskTokens: callbacks.tokens });
  } catch (error) {
    if (!(error instanceof RunInterrupted)) throw error;
  } finally {
    progress?.done();
    interrupts.dispose();
    await callbacks.stop();
  }
  if (!result) {
    io.stderr.write(interruptedLine(io.stderr, delivered, total));
    return INTERRUPTED_STATUS;
  }
  const { record, env } = result;
  // A history that cannot be written after all (the disk filled up, say) fails the command, naming the option.
  const historyWritten = options.historyPath === undefined || (await historyFile(options.historyPath, result.history, io));
  const report = options.report ? await htmlReport(record, io) : undefined;
  const children = result.children ?? [];
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...toJsonSummary(record), ...(report ? { report } : {}), ...(children.length > 0 ? { children: childSummaries(children) } : {}) })}\n`);
  } else {
    io.stdout.write(`${formatText(record)}\n${childLines(children)}${report ? `\nReport: ${report}\n` : ''}`);
  }
  if (env) {
    // The kept emulators come with the local Step Functions endpoint, as `make serve` starts them;
    // it loads only for such a run.
    const [{ startApiServer }, { serveInstructions }] = await Promise.all([import('../api/server.ts'), import('../api/instructions.ts')]);
    const server = await startApiServer({ env });
    io.stderr.write(serveInstructions(env, server));
    await io.untilStopped();
    await server.stop();
    await env.stop();
  }
  return historyWritten ? exitCodeFor(record) : Math.max(exitCodeFor(record), 1);
}

async function historyFile(path: string, history: Parameters<typeof writeHistoryFile>[1], io: CliIo): Promise<boolean> {
  try {
    await writeHistoryFile(path, history);
    return true;
  } catch (error) {
    io.stderr.write(`HistoryNotWritten: --history ${path}: ${(error as Error).message}\n`);
    return false;
  }
}

/** Writes the HTML page of the execution; one that cannot be written costs a warning, not the run's result. */
async function htmlReport(record: ExecutionRecord, io: CliIo): Promise<string | undefined> {
  try {
    return await io.writeReport(record);
  } catch (error) {
    io.stderr.write(`warning: the HTML report could not be written: ${(error as Error).message}\n`);
    return undefined;
  }
}

/**
 * Ends the process with the run's status once stdout is flushed, without waiting for what a
 * failed run may have left scheduled (a third-party engine's timers, say).
 */
export async function runAsCommand(): Promise<void> {
  const status = await main(process.argv.slice(2));
  process.stdout.write('', () => process.exit(status));
}

// Not awaited at the top level: a module that awaits there cannot be require()d, and the test
// runner would load this file, and all it imports, a second time as an ES module. main() catches
// every error itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAsCommand();
}

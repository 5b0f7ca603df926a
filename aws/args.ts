// Command-line options of `make run` (aws/run.ts).
import { InvalidArguments, parseOptions } from '../execution/args.ts';
import { reconcileTarget } from '../execution/reconcile.ts';
import { APP, DEFAULT_WORKFLOW, findWorkflow } from '../workflow/app.ts';

export { InvalidArguments };

export const DEFAULT_TIMEOUT_SECONDS = 900;

export interface RunOptions {
  workflow?: string;
  count?: number;
  messagesFile?: string;
  json: boolean;
  timeoutSeconds: number;
  /** Also peek at the queue; each peek counts as a receive toward the redrive policy. */
  peek: boolean;
  help: boolean;
}

/** Receives before the default workflow's queue moves a message to its dead-letter queue, when it has one. */
const maxReceiveCount = reconcileTarget(APP, findWorkflow(APP, DEFAULT_WORKFLOW))?.queue.redrive?.maxReceiveCount;
const redrive = maxReceiveCount === undefined
  ? 'counts toward the queue\'s redrive policy (maxReceiveCount), if it has one: a message received that many times moves to\n                        the dead-letter queue at its next receive'
  : `counts toward the queue's redrive policy (maxReceiveCount ${maxReceiveCount} here): a message\n                        received ${maxReceiveCount} times moves to the dead-letter queue at its next receive`;

export const USAGE = `Usage: npx tsx aws/run.ts [--workflow NAME] [--count N | --messages-file FILE] [--json] [--timeout SECONDS] [--peek]

Starts an execution of a deployed workflow's state machine (transfer-records by default), waits for it, then
prints the states it went through and reconciles what it seeded with what it sent to the
queue, both read from its execution history: the queue itself is not read.

  --workflow NAME       the workflow to run, as workflow/app.ts names it
  --count N             seed N generated items (default: the seed function's 10)
  --messages-file FILE  seed the bodies listed in FILE, a JSON array of strings
  --json                print the execution summary as one JSON object
  --timeout SECONDS     stop waiting after this long (default ${DEFAULT_TIMEOUT_SECONDS}); the execution keeps running
  --peek                also show what the queue holds now (off by default). SQS has no true peek:
                        each peek receives every message once and puts it back, and that receive
                        ${redrive}

Exit status: 0 succeeded, 1 the execution did not succeed, 2 bad arguments or no deployed
stack, 3 still running when the wait timed out.`;

export function parseRunArgs(argv: string[]): RunOptions {
  const values = parseOptions(argv, {
    workflow: { type: 'string' },
    count: { type: 'string' },
    'messages-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string' },
    peek: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.count !== undefined && values['messages-file'] !== undefined) {
    throw new InvalidArguments('--count and --messages-file cannot be given together');
  }
  const options: RunOptions = {
    json: values.json,
    peek: values.peek,
    help: values.help,
    timeoutSeconds:
      values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : positiveInteger('--timeout', values.timeout),
  };
  // The count's upper bound is the seed function's rule; the workflow rejects it with InvalidInput.
  if (values.workflow !== undefined) options.workflow = values.workflow;
  if (values.count !== undefined) options.count = positiveInteger('--count', values.count);
  if (values['messages-file'] !== undefined) {
    if (values['messages-file'] === '') throw new InvalidArguments('--messages-file needs a file path');
    options.messagesFile = values['messages-file'];
  }
  return options;
}

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new InvalidArguments(`${flag} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

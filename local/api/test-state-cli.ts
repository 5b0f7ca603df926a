// `make test-state STATE="…" INPUT='{…}' [MOCK='{…}'] [CONTEXT='{…}']`: TestState on a state of
// one of the project's workflows without a server: the emulators start (an unmocked Task calls
// them, under the state machine's role), the state runs once, and each step of its data flow is
// printed. It exits 0 whenever TestState answered, whatever the status (a RETRIABLE or FAILED
// state is an answer, not a failure of the command), unless --fail-on-error (FAIL=1) asks for 1
// on RETRIABLE and FAILED.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nestingMessage, stateNames, tooDeep } from '../../engine/index.ts';
import { InvalidArguments, parseOptions, selectWorkflow } from '../../execution/args.ts';
import { APP } from '../../workflow/app.ts';
import { loadDefinition, previewVars } from '../definition.ts';
import { ROOT } from '../root.ts';
import { startLocalEnvironment } from '../host/environment.ts';
import { ApiError } from './errors.ts';
import { startApiServer } from './server.ts';
import { testStateOperation } from './test-state.ts';

export const USAGE = `Usage: make test-state STATE="state name" [INPUT='{…}'] [MOCK='{…}'] [CONTEXT='{…}'] [RETRIES=n] [INSPECTION=DEBUG] [WORKFLOW=name] [FAIL=1] [ARGS=--json]
   or: node --import tsx local/api/test-state-cli.ts --state NAME [--input JSON] [--mock JSON] [--context JSON] [--retries N] [--inspection LEVEL] [--workflow NAME] [--fail-on-error] [--json]

Runs one state of a workflow (transfer-records by default) as Step Functions' TestState does.
  --mock JSON        {"result": …} or {"errorOutput": {"error": "…", "cause": "…"}}; any other JSON is the result
  --context JSON     the context object the state sees ($$, $states.context), as TestState's context field;
                     by default one of a new execution of the workflow on INPUT
  --retries N        retries its Retry already made (stateConfiguration.retrierRetryCount)
  --inspection L     INFO, DEBUG (the default here) or TRACE
  --workflow NAME    the workflow whose state it is, as workflow/app.ts names it
  --fail-on-error    exit 1 when the state is RETRIABLE or FAILED (by default any answer exits 0)
  --json             print TestState's response as AWS returns it`;

export class InvalidTestStateArguments extends Error {
  override name = 'InvalidTestStateArguments';
}

/** The exit status of an answered TestState: 0, or with failOnError 1 for RETRIABLE and FAILED. */
export function exitStatus(status: unknown, failOnError: boolean): number {
  return failOnError && status !== 'SUCCEEDED' && status !== 'CAUGHT_ERROR' ? 1 : 0;
}

/** STATE must name a state of the definition (nested states included); the error lists them. */
export function checkStateName(definition: unknown, state: string, workflow: string): void {
  const names = stateNames(definition);
  if (!names.includes(state)) {
    throw new InvalidTestStateArguments(`STATE "${state}" is not a state of ${workflow}; its states are: ${names.map((name) => `"${name}"`).join(', ')}`);
  }
}

/** The mock as TestState takes it: its result as JSON text. */
export function mockOf(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidTestStateArguments(`MOCK is not JSON: ${(error as Error).message}`);
  }
  // Before it is written again as text, which JSON that deep would overflow.
  if (tooDeep(value)) throw new InvalidTestStateArguments(`MOCK: ${nestingMessage('the JSON')}`);
  const shaped = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (shaped && 'errorOutput' in shaped) return { errorOutput: shaped.errorOutput };
  const result = shaped && 'result' in shaped ? shaped.result : value;
  return { result: typeof result === 'string' ? result : JSON.stringify(result) };
}

const STEPS: [string, string][] = [
  ['input', 'input'],
  ['afterInputPath', 'after InputPath'],
  ['afterArguments', 'after Arguments'],
  ['afterParameters', 'after Parameters'],
  ['afterItemsPath', 'after ItemsPath'],
  ['afterItemSelector', 'after ItemSelector'],
  ['maxConcurrency', 'MaxConcurrency'],
  ['toleratedFailureCount', 'ToleratedFailureCount'],
  ['toleratedFailurePercentage', 'ToleratedFailure%'],
  ['result', 'result'],
  ['afterResultSelector', 'after ResultSelector'],
  ['afterResultPath', 'after ResultPath'],
  ['variables', 'variables'],
];

export function formatTestState(state: string, response: Record<string, unknown>): string {
  const lines = [`State "${state}": ${String(response.status)}`];
  const data = (response.inspectionData ?? {}) as Record<string, unknown>;
  for (const [key, label] of STEPS) if (data[key] !== undefined) lines.push(`  ${label.padEnd(22)}${String(data[key])}`);
  if (response.error !== undefined) lines.push(`  ${'error'.padEnd(22)}${String(response.error)}: ${String(response.cause ?? '')}`);
  const details = data.errorDetails as Record<string, number> | undefined;
  if (details?.retryIndex !== undefined) {
    const when = details.retryBackoffIntervalSeconds === undefined ? 'its retries spent' : `after ${details.retryBackoffIntervalSeconds} s`;
    lines.push(`  ${'retry'.padEnd(22)}Retry[${details.retryIndex}] ${when}`);
  }
  if (details?.catchIndex !== undefined) lines.push(`  ${'caught'.padEnd(22)}Catch[${details.catchIndex}]`);
  if (response.output !== undefined) lines.push(`  ${'output'.padEnd(22)}${String(response.output)}`);
  lines.push(`  ${'next state'.padEnd(22)}${response.nextState === undefined ? '(none)' : String(response.nextState)}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseOptions(argv, {
      state: { type: 'string' },
      input: { type: 'string' },
      mock: { type: 'string' },
      context: { type: 'string' },
      retries: { type: 'string' },
      inspection: { type: 'string' },
      workflow: { type: 'string' },
      'fail-on-error': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    });
  } catch (error) {
    if (error instanceof InvalidArguments) throw new InvalidTestStateArguments(`${error.message}\n${USAGE}`);
    throw error;
  }
  if (!values.state) throw new InvalidTestStateArguments(`STATE is required\n${USAGE}`);
  if (values.retries !== undefined && !/^\d+$/.test(values.retries)) throw new InvalidTestStateArguments(`RETRIES must be a whole number, got "${values.retries}"`);
  const workflow = selectWorkflow(values.workflow);
  // A state the workflow does not have is refused before any emulator starts.
  const template = await loadDefinition(join(ROOT, workflow.definition), previewVars(APP, workflow));
  checkStateName(template.preview, values.state, workflow.name);
  const env = await startLocalEnvironment({ workflow: workflow.name });
  try {
    const server = await startApiServer({ env });
    try {
      const machine = server.machines.get(server.workflowArn);
      const response = await testStateOperation(
        {
          definition: machine.definition,
          stateName: values.state,
          roleArn: machine.roleArn,
          input: values.input ?? '{}',
          inspectionLevel: values.inspection ?? 'DEBUG',
          ...(values.mock === undefined || values.mock === '' ? {} : { mock: mockOf(values.mock) }),
          ...(values.context === undefined || values.context === '' ? {} : { context: values.context }),
          ...(values.retries === undefined ? {} : { stateConfiguration: { retrierRetryCount: Number(values.retries) } }),
        },
        { machines: server.machines },
      );
      process.stdout.write(`${values.json ? JSON.stringify(response) : formatTestState(values.state, response)}\n`);
      return exitStatus(response.status, values['fail-on-error']);
    } finally {
      await server.stop();
    }
  } finally {
    await env.stop();
  }
}

/** Runs the command on the process's arguments and sets its exit status; every failure is one named line. */
export async function runAsCommand(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    const { name, message } = error as Error;
    process.stderr.write(`${error instanceof ApiError ? error.code : name}: ${message}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAsCommand();
}

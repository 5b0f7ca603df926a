// `make test-state STATE="…" INPUT='{…}' [MOCK='{…}']`: TestState on a state of the project's
// workflow without a server: the emulators start (an unmocked Task calls them, under the state
// machine's role), the state runs once, and each step of its data flow is printed.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { nestingMessage, tooDeep } from '../../engine/index.ts';
import { startLocalEnvironment } from '../environment.ts';
import { ApiError } from './errors.ts';
import { startApiServer } from './server.ts';
import { testStateOperation } from './test-state.ts';

export const USAGE = `Usage: make test-state STATE="state name" [INPUT='{…}'] [MOCK='{…}'] [RETRIES=n] [INSPECTION=DEBUG] [ARGS=--json]
   or: node --import tsx local/api/test-state-cli.ts --state NAME [--input JSON] [--mock JSON] [--retries N] [--inspection LEVEL] [--json]

Runs one state of the transfer-records workflow as Step Functions' TestState does.
  --mock JSON        {"result": …} or {"errorOutput": {"error": "…", "cause": "…"}}; any other JSON is the result
  --retries N        retries its Retry already made (stateConfiguration.retrierRetryCount)
  --inspection L     INFO, DEBUG (the default here) or TRACE
  --json             print TestState's response as AWS returns it`;

export class InvalidTestStateArguments extends Error {
  override name = 'InvalidTestStateArguments';
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
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      state: { type: 'string' },
      input: { type: 'string' },
      mock: { type: 'string' },
      retries: { type: 'string' },
      inspection: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.state) throw new InvalidTestStateArguments(`STATE is required\n${USAGE}`);
  if (values.retries !== undefined && !/^\d+$/.test(values.retries)) throw new InvalidTestStateArguments(`RETRIES must be a whole number, got "${values.retries}"`);
  const env = await startLocalEnvironment();
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
          ...(values.retries === undefined ? {} : { stateConfiguration: { retrierRetryCount: Number(values.retries) } }),
        },
        { machines: server.machines },
      );
      process.stdout.write(`${values.json ? JSON.stringify(response) : formatTestState(values.state, response)}\n`);
      return response.status === 'SUCCEEDED' || response.status === 'CAUGHT_ERROR' ? 0 : 1;
    } finally {
      await server.stop();
    }
  } finally {
    await env.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    const { name, message } = error as Error;
    process.stderr.write(`${error instanceof ApiError ? error.code : name}: ${message}\n`);
    process.exitCode = 2;
  }
}

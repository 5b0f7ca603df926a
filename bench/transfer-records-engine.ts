// The transfer-records workflow on the engine alone: the deployed ASL file with in-memory
// services as the dispatcher (no emulator, no SDK, no IAM), the loop `make local` runs against
// the emulators. The engine test runs it; bench/local.ts times it beside the offline run.
// `npx tsx bench/transfer-records-engine.ts [--count N] [--rounds R]` runs it R times in one
// process (after one warm-up run) and prints the median and lowest wall and CPU time per run;
// with --cold, once after a one-item run, printing {count, ms} (bench/engine-cold.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_ITEMS } from '../functions/seed/limits.ts';
import { runExecution, type Dispatcher, type ExecutionContext, type ExecutionResult, type TaskCall } from '../engine/index.ts';
import { APP, resolveAttribute } from '../workflow/app.ts';
import { renderTemplate } from '../workflow/template.ts';
import { TRANSFER_RECORDS } from '../workflow/transfer-records.ts';

const template = readFileSync(new URL(`../${TRANSFER_RECORDS.definition}`, import.meta.url), 'utf8');

/** The definition with a stand-in for every resource, on a Standard queue (the in-memory one). */
export const definition: unknown = JSON.parse(
  renderTemplate(
    template,
    Object.fromEntries(
      Object.entries(TRANSFER_RECORDS.placeholders).map(([name, attribute]) => {
        const standIn = () => `stand-in-${name}`;
        return [name, resolveAttribute(APP, attribute, { resource: standIn, function: standIn, workflow: standIn })];
      }),
    ),
  ),
);

export const context: ExecutionContext = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:transfer-records:engine-alone',
  executionName: 'engine-alone',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:transfer-records',
  stateMachineName: 'transfer-records',
  roleArn: 'arn:aws:iam::123456789012:role/transfer-records',
  startTime: new Date('2024-01-01T00:00:00Z'),
};

export interface InMemoryServices {
  dispatch: Dispatcher;
  /** Message bodies in the order they were sent. */
  sent: string[];
}

/** The seed function (returning `count` ids), GetItem and SendMessage, answered from memory. */
export function inMemoryServices(count: number): InMemoryServices {
  const ids = Array.from({ length: count }, (_, i) => `id-${i}`);
  const sent: string[] = [];
  const dispatch: Dispatcher = async (call: TaskCall) => {
    const parameters = call.parameters as { Key?: { MessageId: { S: string } }; MessageBody?: string };
    if (call.resource === 'arn:aws:states:::lambda:invoke') return { StatusCode: 200, Payload: [...ids, 'DONE'] };
    if (call.resource === 'arn:aws:states:::dynamodb:getItem') {
      const id = parameters.Key!.MessageId.S;
      return { Item: { MessageId: { S: id }, Message: { S: `message ${id}` } } };
    }
    if (call.resource === 'arn:aws:states:::sqs:sendMessage') {
      sent.push(parameters.MessageBody!);
      return { MessageId: `m-${sent.length}` };
    }
    throw new Error(`unexpected resource ${call.resource}`);
  };
  return { dispatch, sent };
}

export interface EngineAloneRun {
  result: ExecutionResult;
  sent: string[];
  ms: number;
}

/** One execution of the loop over `count` items, timed. */
export async function runEngineAlone(count: number): Promise<EngineAloneRun> {
  const { dispatch, sent } = inMemoryServices(count);
  const started = performance.now();
  const result = await runExecution(definition, { count }, context, { dispatch });
  return { result, sent, ms: performance.now() - started };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: String(MAX_ITEMS) }, rounds: { type: 'string', default: '15' }, cold: { type: 'boolean', default: false } },
  });
  const count = Number(values.count);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--count and --rounds take whole numbers');
  if (values.cold) {
    // The code as a fresh process first runs it (bench/engine-cold.ts): after one run of one item,
    // as the offline run's loop follows its seed, the one run of `count`.
    await runEngineAlone(1);
    const { result, sent, ms } = await runEngineAlone(count);
    if (result.status !== 'SUCCEEDED' || sent.length !== count) throw new Error(`the engine alone ended ${result.status} with ${sent.length} of ${count} sent`);
    console.log(JSON.stringify({ count, ms }));
    return;
  }
  await runEngineAlone(count);
  const wall: number[] = [];
  const cpu: number[] = [];
  let events = 0;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    const { result, sent, ms } = await runEngineAlone(count);
    const used = process.cpuUsage(before);
    if (result.status !== 'SUCCEEDED' || sent.length !== count) throw new Error(`the engine alone ended ${result.status} with ${sent.length} of ${count} sent`);
    wall.push(ms);
    cpu.push((used.user + used.system) / 1000);
    events = result.history.length;
  }
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`${count} items, ${events} events, ${rounds} runs: wall median ${ms(median(wall))} (lowest ${ms(Math.min(...wall))}), CPU median ${ms(median(cpu))} (lowest ${ms(Math.min(...cpu))})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// The classic loop side by side on this project's warm endpoint and on a peer: another local AWS
// emulator that answers Step Functions, DynamoDB and SQS on one URL, as LocalStack-style emulators
// do, started by whoever runs this. Both run the same definition: the deployed ASL's loop
// (asl/transfer-records.asl.json from the state after its seed; this script writes the records with
// BatchWriteItem), in its deployed form when a three-item trial on the peer succeeds with the
// deployed output, else, on both, in a form that reads the list by index (loopDefinition). After
// WARMUP uncounted executions of the largest size on each (V8 compiles this project's code with its
// optimizing tiers only after it has run often; --warmup 0 measures a server just started), the
// sizes take turns, round after round, the two endpoints in turn; each execution's loop is timed in
// its own server's history, from the first state's entry to the last event, so that a peer's own
// delay before an execution's first state (or its polling) is not counted.
// `npx tsx bench/peer.ts --peer URL [--count 10,50,100,500,1000] [--rounds 5] [--warmup 2]`; not
// part of make bench, which has no peer to run.
import { BatchWriteItemCommand, CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Clients } from '../execution/clients.ts';
import { MAX_ITEMS } from '../functions/seed/limits.ts';
import { arns, OFFLINE_SCOPE } from '../workflow/arns.ts';
import { resourceName, workflowNames } from '../workflow/names.ts';
import { namePrefix } from '../workflow/settings.ts';
import { renderTemplate } from '../workflow/template.ts';
import { LOOP, QUEUE, TABLE, TRANSFER_RECORDS } from '../workflow/transfer-records.ts';
import { destroyClients, endpointClients, eventTime, msSpread, runToEnd } from './api-execution.ts';
import { median } from './median.ts';
import { startServe, stopServe } from './serve-process.ts';
import { figuresTable } from './table.ts';
import { peerLine } from './targets.ts';

const ASL = fileURLToPath(new URL('../asl/transfer-records.asl.json', import.meta.url));
const WARMUP = 2;
const ROUNDS = 5;
const COUNTS = [10, 50, 100, 500, 1000];
// Each answer of DescribeExecution takes the server's time from the execution: asked seldom.
const POLL_MS = 50;
const EXECUTION_DEADLINE_MS = 120_000;
const BATCH = 25;

export class PeerBenchFailed extends Error {
  override name = 'PeerBenchFailed';
}

export type LoopForm = 'deployed' | 'indexed';

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/**
 * The deployed loop without its seed: it starts at the seed's Next, and the states only the seed
 * reaches (its Catch's) are left out. `indexed` keeps the list whole and reads its items by a
 * counter (`States.ArrayGetItem($.List, $.Index)`), counting down `$.Count` to zero: the same
 * states, calls and history events a record, for a peer that cannot cut `$.List[1:]`.
 */
export function loopDefinition(form: LoopForm, values: { tableName: string; queueUrl: string }): Definition {
  const text = renderTemplate(readFileSync(ASL, 'utf8'), {
    Partition: OFFLINE_SCOPE.partition,
    SeedFunctionArn: arns.lambdaFunction(OFFLINE_SCOPE, 'unused'),
    TableName: values.tableName,
    QueueUrl: values.queueUrl,
    FifoSendParameters: '',
  });
  const definition = JSON.parse(text) as Definition;
  const seed = definition.States[definition.StartAt]!;
  for (const handler of (seed.Catch as { Next: string }[] | undefined) ?? []) delete definition.States[handler.Next];
  delete definition.States[definition.StartAt];
  definition.StartAt = seed.Next as string;
  if (form === 'deployed') return definition;
  const item = `${LOOP.listPath}[0]`;
  const byIndex = `States.ArrayGetItem(${LOOP.listPath}, $.Index)`;
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Choice') {
      state.Choices = [{ Variable: '$.Count', NumericGreaterThan: 0, Next: (state.Choices as { Next: string }[])[0]!.Next }];
    } else if (state.Type === 'Pass') {
      state.Parameters = { 'List.$': LOOP.listPath, 'Index.$': 'States.MathAdd($.Index, 1)', 'Count.$': 'States.MathAdd($.Count, -1)' };
    } else if (state.Type === 'Task') {
      definition.States[name] = JSON.parse(JSON.stringify(state).replaceAll(JSON.stringify(item), JSON.stringify(byIndex))) as Record<string, unknown>;
    }
  }
  return definition;
}

/** The execution's input for `ids` in each form. */
export function loopInput(form: LoopForm, ids: string[]): string {
  return JSON.stringify(form === 'deployed' ? { List: [...ids, LOOP.sentinel] } : { List: ids, Index: 0, Count: ids.length });
}

export interface Side extends Clients {
  name: string;
  tableName: string;
  queueUrl: string;
  roleArn: string;
}

/** The stack's table, queue and state machine role, by the names it deploys them under; both sides use them. */
function stackNames() {
  const prefix = namePrefix();
  return {
    tableName: resourceName(prefix, TABLE),
    queueName: resourceName(prefix, QUEUE),
    roleArn: arns.role(OFFLINE_SCOPE, workflowNames(prefix, TRANSFER_RECORDS).role),
  };
}

/** The stack's table and queue on the peer, made unless they are there, with the peer's clients. */
async function provisionPeer(clients: Clients): Promise<Side> {
  const { tableName, queueName, roleArn } = stackNames();
  try {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: TABLE.hashKey, KeyType: 'HASH' }],
        AttributeDefinitions: TABLE.attributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  return { name: 'peer', ...clients, tableName, queueUrl: QueueUrl!, roleArn };
}

/** The warm endpoint's own table and queue, and the stack's role, which may read the one and send to the other. */
export async function ourSide(serve: { url: string; dynamodb: string; sqs: string }): Promise<Side> {
  const clients = endpointClients({ sfn: serve.url, dynamodb: serve.dynamodb, sqs: serve.sqs });
  const { tableName, queueName, roleArn } = stackNames();
  const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  return { name: 'this project', ...clients, tableName, queueUrl: QueueUrl!, roleArn };
}

export async function writeRecords(side: Side, ids: string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += BATCH) {
    const requests = ids.slice(start, start + BATCH).map((id) => ({
      PutRequest: { Item: { [TABLE.hashKey]: { S: id }, [TABLE.messageAttribute]: { S: `record ${id}` } } },
    }));
    let unprocessed: Record<string, typeof requests> | undefined = { [side.tableName]: requests };
    while (unprocessed && Object.keys(unprocessed).length > 0) {
      ({ UnprocessedItems: unprocessed } = (await side.dynamodb.send(new BatchWriteItemCommand({ RequestItems: unprocessed }))) as {
        UnprocessedItems?: Record<string, typeof requests>;
      });
    }
  }
}

export async function createMachine(side: Side, form: LoopForm): Promise<string> {
  const definition = JSON.stringify(loopDefinition(form, side));
  const name = `peer-bench-${form}-${randomUUID().slice(0, 8)}`;
  const { stateMachineArn } = await side.sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: side.roleArn }));
  return stateMachineArn!;
}

/** One execution over `ids`; its status, output and loop time (first state entered to last event). */
export async function runLoop(side: Side, machine: string, form: LoopForm, ids: string[]) {
  const { described, first, last } = await runToEnd(side.sfn, machine, loopInput(form, ids), {
    pollMs: POLL_MS,
    deadlineMs: EXECUTION_DEADLINE_MS,
    firstEvents: 2,
    fail: (message) => new PeerBenchFailed(`${side.name}, ${ids.length} item(s): ${message}`),
  });
  const { status, output, error, cause } = described;
  return { status, output, error, cause, loopMs: eventTime(last) - eventTime(first[1]) };
}

export interface PeerFigures {
  form: LoopForm;
  /** Why the deployed form did not run on the peer, when it did not. */
  deployedOnPeer?: string;
  /** Uncounted executions of the largest size on each side before the rounds. */
  warmup: number;
  sizes: { count: number; ours: number[]; peer: number[] }[];
}

const idsOf = (count: number) => Array.from({ length: count }, (_, index) => `peer-bench-${String(index).padStart(5, '0')}`);

/** The deployed form when the peer runs it as this project does, else the indexed one (with the reason). */
async function chooseForm(ours: Side, peer: Side): Promise<Pick<PeerFigures, 'form' | 'deployedOnPeer'>> {
  const ids = idsOf(3);
  const [expected, got] = await Promise.all(
    [ours, peer].map(async (side) => runLoop(side, await createMachine(side, 'deployed'), 'deployed', ids)),
  );
  if (got!.status === expected!.status && got!.output === expected!.output) return { form: 'deployed' };
  const said =
    got!.status === expected!.status
      ? `output ${got!.output}, where this project's is ${expected!.output}`
      : `status ${got!.status}${got!.error === undefined ? '' : ` (${got!.error}: ${got!.cause ?? ''})`}`;
  return { form: 'indexed', deployedOnPeer: `the deployed form on three items ended with ${said}` };
}

export async function measurePeer(peerUrl: string, counts: number[], rounds: number, warmup: number = WARMUP): Promise<PeerFigures> {
  const serve = await startServe();
  const peerClients = endpointClients({ sfn: peerUrl, dynamodb: peerUrl, sqs: peerUrl });
  let ours: Side | undefined;
  try {
    ours = await ourSide(serve);
    const peer = await provisionPeer(peerClients).catch((error: unknown) => {
      throw new PeerBenchFailed(`the peer at ${peerUrl} did not make its table and queue: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    });
    const largest = idsOf(Math.max(...counts));
    await Promise.all([writeRecords(ours, largest), writeRecords(peer, largest)]);
    const chosen = await chooseForm(ours, peer);
    const machines = new Map<Side, string>();
    for (const side of [ours, peer]) machines.set(side, await createMachine(side, chosen.form));
    const run = async (side: Side, ids: string[]) => {
      const result = await runLoop(side, machines.get(side)!, chosen.form, ids);
      if (result.status !== 'SUCCEEDED') throw new PeerBenchFailed(`${side.name}: the execution of ${ids.length} item(s) ended ${result.status}`);
      // A history without its first or last event's timestamp (no reverseOrder, say) times nothing.
      if (!Number.isFinite(result.loopMs)) throw new PeerBenchFailed(`${side.name}: the history of ${ids.length} item(s) gave no first state's entry and last event to time the loop by`);
      return result.loopMs;
    };
    for (let index = 0; index < warmup; index++) for (const side of [ours, peer]) await run(side, largest);
    const sizes = counts.map((count) => ({ count, ours: [] as number[], peer: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      for (const size of sizes) {
        const ids = idsOf(size.count);
        // Which side goes first alternates, so that neither always follows the other's run.
        const order = round % 2 === 0 ? [ours, peer] : [peer, ours];
        for (const side of order) (side === ours ? size.ours : size.peer).push(await run(side, ids));
      }
    }
    return { ...chosen, warmup, sizes };
  } finally {
    destroyClients(peerClients);
    if (ours) destroyClients(ours);
    await stopServe(serve.child);
  }
}

export function peerTable(figures: PeerFigures, peerUrl: string): string[] {
  const rounds = figures.sizes[0]?.ours.length ?? 0;
  const form =
    figures.form === 'deployed'
      ? 'the deployed loop'
      : `the loop read by index on both (${figures.deployedOnPeer ?? 'the deployed form did not run on the peer'})`;
  const rows = figures.sizes.map(({ count, ours, peer }) => [
    count.toLocaleString('en-US'),
    msSpread(ours),
    msSpread(peer),
    `${(median(peer) / median(ours)).toFixed(1)}×`,
  ]);
  return [
    `Beside a peer (bench/peer.ts, ${peerUrl}): ${form}; this project's warm endpoint (make serve's command) and the peer in turn, ` +
      `${figures.warmup} uncounted execution(s) of ${Math.max(...figures.sizes.map(({ count }) => count)).toLocaleString('en-US')} records each, then ${rounds === 1 ? 'one round' : `${rounds} rounds`}. Loop: first state entered to last event, in each server's history.`,
    ...figuresTable(['N', 'this project, loop', 'peer, loop', 'peer ÷ this project'], rows),
    '',
    peerLine(figures.sizes),
  ];
}

/** `--peer URL [--count 10,50,100,500,1000] [--rounds 5] [--warmup 2]`; PeerBenchFailed for anything else. */
export function peerArgs(args: string[]): { peer: string; counts: number[]; rounds: number; warmup: number } {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { peer: { type: 'string' }, count: { type: 'string' }, rounds: { type: 'string' }, warmup: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new PeerBenchFailed((error as Error).message);
  }
  if (values.peer === undefined || !URL.canParse(values.peer)) throw new PeerBenchFailed(`--peer takes the peer's URL (http://localhost:4566, say); got "${values.peer ?? ''}"`);
  const counts = values.count === undefined ? COUNTS : values.count.split(',').map((count) => (/^\d+$/.test(count.trim()) ? Number(count) : Number.NaN));
  const rounds = values.rounds === undefined ? ROUNDS : /^\d+$/.test(values.rounds) ? Number(values.rounds) : Number.NaN;
  const warmup = values.warmup === undefined ? WARMUP : /^\d+$/.test(values.warmup) ? Number(values.warmup) : Number.NaN;
  if (counts.some((count) => !(count >= 1 && count <= MAX_ITEMS)) || !(rounds >= 1) || !(warmup >= 0)) {
    throw new PeerBenchFailed(
      `--count takes whole numbers 1-${MAX_ITEMS} separated by commas, --rounds a whole number from 1, --warmup one from 0; ` +
        `got --count "${values.count ?? ''}" --rounds "${values.rounds ?? ''}" --warmup "${values.warmup ?? ''}"`,
    );
  }
  return { peer: values.peer, counts, rounds, warmup };
}

async function main(): Promise<void> {
  const { peer, counts, rounds, warmup } = peerArgs(process.argv.slice(2));
  console.log(peerTable(await measurePeer(peer, counts, rounds, warmup), peer).join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}

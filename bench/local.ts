// `npm run bench:local`: wall time and peak RSS of the offline run for N = 10, 1,000 and the maximum
// items, each beside the same N GetItem + N SendMessage calls made directly with the SDK against
// the same emulators, so that the engine's overhead shows as a ratio. Every child process has a
// deadline; the benchmark stops on its own.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { BATCH_SIZE, MAX_ITEMS } from '../functions/seed/limits.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { startLocalEnvironment } from '../local/environment.ts';
import type { JsonSummary } from '../execution/report.ts';
import { createClients } from '../workflow/clients.ts';
import { MESSAGE_ID_ATTRIBUTE } from '../workflow/queue.ts';
import { TABLE } from '../workflow/transfer-records.ts';
import { LOCAL_CLI } from '../scripts/build.ts';

const SIZES = [10, 1000, MAX_ITEMS];
const CHILD_DEADLINE_MS = 120_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Loaded into every Node process of the run: reports its own peak RSS (kB on Linux) at exit.
const RSS_HOOK =
  'data:text/javascript,process.on(%22exit%22,()=>process.stderr.write(%22%5Cnbench-maxrss-kb=%22+process.resourceUsage().maxRSS+%22%5Cn%22))';

interface EndToEnd {
  wallMs: number;
  peakRssMb: number;
  summary: JsonSummary;
}

/** Runs `make local`'s command (the CLI bundle `make build` writes) with --json, Node's start included. */
function endToEnd(count: number): Promise<EndToEnd> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [LOCAL_CLI.outfile, '--json', '--count', String(count)], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${RSS_HOOK}`.trim() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      const wallMs = performance.now() - started;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (signal || !line) {
        reject(new Error(`local run of ${count} item(s) ended with ${signal ?? `exit ${code}`}: ${stderr.trim()}`));
        return;
      }
      const rss = [...stderr.matchAll(/bench-maxrss-kb=(\d+)/g)].map((match) => Number(match[1]));
      resolve({ wallMs, peakRssMb: Math.max(0, ...rss) / 1024, summary: JSON.parse(line) as JsonSummary });
    });
  });
}

/** The workflow's service calls without the engine: N sequential GetItem + SendMessage pairs. */
async function directCalls(count: number): Promise<number> {
  const env = await startLocalEnvironment();
  const { region, names, queueUrl } = env.resources;
  const clients = createClients({ region, endpoints: env.endpoints, credentials: LOCAL_CREDENTIALS });
  try {
    const ids = Array.from({ length: count }, (_, index) => `bench-${String(index + 1).padStart(4, '0')}`);
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      await clients.dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [names.table]: ids.slice(start, start + BATCH_SIZE).map((id) => ({
              PutRequest: { Item: { [TABLE.hashKey]: { S: id }, [TABLE.messageAttribute]: { S: `Message ${id}` } } },
            })),
          },
        }),
      );
    }
    const started = performance.now();
    for (const id of ids) {
      const { Item } = await clients.dynamodb.send(
        new GetItemCommand({ TableName: names.table, Key: { [TABLE.hashKey]: { S: id } }, ConsistentRead: true }),
      );
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: Item?.[TABLE.messageAttribute]?.S ?? '',
          MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } },
        }),
      );
    }
    return performance.now() - started;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await env.stop();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const count of SIZES) {
    const run = await endToEnd(count);
    const direct = await directCalls(count);
    const { summary } = run;
    if (summary.status !== 'SUCCEEDED' || summary.delivered !== count) {
      throw new Error(`the run of ${count} item(s) ended ${summary.status} with ${summary.delivered} delivered`);
    }
    rows.push([
      count.toLocaleString('en-US'),
      seconds(run.wallMs),
      seconds(summary.durationMs),
      `${run.peakRssMb.toFixed(0)} MB`,
      seconds(direct),
      `${(summary.durationMs / direct).toFixed(1)}×`,
      summary.historyEvents.toLocaleString('en-US'),
    ]);
    console.error(`N = ${count}: done`);
  }
  const header = ['N', 'wall', 'execution', 'peak RSS', 'direct SDK', 'ratio', 'history events'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => `${'-'.repeat(width + 1)}:`).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(
    '\nwall: the whole `make local` run after the build (Node start, emulators, run, queue peek, report) with --json.' +
      '\nexecution: the state machine execution alone; direct SDK: the same N GetItem + N SendMessage calls, in sequence,' +
      '\nwithout the engine; ratio: execution / direct SDK.',
  );
}

await main();

// The local endpoint's memory over many executions: starts the emulators and the endpoint in
// this process, runs N small executions (default 10,000) through the SDK, CONCURRENCY at a time,
// and prints RSS and heap after every tenth of them. With the endpoint keeping only the latest
// finished executions (DEFAULT_RETAINED_EXECUTIONS, or --retain), RSS levels off once the bound
// is reached instead of growing with N. Figures, not a test: other processes share the machine.
//   npx tsx bench/endpoint-retention.ts [--executions=10000] [--retain=1000]
import { CreateStateMachineCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseArgs } from 'node:util';
import { DEFAULT_RETAINED_EXECUTIONS } from '../local/api/executions.ts';
import { startApiServer } from '../local/api/server.ts';
import { LOCAL_CREDENTIALS } from '../local/services/emulators.ts';
import { roleArn } from '../local/services/iam.ts';
import { startLocalEnvironment } from '../local/host/environment.ts';
import { createClients } from '../execution/clients.ts';

const CONCURRENCY = 20;

// A few states, an inline Map over ten items and a 1 KiB payload: about 50 history events each.
const DEFINITION = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'items.$': '$.items', 'note.$': '$.note' }, Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'value.$': '$' }, End: true } } },
      ResultPath: '$.results',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});
const INPUT = JSON.stringify({ items: Array.from({ length: 10 }, (_, index) => index), note: 'x'.repeat(1024) });

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { executions: { type: 'string', default: '10000' }, retain: { type: 'string' } } });
  const total = Number(values.executions);
  const retained = values.retain === undefined ? DEFAULT_RETAINED_EXECUTIONS : Number(values.retain);
  const env = await startLocalEnvironment({ prefix: 'bench-retain' });
  const server = await startApiServer({ env, retainedExecutions: retained });
  const { sfn } = createClients({ region: env.resources.region, endpoints: { sfn: server.endpoint }, credentials: LOCAL_CREDENTIALS });
  try {
    const role = roleArn(env.resources.accountId, env.resources.stateMachines[env.resources.workflow.name]!.role);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'bench-small', definition: DEFINITION, roleArn: role }));
    process.stdout.write(`${total} executions, ${CONCURRENCY} at a time, the endpoint keeping the latest ${retained} finished\n`);
    process.stdout.write('executions      RSS MB   heap MB   kept\n');
    const report = (done: number) => {
      const { rss, heapUsed } = process.memoryUsage();
      process.stdout.write(`${String(done).padStart(10)}  ${mb(rss).padStart(8)}  ${mb(heapUsed).padStart(8)}  ${String(server.executions.all().length).padStart(5)}\n`);
    };
    report(0);
    const step = Math.max(1, Math.floor(total / 10));
    let started = 0;
    let done = 0;
    const worker = async () => {
      while (started < total) {
        started++;
        await runOne(sfn, server, stateMachineArn!);
        done++;
        if (done % step === 0) report(done);
      }
    };
    const began = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stdout.write(`${total} executions in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  } finally {
    sfn.destroy();
    await server.stop();
    await env.stop();
  }
}

async function runOne(sfn: SFNClient, server: Awaited<ReturnType<typeof startApiServer>>, stateMachineArn: string): Promise<void> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: INPUT }));
  const execution = server.executions.get(executionArn!);
  await execution.done;
  if (execution.status !== 'SUCCEEDED') throw new Error(`${executionArn} ended ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`);
}

await main();

// Assembles the ExecutionRecord of a finished execution on AWS: its description, its whole
// history, the items it seeded (read back from the table) and the messages its history says
// it sent. A workflow that sends from a distributed Map's children (whose EXPRESS executions
// keep no history) is reconciled from its Map Run instead (aws/map-run-record.ts). The queue
// itself is not read: every ReceiveMessage counts toward the redrive policy.
import {
  DescribeStateMachineForExecutionCommand,
  type DescribeExecutionOutput,
} from '@aws-sdk/client-sfn';
import { foldHistory, parsePayload } from '../execution/history.ts';
import type { Clients } from '../execution/clients.ts';
import { reconcileBy, reconcileTarget, type Reconcilers } from '../execution/reconcile.ts';
import { APP } from '../workflow/app.ts';
import type { Application, WorkflowSpec } from '../workflow/description.ts';
import { reconcile, type ExecutionRecord, type ExecutionStatus } from '../execution/execution-record.ts';
import { deliveriesFromHistory } from './deliveries.ts';
import { collectMapRunParts, type MapRunRecordParts } from './map-run-record.ts';
import { fetchHistory, seededIds } from './history.ts';
import type { StackOutputs } from './outputs.ts';
import { readSeededItems } from './seeded.ts';

const OUTCOMES: ReadonlySet<string> = new Set<ExecutionStatus>(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

type RecordParts = Omit<MapRunRecordParts, 'mapRuns'> & Partial<Pick<MapRunRecordParts, 'mapRuns'>>;

const notReconciled = (): RecordParts => ({ seeded: [], delivered: [], reconciliation: reconcile([], []), warnings: [] });

interface ReconcileContext {
  clients: Clients;
  outputs: StackOutputs;
  execution: DescribeExecutionOutput;
  events: Awaited<ReturnType<typeof fetchHistory>>;
  definition: unknown;
  /** The table's key attribute, from the description. */
  keyAttribute: string;
  sleep: (ms: number) => Promise<void>;
}

/**
 * On AWS, one strategy per kind. A loop: the items it seeded (its list, read back from the table)
 * against the messages its history says it sent. A distributed Map, whose EXPRESS children keep no
 * history: its Map Run's results (aws/map-run-record.ts).
 */
const RECONCILERS: Reconcilers<ReconcileContext, RecordParts> = {
  loop: async ({ loop, bodyAttribute }, { clients, outputs, events, keyAttribute, sleep }) => {
    if (outputs.tableName === undefined || outputs.queueUrl === undefined) return notReconciled();
    const { delivered, warnings } = deliveriesFromHistory(events, outputs.queueUrl);
    const seeded = await readSeededItems(clients.dynamodb, outputs.tableName, { keyAttribute, bodyAttribute }, seededIds(events, loop), sleep);
    if (seeded.unread.length > 0) warnings.push(`${seeded.unread.length} seeded item(s) could not be read back from ${outputs.tableName}`);
    return { seeded: seeded.items, delivered, reconciliation: reconcile(seeded.items, delivered), warnings };
  },
  'map-run': ({ keyField, sentField, bodyAttribute }, { clients, outputs, execution, events, definition, keyAttribute, sleep }) =>
    collectMapRunParts(clients, {
      executionArn: execution.executionArn!,
      events,
      definition,
      output: parsePayload(execution.output),
      fields: { keyField, sentField },
      ...(outputs.tableName === undefined ? {} : { table: { name: outputs.tableName, keyAttribute, bodyAttribute } }),
      sleep,
    }),
};

export async function collectExecutionRecord(
  clients: Clients,
  outputs: StackOutputs,
  workflow: WorkflowSpec,
  execution: DescribeExecutionOutput,
  sleep: (ms: number) => Promise<void>,
  app: Application = APP,
): Promise<ExecutionRecord> {
  const { executionArn, status, startDate } = execution;
  if (!executionArn || !startDate || !status || !OUTCOMES.has(status)) {
    throw new Error(`expected a finished execution, got status ${status ?? 'none'} for ${executionArn ?? 'no ARN'}`);
  }
  const events = await fetchHistory(clients.sfn, executionArn);
  const history = foldHistory(events);
  const { definition: text } = await clients.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  const definition: unknown = text === undefined ? undefined : JSON.parse(text);
  const target = reconcileTarget(app, workflow);
  const parts = target === undefined
    ? notReconciled()
    : await reconcileBy(RECONCILERS, target.reconcile, { clients, outputs, execution, events, definition, keyAttribute: target.keyAttribute, sleep });
  return finish(outputs, execution, definition, history, parts);
}

function finish(
  outputs: StackOutputs,
  execution: DescribeExecutionOutput,
  definition: unknown,
  history: ReturnType<typeof foldHistory>,
  parts: RecordParts,
): ExecutionRecord {
  const startDate = execution.startDate!;
  const record: ExecutionRecord = {
    source: 'aws',
    executionArn: execution.executionArn!,
    stateMachineArn: execution.stateMachineArn ?? outputs.stateMachineArn,
    definition,
    status: execution.status as ExecutionStatus,
    input: parsePayload(execution.input),
    startedAt: startDate.toISOString(),
    durationMs: (execution.stopDate ?? startDate).getTime() - startDate.getTime(),
    historyEvents: history.historyEvents,
    maxPayloadBytes: history.maxPayloadBytes,
    stateTransitions: history.stateTransitions,
    states: history.states,
    seeded: parts.seeded,
    delivered: parts.delivered,
    reconciliation: parts.reconciliation,
    ...(parts.mapRuns === undefined ? {} : { mapRuns: parts.mapRuns }),
    warnings: [...history.warnings, ...parts.warnings],
  };
  if (execution.output !== undefined) record.output = parsePayload(execution.output);
  if (execution.error !== undefined) record.error = execution.error;
  if (execution.cause !== undefined) record.cause = execution.cause;
  if (history.failedState !== undefined) record.failedState = history.failedState;
  if (history.maxPayloadState !== undefined) record.maxPayloadState = history.maxPayloadState;
  return record;
}


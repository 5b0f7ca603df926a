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
import type { WorkflowSpec } from '../workflow/description.ts';
import { reconcile, type ExecutionRecord, type ExecutionStatus } from '../execution/execution-record.ts';
import { deliveriesFromHistory } from './deliveries.ts';
import { collectMapRunParts, type MapRunRecordParts } from './map-run-record.ts';
import { fetchHistory, seededIds } from './history.ts';
import type { StackOutputs } from './outputs.ts';
import { readSeededItems } from './seeded.ts';

const OUTCOMES: ReadonlySet<string> = new Set<ExecutionStatus>(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export async function collectExecutionRecord(
  clients: Clients,
  outputs: StackOutputs,
  workflow: WorkflowSpec,
  execution: DescribeExecutionOutput,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecutionRecord> {
  const { executionArn, status, startDate } = execution;
  if (!executionArn || !startDate || !status || !OUTCOMES.has(status)) {
    throw new Error(`expected a finished execution, got status ${status ?? 'none'} for ${executionArn ?? 'no ARN'}`);
  }
  const events = await fetchHistory(clients.sfn, executionArn);
  const history = foldHistory(events);
  const { definition: text } = await clients.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  const definition: unknown = text === undefined ? undefined : JSON.parse(text);
  if (workflow.loop === undefined && workflow.reconciles !== undefined) {
    const parts = await collectMapRunParts(clients, {
      executionArn,
      events,
      definition,
      output: parsePayload(execution.output),
      ...(outputs.tableName === undefined ? {} : { table: { name: outputs.tableName, bodyAttribute: workflow.reconciles.bodyAttribute } }),
      sleep,
    });
    return finish(outputs, execution, definition, history, parts);
  }
  // A workflow with a loop is reconciled: the items it seeded against the messages its history says it sent.
  const { loop } = workflow;
  const reconciled = loop !== undefined && outputs.tableName !== undefined && outputs.queueUrl !== undefined;
  const { delivered, warnings: deliveryWarnings } = reconciled
    ? deliveriesFromHistory(events, outputs.queueUrl!)
    : { delivered: [], warnings: [] };
  const seeded = reconciled
    ? await readSeededItems(clients.dynamodb, outputs.tableName!, loop!, seededIds(events, loop!), sleep)
    : { items: [], unread: [] };

  const warnings = [...deliveryWarnings];
  if (seeded.unread.length > 0) {
    warnings.push(`${seeded.unread.length} seeded item(s) could not be read back from ${outputs.tableName}`);
  }
  return finish(outputs, execution, definition, history, {
    seeded: seeded.items,
    delivered,
    reconciliation: reconcile(seeded.items, delivered),
    warnings,
  });
}

function finish(
  outputs: StackOutputs,
  execution: DescribeExecutionOutput,
  definition: unknown,
  history: ReturnType<typeof foldHistory>,
  parts: Omit<MapRunRecordParts, 'mapRuns'> & Partial<Pick<MapRunRecordParts, 'mapRuns'>>,
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


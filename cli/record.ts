// Assembles the ExecutionRecord of a finished execution on AWS: its description, its whole
// history, the items it seeded (read back from the table) and what its queue now holds.
import {
  DescribeStateMachineForExecutionCommand,
  type DescribeExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { Clients } from '../workflow/clients.ts';
import { reconcile, type ExecutionRecord, type ExecutionStatus } from '../workflow/execution-record.ts';
import { peekMessages } from '../workflow/queue.ts';
import { fetchHistory, parsePayload, summarizeHistory } from './history.ts';
import type { StackOutputs } from './outputs.ts';
import { readSeededItems } from './seeded.ts';

const OUTCOMES: ReadonlySet<string> = new Set<ExecutionStatus>(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export async function collectExecutionRecord(
  clients: Clients,
  outputs: StackOutputs,
  execution: DescribeExecutionOutput,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecutionRecord> {
  const { executionArn, status, startDate } = execution;
  if (!executionArn || !startDate || !status || !OUTCOMES.has(status)) {
    throw new Error(`expected a finished execution, got status ${status ?? 'none'} for ${executionArn ?? 'no ARN'}`);
  }
  const history = summarizeHistory(await fetchHistory(clients.sfn, executionArn));
  const { definition } = await clients.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  const seeded = await readSeededItems(clients.dynamodb, outputs.tableName, history.seededIds, sleep);
  const queued = await peekMessages(clients.sqs, outputs.queueUrl);

  // The queue may still hold messages from earlier executions: reconcile this one's only.
  const ids = new Set(history.seededIds);
  const delivered = queued.filter((message) => message.messageId !== undefined && ids.has(message.messageId));
  const warnings = [...history.warnings];
  if (seeded.unread.length > 0) {
    warnings.push(`${seeded.unread.length} seeded item(s) could not be read back from ${outputs.tableName}`);
  }
  if (queued.length > delivered.length) {
    warnings.push(`the queue also holds ${queued.length - delivered.length} message(s) from other executions`);
  }

  const record: ExecutionRecord = {
    source: 'aws',
    executionArn,
    stateMachineArn: execution.stateMachineArn ?? outputs.stateMachineArn,
    definition: definition === undefined ? undefined : JSON.parse(definition),
    status: status as ExecutionStatus,
    input: parsePayload(execution.input),
    startedAt: startDate.toISOString(),
    durationMs: (execution.stopDate ?? startDate).getTime() - startDate.getTime(),
    historyEvents: history.historyEvents,
    maxPayloadBytes: history.maxPayloadBytes,
    stateTransitions: history.stateTransitions,
    states: history.states,
    seeded: seeded.items,
    delivered,
    reconciliation: reconcile(seeded.items, delivered),
    warnings,
  };
  if (execution.output !== undefined) record.output = parsePayload(execution.output);
  if (execution.error !== undefined) record.error = execution.error;
  if (execution.cause !== undefined) record.cause = execution.cause;
  if (history.failedState !== undefined) record.failedState = history.failedState;
  if (history.maxPayloadState !== undefined) record.maxPayloadState = history.maxPayloadState;
  return record;
}


// What `make run` prints: a short text report for people, or one JSON object with --json.
import { QUOTAS, type ExecutionRecord } from '../workflow/execution-record.ts';
import { consoleLink } from './execution.ts';

const SHOWN_MESSAGES = 5;
const SHOWN_CHARS = 200;

export interface RunSummary {
  source: ExecutionRecord['source'];
  executionArn: string;
  consoleUrl: string;
  stateMachineArn: string;
  status: ExecutionRecord['status'];
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  failedState?: string;
  startedAt: string;
  durationMs: number;
  historyEvents: number;
  maxPayloadBytes: number;
  maxPayloadState?: string;
  stateTransitions: number;
  states: Record<string, { entered: number; ms: number }>;
  seeded: number;
  delivered: number;
  reconciliation: ExecutionRecord['reconciliation'];
  warnings: string[];
  report?: string;
}

/** The record without its bulky parts (definition, samples, item lists). */
export function summarizeRecord(record: ExecutionRecord, reportPath?: string): RunSummary {
  const { definition: _definition, states, seeded, delivered, ...rest } = record;
  return {
    ...rest,
    consoleUrl: consoleLink(record.executionArn),
    states: Object.fromEntries(
      Object.entries(states).map(([name, state]) => [name, { entered: state.entered, ms: state.ms }]),
    ),
    seeded: seeded.length,
    delivered: delivered.length,
    ...(reportPath === undefined ? {} : { report: reportPath }),
  };
}

export function formatRecord(record: ExecutionRecord): string {
  const name = record.executionArn.split(':').pop();
  const lines = [
    `Execution ${name}: ${record.status} in ${seconds(record.durationMs)}`,
    `  arn      ${record.executionArn}`,
    `  console  ${consoleLink(record.executionArn)}`,
    `  input    ${clip(JSON.stringify(record.input))}`,
  ];
  if (record.output !== undefined) lines.push(`  output   ${clip(JSON.stringify(record.output))}`);
  if (record.error !== undefined || record.cause !== undefined) {
    lines.push(`  error    ${record.error ?? '(none)'}: ${clip(record.cause ?? '')}`);
  }
  if (record.failedState !== undefined) lines.push(`  failed in state "${record.failedState}"`);

  const states = Object.entries(record.states);
  const width = Math.max(0, ...states.map(([state]) => state.length));
  lines.push('', `States (${record.stateTransitions} transitions):`);
  for (const [state, summary] of states) {
    const mark = state === record.failedState ? '  <- failed' : '';
    lines.push(`  ${state.padEnd(width)}  ${String(summary.entered).padStart(5)} ×  ${seconds(summary.ms).padStart(9)}${mark}`);
  }
  lines.push(
    `History: ${record.historyEvents} events of ${QUOTAS.historyEvents.toLocaleString('en-US')}; ` +
      `largest payload ${kib(record.maxPayloadBytes)} of ${kib(QUOTAS.payloadBytes)}` +
      (record.maxPayloadState ? ` (${record.maxPayloadState})` : ''),
  );

  const { reconciliation } = record;
  lines.push('', `Queue: ${record.delivered.length} message(s) from this execution, peeked without being consumed`);
  for (const message of record.delivered.slice(0, SHOWN_MESSAGES)) {
    lines.push(`  ${message.messageId ?? '(no MessageId)'}  ${clip(JSON.stringify(message.body))}`);
  }
  if (record.delivered.length > SHOWN_MESSAGES) lines.push(`  … and ${record.delivered.length - SHOWN_MESSAGES} more`);
  lines.push(
    `Reconciliation: ${reconciliation.items} seeded, ${reconciliation.delivered} delivered, ` +
      `${listed(reconciliation.missing)} missing, ${listed(reconciliation.duplicates)} duplicated`,
  );
  if (record.warnings.length > 0) lines.push('', 'Warnings:', ...record.warnings.map((warning) => `  - ${warning}`));
  return lines.join('\n');
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
}

function clip(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

function listed(ids: string[]): string {
  if (ids.length === 0) return 'none';
  const shown = ids.slice(0, SHOWN_MESSAGES).join(', ');
  return `${ids.length} (${shown}${ids.length > SHOWN_MESSAGES ? ', …' : ''})`;
}

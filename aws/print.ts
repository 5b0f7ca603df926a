// What `make run` prints. The text and JSON come from the same formatter as `make local`;
// an execution on AWS adds its console page, when written the HTML report's path, and with
// --peek what the queue holds.
import type { ExecutionRecord } from '../workflow/execution-record.ts';
import { formatText, toJsonSummary, type JsonSummary } from '../execution/report.ts';
import { consoleLink } from './execution.ts';
import { formatQueueReport, type QueueReport } from './queue-peek.ts';

export interface RunSummary extends JsonSummary {
  consoleUrl: string;
  report?: string;
  queue?: QueueReport;
}

export function summarizeRecord(record: ExecutionRecord, reportPath?: string, queue?: QueueReport): RunSummary {
  return {
    ...toJsonSummary(record),
    consoleUrl: consoleLink(record.executionArn),
    ...(reportPath === undefined ? {} : { report: reportPath }),
    ...(queue === undefined ? {} : { queue }),
  };
}

export function formatRecord(record: ExecutionRecord, reportPath?: string, queue?: QueueReport): string {
  const lines = [formatText(record)];
  if (queue !== undefined) lines.push('', formatQueueReport(queue));
  lines.push('', `Console: ${consoleLink(record.executionArn)}`);
  if (reportPath !== undefined) lines.push(`Report:  ${reportPath}`);
  return lines.join('\n');
}

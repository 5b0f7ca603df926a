// What `make run` prints. The text and JSON come from the same formatter as `make local`;
// an execution on AWS adds its console page (an offline one has none), when written the HTML
// report's path, and with --peek what the queue holds.
import type { ExecutionRecord } from '../execution/execution-record.ts';
import { formatText, toJsonSummary, type JsonSummary } from '../execution/report.ts';
import { formatQueueReport, type QueueReport } from './queue-peek.ts';

export interface RunSummary extends JsonSummary {
  consoleUrl?: string;
  report?: string;
  queue?: QueueReport;
}

export function summarizeRecord(record: ExecutionRecord, reportPath?: string, queue?: QueueReport, consoleUrl?: string): RunSummary {
  return {
    ...toJsonSummary(record),
    ...(consoleUrl === undefined ? {} : { consoleUrl }),
    ...(reportPath === undefined ? {} : { report: reportPath }),
    ...(queue === undefined ? {} : { queue }),
  };
}

export function formatRecord(record: ExecutionRecord, reportPath?: string, queue?: QueueReport, consoleUrl?: string): string {
  const lines = [formatText(record)];
  if (queue !== undefined) lines.push('', formatQueueReport(queue));
  if (consoleUrl !== undefined || reportPath !== undefined) lines.push('');
  if (consoleUrl !== undefined) lines.push(`Console: ${consoleUrl}`);
  if (reportPath !== undefined) lines.push(`Report:  ${reportPath}`);
  return lines.join('\n');
}

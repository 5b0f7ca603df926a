// What `make run` prints. The text and JSON come from the same formatter as `make local`;
// an execution on AWS adds its console page and, when written, the HTML report's path.
import type { ExecutionRecord } from '../workflow/execution-record.ts';
import { formatText, toJsonSummary, type JsonSummary } from '../local/report.ts';
import { consoleLink } from './execution.ts';

export interface RunSummary extends JsonSummary {
  consoleUrl: string;
  report?: string;
}

export function summarizeRecord(record: ExecutionRecord, reportPath?: string): RunSummary {
  return {
    ...toJsonSummary(record),
    consoleUrl: consoleLink(record.executionArn),
    ...(reportPath === undefined ? {} : { report: reportPath }),
  };
}

export function formatRecord(record: ExecutionRecord, reportPath?: string): string {
  const lines = [formatText(record), '', `Console: ${consoleLink(record.executionArn)}`];
  if (reportPath !== undefined) lines.push(`Report:  ${reportPath}`);
  return lines.join('\n');
}

// What Lambda's Node.js runtime writes of an invocation: the error document of a failure, and the
// log Lambda keeps and Invoke's LogType Tail returns (START, the lines the function's code writes
// through console in the runtime's format, END and REPORT).
import { format } from 'node:util';

// The Node.js runtime's console methods and the level each writes to the function's log.
export const CONSOLE_LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;
export type ConsoleMethod = keyof typeof CONSOLE_LEVELS;

/** A console call's line in the function's log: timestamp, request id, level, message. */
export function logLine(requestId: string, level: string, args: unknown[]): string {
  return `${new Date().toISOString()}\t${requestId}\t${level}\t${format(...args)}\n`;
}

/** The error document Lambda returns for a failed invocation, which Step Functions shows as the Cause. */
export interface ErrorDocument {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** What the Node.js runtime reports for a thrown value. */
export function errorDocument(error: unknown): ErrorDocument {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

const MEGABYTE = 1024 * 1024;

/** The lines Lambda writes around an invocation's own; the memory used is this process's, which the function shares. */
export function invocationLogText(
  invocation: { requestId: string; lines: readonly string[] },
  timing: { durationMs: number; initMs: number | undefined },
  memorySize: number,
): string {
  const { requestId, lines } = invocation;
  const used = Math.min(memorySize, Math.ceil(process.memoryUsage().rss / MEGABYTE));
  const init = timing.initMs === undefined ? '' : `Init Duration: ${timing.initMs.toFixed(2)} ms\t`;
  return (
    `START RequestId: ${requestId} Version: $LATEST\n${lines.join('')}END RequestId: ${requestId}\n` +
    `REPORT RequestId: ${requestId}\tDuration: ${timing.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(timing.durationMs)} ms\t` +
    `Memory Size: ${memorySize} MB\tMax Memory Used: ${used} MB\t${init}\n`
  );
}

// An invocation's log as Lambda writes it and Invoke's LogType Tail returns it: START, the lines
// the function's code writes through console in the Node.js runtime's format, END and REPORT.
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { invocationPatch } from './invocation-patch.ts';

// The Node.js runtime's console methods and the level each writes to the function's log.
const CONSOLE_LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;
type ConsoleMethod = keyof typeof CONSOLE_LEVELS;

export interface InvocationLog {
  requestId: string;
  lines: string[];
}

/** The log of the invocation whose code is running, if its log is kept. */
export const invocationLog = new AsyncLocalStorage<InvocationLog>();

/**
 * The function shares this process's console: while an invocation keeps its log, each console
 * call made in that invocation's code also goes to its log, in the runtime's format
 * (timestamp, request id, level, message); the output still goes where it went before.
 */
function installConsoleCapture(): () => void {
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as [ConsoleMethod, string][]) {
    const original = console[method];
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      const log = invocationLog.getStore();
      log?.lines.push(`${new Date().toISOString()}\t${log.requestId}\t${level}\t${format(...args)}\n`);
      original.apply(console, args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}

export const consoleCapture = invocationPatch(invocationLog, installConsoleCapture);

const MEGABYTE = 1024 * 1024;

/** The lines Lambda writes around an invocation's own; the memory used is this process's, which the function shares. */
export function invocationLogText(
  log: InvocationLog,
  timing: { durationMs: number; initMs: number | undefined },
  memorySize: number,
): string {
  const { requestId, lines } = log;
  const used = Math.min(memorySize, Math.ceil(process.memoryUsage().rss / MEGABYTE));
  const init = timing.initMs === undefined ? '' : `Init Duration: ${timing.initMs.toFixed(2)} ms\t`;
  return (
    `START RequestId: ${requestId} Version: $LATEST\n${lines.join('')}END RequestId: ${requestId}\n` +
    `REPORT RequestId: ${requestId}\tDuration: ${timing.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(timing.durationMs)} ms\t` +
    `Memory Size: ${memorySize} MB\tMax Memory Used: ${used} MB\t${init}\n`
  );
}

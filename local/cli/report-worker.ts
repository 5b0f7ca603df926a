// The HTML report's thread (report-writer.ts starts it; the bundle's dist/local-cli-report.mjs):
// while the run goes on in the main thread, it loads the page's renderer, says so (the main
// thread holds its changes of V8's flags until then: ../v8-flags.ts), and starts Graphviz's
// WebAssembly with the smallest drawing, so that only the run's own page is left to draw when its
// record comes. Like the commands' entries (../start-command.ts), it turns Node's compile cache on
// (a worker does not inherit it) before it loads anything else, hence no static import of the
// renderer. It runs at the lowest priority, so that the run the user waits on gets the cores first:
// on a machine of two cores the thread's warm-up slowed the run's loop.
import { readlinkSync } from 'node:fs';
import nodeModule from 'node:module';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { enableCompileCache } from '../start-command.ts';
import type { ExecutionRecord } from '../../execution/execution-record.ts';

/** What the main thread sends: the record whose page to write. */
export interface ReportRequest {
  record: ExecutionRecord;
}

/** What the thread answers a request: the page's path, or why it could not be written. */
export type ReportAnswer = { path: string } | { error: { name: string; message: string } };

/** What the thread says first, unasked: it has loaded the renderer's modules. */
export interface ReportLoaded {
  loaded: true;
}

/** The smallest definition: drawing it starts Graphviz, whatever the run's diagram will hold. */
const SMALLEST_DEFINITION = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };

/** Lowers this thread's priority where the system keeps one per thread and names it (Linux); elsewhere, or when refused, it stays. */
function yieldCoresToTheRun(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isSafeInteger(threadId)) setPriority(threadId, constants.priority.PRIORITY_LOW);
  } catch {
    // No /proc/thread-self (not Linux), or a priority the system refuses: the page is written all the same.
  }
}

yieldCoresToTheRun();
enableCompileCache();

const port = parentPort!;
const { dir } = workerData as { dir: string };
const [{ writeReport }, { renderDiagram }] = await Promise.all([import('../../viz/report.ts'), import('../../viz/diagram.ts')]);
port.postMessage({ loaded: true } satisfies ReportLoaded);

// A record that came meanwhile waits on the port.
await renderDiagram(SMALLEST_DEFINITION).catch(() => undefined);
// A worker's compile cache is written only when it is flushed: the main thread ends it without waiting.
(nodeModule.flushCompileCache as typeof nodeModule.flushCompileCache | undefined)?.();

port.on('message', ({ record }: ReportRequest) => {
  writeReport(record, dir).then(
    (path): void => port.postMessage({ path } satisfies ReportAnswer),
    (error: unknown): void => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ error: { name, message } } satisfies ReportAnswer);
    },
  );
});

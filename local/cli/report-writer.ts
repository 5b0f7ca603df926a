// Writes the run's HTML report on a thread of its own (report-worker.ts), started before the run:
// loading the page's renderer and Graphviz, and compiling Graphviz's WebAssembly on its first
// drawing, take longer than a short run's execution, and happen meanwhile on another core instead
// of after it. The page is the one viz/report.ts writes in any thread. The thread holds the
// process's changes of V8's flags until it has loaded (../v8-flags.ts): started before the
// emulators, it then loads Node's modules as Node ships them compiled, not from source after the
// heap policy's change, and its warm-up ends before the run's loop begins.
import { Worker } from 'node:worker_threads';
import type { ExecutionRecord } from '../../execution/execution-record.ts';
import { V8_FLAGS, type FlagChanges } from '../v8-flags.ts';
import type { ReportAnswer, ReportLoaded, ReportRequest } from './report-worker.ts';

/** The worker's file in the CLI's bundle, beside the chunk this module lands in (scripts/build.ts builds it). */
export const REPORT_WORKER_BUNDLE = 'local-cli-report';

/** The worker's module: its source when this module runs from source, its bundle when bundled. */
function workerUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './report-worker.ts' : `./${REPORT_WORKER_BUNDLE}.mjs`, import.meta.url);
}

export interface ReportWriter {
  /** Writes the record's page into the folder the writer was started for; resolves to its path. */
  write(record: ExecutionRecord): Promise<string>;
  /** Ends the thread, whether a page was written or not. */
  close(): Promise<void>;
}

/** The thread ended or failed before it answered. */
export class ReportThreadFailed extends Error {
  override name = 'ReportThreadFailed';
}

/**
 * Starts the report's thread for pages in `dir`, holding `flags`' changes until it has loaded or
 * failed; it keeps the process alive only while it writes a page.
 */
export function startReportWriter(dir: string, flags: FlagChanges = V8_FLAGS): ReportWriter {
  const worker = new Worker(workerUrl(), { workerData: { dir } });
  worker.unref();
  let loaded!: () => void;
  flags.holdUntil(new Promise<void>((resolve) => (loaded = resolve)));
  let failure: Error | undefined;
  let pending: { resolve(path: string): void; reject(error: Error): void } | undefined;
  const fail = (error: Error) => {
    loaded();
    failure ??= error;
    pending?.reject(failure);
    pending = undefined;
  };
  // Without a listener, a failure on the thread (a renderer that cannot load) would end the process.
  worker.on('error', (error) => fail(new ReportThreadFailed(`the report's thread failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new ReportThreadFailed(`the report's thread ended (exit code ${code}) before it wrote the page`)));
  worker.on('message', (answer: ReportAnswer | ReportLoaded) => {
    if ('loaded' in answer) return loaded();
    const waiting = pending;
    pending = undefined;
    worker.unref();
    if ('path' in answer) waiting?.resolve(answer.path);
    else waiting?.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
  });
  return {
    write(record) {
      if (failure) return Promise.reject(failure);
      if (pending) return Promise.reject(new ReportThreadFailed('the report thread writes one page at a time'));
      return new Promise<string>((resolve, reject) => {
        pending = { resolve, reject };
        worker.ref();
        worker.postMessage({ record } satisfies ReportRequest);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

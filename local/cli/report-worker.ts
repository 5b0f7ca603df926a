// The HTML report's thread (report-writer.ts starts it; the bundle's dist/local-cli-report.mjs):
// while the run goes on in the main thread, it loads the page's renderer and draws a small page of
// its own, unwritten (warming Graphviz's WebAssembly, the page's code and the number format's
// locale data), so that only the run's own page is left to draw when its record comes. Like start.ts, it turns Node's
// compile cache on (a worker does not inherit it) before it loads anything else, hence no static
// import of the renderer.
import nodeModule from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { ExecutionRecord } from '../../execution/execution-record.ts';

/** What the main thread sends: the record whose page to write. */
export interface ReportRequest {
  record: ExecutionRecord;
}

/** What the thread answers: the page's path, or why it could not be written. */
export type ReportAnswer = { path: string } | { error: { name: string; message: string } };

const ARN = 'arn:aws:states:us-east-1:000000000000';

/**
 * The warm-up's page: a small run of the states every workflow has (a Task, a Choice, a Pass, an
 * end), so that drawing it runs the code the run's own page will: the diagram with what each
 * state did, the steps' table with samples, the deliveries.
 */
const WARM_UP: ExecutionRecord = {
  source: 'local',
  executionArn: `${ARN}:execution:warm-up:warm-up`,
  stateMachineArn: `${ARN}:stateMachine:warm-up`,
  definition: {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Done' }], Default: 'Call' },
      Call: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { 'MessageBody.$': '$.body' }, Next: 'Next' },
      Next: { Type: 'Pass', Result: true, ResultPath: '$.done', Next: 'Check' },
      Done: { Type: 'Succeed' },
    },
  },
  status: 'SUCCEEDED',
  input: { body: 'warm-up' },
  output: { body: 'warm-up', done: true },
  startedAt: new Date(0).toISOString(),
  durationMs: 1,
  historyEvents: 12,
  maxPayloadBytes: 30,
  stateTransitions: 5,
  states: {
    Check: { entered: 2, ms: 0.1, samples: [{ input: { body: 'warm-up' }, output: { body: 'warm-up' } }] },
    Call: { entered: 1, ms: 0.5, samples: [{ input: { body: 'warm-up' }, output: { MessageId: 'warm-up' } }] },
    Next: { entered: 1, ms: 0.1, samples: [{ input: { body: 'warm-up' }, output: { body: 'warm-up', done: true } }] },
    Done: { entered: 1, ms: 0, samples: [{ input: { body: 'warm-up', done: true }, output: { body: 'warm-up', done: true } }] },
  },
  seeded: [{ messageId: 'warm-up', body: 'warm-up' }],
  delivered: [{ messageId: 'warm-up', body: 'warm-up' }],
  reconciliation: { items: 1, delivered: 1, missing: [], duplicates: [], sample: ['warm-up'] },
  warnings: [],
};

(nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined)?.();

const port = parentPort!;
const { dir } = workerData as { dir: string };
const { renderReport, writeReport } = await import('../../viz/report.ts');

// A record that came meanwhile waits on the port. A page that cannot be drawn here leaves the
// run's own page to say why.
await renderReport(WARM_UP).catch(() => undefined);
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

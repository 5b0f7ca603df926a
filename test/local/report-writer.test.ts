import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { constants, getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startReportWriter, type ReportWriter } from '../../local/cli/report-writer.ts';
import { flagChanges } from '../../local/v8-flags.ts';
import { writeReport } from '../../viz/report.ts';
import { failedRecord } from '../fixtures/records/failed.ts';
import { succeededRecord } from '../fixtures/records/succeeded.ts';

describe('local/cli/report-writer', function () {
  // The thread loads the renderer through tsx here, as the tests run the sources.
  this.timeout(60_000);
  let dir: string;
  let writer: ReportWriter | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-writer-test-'));
  });

  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  for (const [status, record] of [
    ['succeeded', succeededRecord],
    ['failed', failedRecord],
  ] as const) {
    it(`writes, on its thread, the page viz/report.ts writes for a ${status} run, under the same name`, async () => {
      writer = startReportWriter(join(dir, 'thread'));
      const path = await writer.write(record);
      const expected = await writeReport(record, join(dir, 'main'));
      expect(path).to.equal(expected.replace(join(dir, 'main'), join(dir, 'thread')));
      expect(await readFile(path, 'utf8')).to.equal(await readFile(expected, 'utf8'));
    });
  }

  it("holds the process's changes of V8's flags until its thread has loaded the renderer, then writes the page", async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    writer = startReportWriter(dir, flags);
    flags.change('--a');
    expect(made).to.deep.equal([]);
    while (made.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(made).to.deep.equal(['--a']);
    // Let go because the thread loaded (or its longest hold passed), not because it ended: it still writes.
    expect(await writer.write(succeededRecord)).to.match(/\.html$/);
  });

  it('lets the changes go when its thread ends before it has loaded', async () => {
    const made: string[] = [];
    const flags = flagChanges((f) => made.push(f));
    writer = startReportWriter(dir, flags);
    flags.change('--a');
    await writer.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).to.deep.equal(['--a']);
  });

  it('runs at the lowest priority, where the system keeps one per thread (Linux), and leaves the main thread as it was', async function () {
    const before = getPriority();
    if (!existsSync('/proc/thread-self') || before >= constants.priority.PRIORITY_LOW) this.skip();
    // The nice value of each thread of this process: the 19th field of its stat, counted after the
    // name's ')'; undefined for a thread that ended meanwhile (an earlier test's).
    const niceOf = (task: string) => {
      try {
        return Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      } catch {
        return undefined;
      }
    };
    writer = startReportWriter(dir);
    await writer.write(succeededRecord);
    const threads = readdirSync('/proc/self/task');
    expect(threads.map(niceOf)).to.include(constants.priority.PRIORITY_LOW);
    expect(niceOf(String(process.pid))).to.equal(before);
  });

  it("passes on the renderer's error when the page cannot be written, and writes nothing", async () => {
    // A file where the folder should be: no folder can be made under it.
    await writeFile(join(dir, 'a-file'), '');
    writer = startReportWriter(join(dir, 'a-file', 'reports'));
    const failure = await writer.write(succeededRecord).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).to.match(/ENOTDIR/);
    expect(await readdir(dir)).to.deep.equal(['a-file']);
  });

  it('refuses a page once its thread has ended, by name', async () => {
    writer = startReportWriter(dir);
    await writer.close();
    const failure = await writer.write(succeededRecord).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).to.equal('ReportThreadFailed');
    expect(await readdir(dir)).to.deep.equal([]);
  });
});

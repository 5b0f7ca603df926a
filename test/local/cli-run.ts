// The command line run in process, as a test drives it: no terminal, no Ctrl-C, no HTML report
// written (each record it would render is kept), and what it printed.
import { main, type CliIo } from '../../local/cli/cli.ts';
import type { ExecutionRecord } from '../../execution/execution-record.ts';

export interface CliRun {
  status: number;
  out: string;
  err: string;
  /** The records the run would have rendered as HTML reports. */
  records: ExecutionRecord[];
}

export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const records: ExecutionRecord[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { isTTY: false, write: (text: string) => err.push(text) > 0 },
    untilStopped: async () => undefined,
    interrupts: () => ({ signal: new AbortController().signal, dispose: () => undefined }),
    writeReport: async (record) => {
      records.push(record);
      return 'reports/fake.html';
    },
  };
  const status = await main(argv, io);
  return { status, out: out.join(''), err: err.join(''), records };
}

// The S3 emulator's folders: a run killed before its stop() leaves one; the next start removes it.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, startS3Emulator, sweepDeadRunFolders } from '../../local/services/s3-emulator.ts';

/** The id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('local/s3-emulator folders', function () {
  this.timeout(30_000);
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 's3-sweep-test-'));
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('removes the folders of dead runs only: not a live run, not this one, not a folder of another shape', async () => {
    const dead = await deadPid();
    expect(processAlive(dead)).to.equal(false);
    const names = [
      `transfer-records-s3-${dead}-AbC123`,
      `transfer-records-s3-${process.pid}-Own123`,
      `transfer-records-s3-${process.ppid}-Live12`,
      'transfer-records-s3-Old123',
      'something-else',
    ];
    for (const name of names) await mkdir(join(parent, name, 'bucket'), { recursive: true });
    expect(await sweepDeadRunFolders(parent)).to.deep.equal([join(parent, names[0]!)]);
    expect((await readdir(parent)).sort()).to.deep.equal(names.slice(1).sort());
  });

  it('at start, removes the folder a run killed with SIGKILL left behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/s3-emulator-run.ts'], {
      env: { ...process.env, TMPDIR: parent },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const left = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
      child.once('exit', (code) => reject(new Error(`the run exited (${code}) before starting its emulator`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(left.startsWith(join(parent, `transfer-records-s3-${child.pid}-`))).to.equal(true);
    expect(existsSync(left)).to.equal(true);

    const saved = process.env.TMPDIR;
    process.env.TMPDIR = parent;
    try {
      const emulator = await startS3Emulator(['next-run']);
      expect(existsSync(left)).to.equal(false);
      expect(emulator.directory.startsWith(join(parent, `transfer-records-s3-${process.pid}-`))).to.equal(true);
      await emulator.stop();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    // (tsx keeps its cache there too.)
    expect((await readdir(parent)).filter((name) => name.startsWith('transfer-records-s3-'))).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CLI } from '../../scripts/build.ts';
import { EAGER_COMPILATION_FLAG, LAZY_COMPILATION_FLAG, NODE_MODULES_FIRST, startCommand, type StartControls } from '../../local/start-command.ts';
import { v8FlagsAnswer } from '../helpers.ts';

/** Controls that record, in order, what the start set and when it loaded the command. */
function recording(cacheOn: boolean): StartControls & { steps: string[] } {
  const steps: string[] = [];
  return {
    steps,
    enableCompileCache: () => {
      steps.push('cache');
      return cacheOn;
    },
    loadNodeModule: (name) => void steps.push(`node:${name}`),
    setFlags: (flags) => void steps.push(`flags ${flags}`),
  };
}

const command = (steps: string[]) => async () => {
  steps.push('load');
  return { runAsCommand: async () => void steps.push('run') };
};

/** What enableCompileCache says in a fresh Node process with `env`. */
function cacheSaysOn(env: NodeJS.ProcessEnv): boolean {
  const script = `import('${join(process.cwd(), 'local/start-command.ts')}').then((m) => process.stdout.write(String(m.enableCompileCache())))`;
  // Node strips the file's types itself: tsx would need a folder under the temporary one too.
  const run = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(run.status, run.stderr).to.equal(0);
  return run.stdout === 'true';
}

// Loaded before the CLI's entry: notes which Node modules (not Node's internal ones) were loaded
// after the first change of V8's flags (the entry's, or the heap policy's), and writes them at exit.
const PROBE = `
import { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import v8 from 'node:v8';
const set = v8.setFlagsFromString;
const changes = [];
let from;
v8.setFlagsFromString = (flags) => {
  from ??= process.moduleLoadList.length;
  changes.push(flags);
  set(flags);
};
syncBuiltinESMExports();
process.on('exit', () => {
  const loaded = process.moduleLoadList.slice(from).filter((entry) => /^NativeModule [a-z]/.test(entry) && !entry.startsWith('NativeModule internal/'));
  writeFileSync(process.env.PROBE_OUT, JSON.stringify({ changes, loaded: loaded.map((entry) => entry.replace(/^NativeModule /, '')) }));
});
`;

describe('a command start', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'start-command-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compiles eagerly while it loads the command when the compile cache is on, and lazily again to run it', async () => {
    const controls = recording(true);
    await startCommand(command(controls.steps), controls);
    expect(controls.steps.filter((step) => !step.startsWith('node:'))).to.deep.equal([
      'cache',
      `flags ${EAGER_COMPILATION_FLAG}`,
      'load',
      `flags ${LAZY_COMPILATION_FLAG}`,
      'run',
    ]);
  });

  it('leaves compilation lazy when the compile cache is off', async () => {
    const controls = recording(false);
    await startCommand(command(controls.steps), controls);
    expect(controls.steps).to.deep.equal(['cache', 'load', 'run']);
  });

  it("loads Node's modules before it sets the flag, and not without the cache", async () => {
    const on = recording(true);
    await startCommand(command(on.steps), on);
    expect(on.steps.indexOf(`flags ${EAGER_COMPILATION_FLAG}`)).to.equal(1 + NODE_MODULES_FIRST.length);
    expect(on.steps.slice(1, 1 + NODE_MODULES_FIRST.length)).to.deep.equal(NODE_MODULES_FIRST.map((name) => `node:${name}`));
    const off = recording(false);
    await startCommand(command(off.steps), off);
    expect(off.steps.filter((step) => step.startsWith('node:'))).to.deep.equal([]);
  });

  it("leaves a run of the CLI no Node module to load once V8's flags have changed (each would be compiled from source)", async () => {
    const probe = join(dir, 'probe.mjs');
    const out = join(dir, 'probe.json');
    await writeFile(probe, PROBE);
    const env = { ...process.env, NODE_COMPILE_CACHE: join(dir, 'cache'), PROBE_OUT: out };
    const run = spawnSync(process.execPath, ['--import', probe, LOCAL_CLI.outfile, '--count', '2', '--no-report', '--json'], { encoding: 'utf8', env });
    expect(run.status, run.stderr).to.equal(0);
    const { changes, loaded } = JSON.parse(await readFile(out, 'utf8')) as { changes: string[]; loaded: string[] };
    expect(changes.slice(0, 2)).to.deep.equal([EAGER_COMPILATION_FLAG, LAZY_COMPILATION_FLAG]);
    expect(loaded).to.deep.equal([]);
  });

  it("sets flags this Node's V8 knows", () => {
    for (const flag of [EAGER_COMPILATION_FLAG, LAZY_COMPILATION_FLAG]) expect(v8FlagsAnswer(flag)).to.deep.equal({ status: 0, stderr: '' });
  });

  it('says whether the compile cache is on: in a folder it can make, not where it can make none, not when turned off', async () => {
    const cache = join(dir, 'cache');
    expect(cacheSaysOn({ NODE_COMPILE_CACHE: cache })).to.equal(true);
    expect(await readdir(cache)).to.not.be.empty;
    // Under a file, no folder can be made, whoever runs the test (root included). A NODE_COMPILE_CACHE
    // that cannot be made leaves Node the default folder, under the temporary one: both are made impossible.
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    expect(cacheSaysOn({ NODE_COMPILE_CACHE: join(file, 'cache'), TMPDIR: file })).to.equal(false);
    expect(cacheSaysOn({ NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '1' })).to.equal(false);
  });
});

// The Makefile's own logic, run by make in a scratch copy with a stand-in `node` on PATH: which
// Node it uses, whether it provisions Node 22 first, and how it passes make's variables on.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { NO_REPORT_ENV } from '../local/cli/cli.ts';
import { LOCAL_CLI, RUN_LOCAL_CLI, SERVE_CLI, TEST_STATE_CLI } from '../scripts/build.ts';

const PROVISION = 'npm install --prefix .tools/node22 --no-save --no-audit --no-fund node@22';
const hasMake = spawnSync('make', ['--version']).status === 0;

interface Scratch {
  dir: string;
  make(args: string[], options?: { dryRun?: boolean; env?: Record<string, string> }): { stdout: string; stderr: string; status: number | null };
}

/**
 * A copy of the Makefile, its dependencies installed or not, with a `node` that answers
 * --version with `version` and otherwise prints its arguments, one a line, first on PATH.
 */
function scratch(version: string, installed: boolean): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'makefile-test-'));
  copyFileSync('Makefile', join(dir, 'Makefile'));
  copyFileSync('package-lock.json', join(dir, 'package-lock.json'));
  if (installed) {
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'node_modules', '.package-lock.json'), later, later);
  }
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'node'), `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\nfor a in "$@"; do printf '%s\\n' "$a"; done\n`);
  chmodSync(join(bin, 'node'), 0o755);
  return {
    dir,
    make(args, options = {}) {
      return spawnSync('make', ['--no-print-directory', ...(options.dryRun ? ['-n'] : []), ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, ...options.env },
      });
    },
  };
}

const printPath = ['--eval', 'print-path: ; @echo "$$PATH"', 'print-path'];

describe('Makefile', function () {
  this.timeout(30_000);
  const made: Scratch[] = [];
  const fresh = (version: string, installed = true) => {
    const copy = scratch(version, installed);
    made.push(copy);
    return copy;
  };

  before(function () {
    if (!hasMake) this.skip();
  });

  after(() => {
    for (const { dir } of made) rmSync(dir, { recursive: true, force: true });
  });

  // v9 as well: the check compares numbers, not strings.
  for (const version of ['v20.20.2', 'v9.11.2']) {
    it(`provisions Node 22 into .tools/node22 before npm ci, and puts it first on PATH, when node is ${version}`, () => {
      const copy = fresh(version, false);
      const { stdout, stderr } = copy.make(['local'], { dryRun: true });
      const lines = (stdout + stderr).split('\n');
      const provision = lines.findIndex((line) => line.startsWith(PROVISION));
      expect(provision, stdout + stderr).to.be.greaterThan(-1);
      expect(lines[provision - 1]).to.contain(`Node ${version} on PATH is older than 22: installing Node 22`);
      expect(lines.findIndex((line) => line.startsWith('npm ci'))).to.be.greaterThan(provision);
      expect(copy.make(printPath).stdout.split(':')[0]).to.equal(join(copy.dir, '.tools/node22/node_modules/.bin'));
    });
  }

  it('changes nothing when the node on PATH is 22 or later', () => {
    const copy = fresh('v22.1.0', false);
    const { stdout, stderr } = copy.make(['local'], { dryRun: true });
    expect(stdout + stderr).to.not.contain(PROVISION);
    expect(stdout + stderr).to.contain('npm ci');
    expect(copy.make(printPath).stdout.split(':')[0]).to.equal(join(copy.dir, 'fake-bin'));
  });

  it('passes ITEMS and MESSAGES_FILE as one argument each, a negative count and a path with spaces and quotes included', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['local', 'ITEMS=-1', "MESSAGES_FILE=my file's.json", 'ARGS=--json']);
    expect(result.status, result.stderr).to.equal(0);
    // stdout is the command's alone: the build's lines went to stderr.
    expect(result.stdout.split('\n')).to.deep.equal(['dist/local-cli.mjs', '--count=-1', "--messages-file=my file's.json", '--json', '']);
    expect(result.stderr).to.contain('scripts/build.ts');
  });

  it('passes WORKFLOW to make local as --workflow, before the input options', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['local', 'WORKFLOW=echo', 'ITEMS=2']);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout.split('\n')).to.deep.equal(['dist/local-cli.mjs', '--workflow=echo', '--count=2', '']);
  });

  it('lines up make help\'s descriptions after the longest target name', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['help']);
    expect(result.status, result.stderr).to.equal(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).to.be.greaterThan(10);
    const rows = lines.map((line) => /^ {2}make (\S+)( +)\S/.exec(line)!);
    expect(rows.every(Boolean), result.stdout).to.equal(true);
    const columns = new Set(rows.map((row) => row[0].length));
    expect([...columns], result.stdout).to.have.length(1);
    const longest = Math.max(...rows.map((row) => row[1]!.length));
    expect(rows.find((row) => row[1]!.length === longest)![2]!.length).to.be.at.least(2);
  });

  it('runs the conformance harness with the HTML report turned off', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['-o', 'build', 'conformance', 'CONFORMANCE=.'], { dryRun: true });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`^${NO_REPORT_ENV}=1 node \\./harness\\.mjs \\. --quiet$`, 'm'));
  });

  it('passes QUEUE to make local as --queue, and leaves it out when not given', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['local', 'QUEUE=fifo', 'ITEMS=2']);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout.split('\n')).to.deep.equal(['dist/local-cli.mjs', '--queue=fifo', '--count=2', '']);
    expect(copy.make(['local', 'ITEMS=2']).stdout.split('\n')).to.deep.equal(['dist/local-cli.mjs', '--count=2', '']);
  });

  it('passes MOCK_CONFIG to make serve as --mock-config, one argument, and leaves it out when not given', () => {
    const copy = fresh('v22.1.0');
    const result = copy.make(['serve', "MOCK_CONFIG=my mock's.json"]);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout.split('\n')).to.deep.equal(['dist/local-serve.mjs', "--mock-config=my mock's.json", '']);
    expect(copy.make(['serve']).stdout.split('\n')).to.deep.equal(['dist/local-serve.mjs', '']);
  });

  describe("Node's AsyncContextFrame for the commands that run the offline runtime", () => {
    const FLAG = '--experimental-async-context-frame';
    // Each command as make -n prints it (build left out with -o), with the NODE_OPTIONS it is given.
    const commands = (copy: Scratch, env?: Record<string, string>) =>
      ['local', 'serve', 'test-state', 'conformance CONFORMANCE=.', 'test', 'bench', 'bench-at-scale'].map((target) => {
        const result = copy.make(['-o', 'build', ...target.split(' ')], { dryRun: true, env });
        expect(result.status, result.stderr).to.equal(0);
        return result.stdout.trim().split('\n').find((line) => /\b(node|npx) /.test(line) && !line.startsWith('echo'))!;
      });

    for (const version of ['v22.7.0', 'v23.11.1', 'v20.20.2']) {
      it(`gives the flag through NODE_OPTIONS when the node that runs them is ${version}${version < 'v22' ? ' (Node 22 provisioned)' : ''}`, () => {
        for (const command of commands(fresh(version))) expect(command).to.match(new RegExp(`^NODE_OPTIONS='${FLAG}' `));
      });
    }

    for (const version of ['v22.6.0', 'v24.1.0']) {
      it(`leaves NODE_OPTIONS alone when the node is ${version}, which ${version === 'v22.6.0' ? 'lacks' : 'refuses'} the flag`, () => {
        for (const command of commands(fresh(version))) expect(command).to.not.contain('NODE_OPTIONS');
      });
    }

    it("keeps the user's NODE_OPTIONS, and gives the flag once", () => {
      const copy = fresh('v22.7.0');
      for (const command of commands(copy, { NODE_OPTIONS: `--max-old-space-size=900 ${FLAG}` })) {
        expect(command).to.match(new RegExp(`^NODE_OPTIONS='--max-old-space-size=900 ${FLAG}' `));
      }
    });
  });

  it('builds again only when a file it reads changed, an install ran, an output is missing, or FORCE=1 asks', () => {
    const copy = fresh('v22.1.0');
    const at = (path: string, secondsAgo: number) => {
      const time = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(join(copy.dir, path), time, time);
    };
    // The stand-in node prints its arguments: the build ran when they name the build script.
    const builds = (args: string[] = []) => {
      const result = copy.make(['build', ...args]);
      expect(result.status, result.stderr).to.equal(0);
      return result.stdout.includes('scripts/build.ts');
    };
    const write = (path: string) => {
      mkdirSync(join(copy.dir, path, '..'), { recursive: true });
      writeFileSync(join(copy.dir, path), '');
    };
    // The copy made a while ago, installed since, from a lock file older still (so that make does not install again).
    for (const path of ['Makefile', 'fake-bin/node', 'package-lock.json']) at(path, 120);
    at('node_modules/.package-lock.json', 60);
    expect(builds()).to.equal(true);
    // The stand-in wrote nothing: the outputs the real build writes (no function in the copy).
    for (const command of [LOCAL_CLI, TEST_STATE_CLI, SERVE_CLI, RUN_LOCAL_CLI]) write(command.outfile);
    expect(builds()).to.equal(false);
    expect(builds(['FORCE=1'])).to.equal(true);
    at('dist/.build-stamp', 30);
    write('test/engine/new.test.ts');
    expect(builds(), 'a test file is not built from').to.equal(false);
    write('engine/new.ts');
    expect(builds()).to.equal(true);
    expect(builds()).to.equal(false);
    at('dist/.build-stamp', 30);
    at('node_modules/.package-lock.json', 10);
    expect(builds(), 'after an install').to.equal(true);
    rmSync(join(copy.dir, 'dist/local-cli.mjs'));
    expect(builds(), 'with an output missing').to.equal(true);
  });

  it("keeps cdktf's spinner escape codes out of synth's output when no terminal reads it", () => {
    // In the repository itself, without rebuilding (-o build): synth needs the real cdktf.
    const result = spawnSync('make', ['--no-print-directory', '-o', 'build', 'synth'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('Generated Terraform code');
    // \x1b[2K erases a line and \x1b[1A moves up one: the spinner's redraw.
    for (const code of ['\x1b[2K', '\x1b[1A']) expect(result.stdout + result.stderr).to.not.contain(code);
  });
});

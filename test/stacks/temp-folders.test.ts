// The stack tests synthesize many apps; none may leave a folder behind in the temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

// Caches the toolchain keeps on purpose, shared by every run: not the tests' leftovers.
const TOOL_CACHES = /^(tsx-\d+|node-compile-cache)$/;

describe('stack tests and the temporary folder', function () {
  this.timeout(120_000);

  it('leave nothing behind in it', () => {
    const temp = mkdtempSync(join(tmpdir(), 'stack-tests-tmp-'));
    try {
      const specs = readdirSync('test/stacks')
        .filter((file) => file.endsWith('.test.ts') && file !== 'temp-folders.test.ts')
        .flatMap((file) => ['--spec', join('test/stacks', file)]);
      const result = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', ...specs, '--reporter', 'dot'], {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: temp },
      });
      expect(result.status, result.stdout + result.stderr).to.equal(0);
      expect(readdirSync(temp).filter((name) => !TOOL_CACHES.test(name))).to.deep.equal([]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

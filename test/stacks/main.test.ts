import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { leavesNoTempFolder } from './synth.ts';

const MAIN = fileURLToPath(new URL('../../stacks/main.ts', import.meta.url));

describe('stacks/main', () => {
  leavesNoTempFolder();
  it('exits 1 naming a bad setting, without a stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
      encoding: 'utf8',
      env: { ...process.env, NAME_PREFIX: 'Bad' },
    });
    expect(result.status).to.equal(1);
    expect(result.stderr.trim()).to.match(/^InvalidConfiguration: NAME_PREFIX "Bad" /);
    expect(result.stderr).to.not.match(/^\s+at /m);
  });
});

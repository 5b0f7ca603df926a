import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import sinon from 'sinon';
import {
  AwsCredentialsMissing,
  LegacyStateFound,
  StackNotSynthesized,
  TerraformNotFound,
  TerraformTooOld,
  UsageError,
  checkCredentials,
  checkTerraformVersion,
  checkSynthesized,
  findTerraform,
  parseCommand,
  runTerraform,
  terraformSteps,
  type TerraformDeps,
} from '../../scripts/terraform.ts';
import { rejection } from '../helpers.ts';
import { TERRAFORM_MIN_VERSION } from '../../workflow/resources.ts';

const REPO = '/repo';
const STACK_DIR = '/repo/cdktf.out/stacks/transfer-records';
const TERRAFORM = '/opt/bin/terraform';

function deps(overrides: Partial<TerraformDeps> = {}): TerraformDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    env: { PATH: '/usr/bin:/opt/bin' },
    stackDir: STACK_DIR,
    repoRoot: REPO,
    prefix: 'transfer-records',
    region: { region: 'eu-west-1', source: 'profile work' },
    exists: (path) => path === join(STACK_DIR, 'cdk.tf'),
    copyFile: sinon.stub(),
    isExecutable: (path) => path === TERRAFORM,
    terraformVersion: sinon.stub().resolves('1.10.5'),
    credentials: sinon.stub().resolves({ accessKeyId: 'AKIAEXAMPLE' }),
    credentialsTimeoutMs: 1000,
    spawn: sinon.stub().resolves(0),
    log: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

describe('scripts/terraform', () => {
  describe('parseCommand', () => {
    it('accepts preflight, plan, apply and destroy', () => {
      for (const command of ['preflight', 'plan', 'apply', 'destroy']) expect(parseCommand([command])).to.equal(command);
    });

    it('rejects anything else with UsageError', () => {
      for (const args of [[], ['deploy'], ['plan', 'extra']]) {
        expect(() => parseCommand(args), args.join(' ')).to.throw(UsageError, /plan\|apply\|destroy/);
      }
    });
  });

  describe('checkSynthesized', () => {
    it('passes when the folder holds the synthesized HCL or JSON', () => {
      expect(() => checkSynthesized(STACK_DIR, (path) => path === join(STACK_DIR, 'cdk.tf'))).to.not.throw();
      expect(() => checkSynthesized(STACK_DIR, (path) => path === join(STACK_DIR, 'cdk.tf.json'))).to.not.throw();
    });

    it('throws StackNotSynthesized, naming make synth, otherwise', () => {
      expect(() => checkSynthesized(STACK_DIR, () => false))
        .to.throw(StackNotSynthesized, /make synth/)
        .with.property('name', 'StackNotSynthesized');
    });
  });

  describe('findTerraform', () => {
    it('returns the first executable terraform on PATH', () => {
      expect(findTerraform({ PATH: '/usr/bin:/opt/bin:/other' }, (path) => path.endsWith('/terraform') && !path.startsWith('/usr'))).to.equal(
        TERRAFORM,
      );
    });

    it('throws TerraformNotFound when no PATH entry has it', () => {
      for (const env of [{ PATH: '/usr/bin:/bin' }, {}]) {
        expect(() => findTerraform(env, () => false))
          .to.throw(TerraformNotFound, /not on PATH/)
          .with.property('name', 'TerraformNotFound');
      }
    });
  });

  describe('checkCredentials', () => {
    afterEach(() => sinon.restore());

    it('resolves when the provider chain finds credentials', async () => {
      await checkCredentials(async () => ({ accessKeyId: 'AKIAEXAMPLE' }), 1000);
    });

    it('throws AwsCredentialsMissing with the chain error as cause', async () => {
      const cause = new Error('Could not load credentials from any providers');
      const error = await rejection(checkCredentials(() => Promise.reject(cause), 1000));
      expect(error).to.be.instanceOf(AwsCredentialsMissing);
      expect(error.name).to.equal('AwsCredentialsMissing');
      expect(error.message).to.include('Could not load credentials').and.include('AWS_PROFILE');
      expect(error.cause).to.equal(cause);
    });

    it('gives up on a provider that never answers', async () => {
      const clock = sinon.useFakeTimers();
      const pending = rejection(checkCredentials(() => new Promise(() => {}), 5000));
      await clock.tickAsync(5000);
      const error = await pending;
      expect(error).to.be.instanceOf(AwsCredentialsMissing);
      expect(error.message).to.include('no answer within 5000 ms');
    });
  });

  describe('terraformSteps', () => {
    it('initialises, then plans without prompting', () => {
      expect(terraformSteps('plan', {})).to.deep.equal([
        ['init', '-input=false'],
        ['plan', '-input=false'],
      ]);
    });

    it('lets terraform ask for confirmation before apply and destroy', () => {
      expect(terraformSteps('apply', {})[1]).to.deep.equal(['apply']);
      expect(terraformSteps('destroy', { AUTO_APPROVE: '0' })[1]).to.deep.equal(['destroy']);
    });

    it('approves automatically with AUTO_APPROVE=1', () => {
      expect(terraformSteps('apply', { AUTO_APPROVE: '1' })[1]).to.deep.equal(['apply', '-input=false', '-auto-approve']);
      expect(terraformSteps('destroy', { AUTO_APPROVE: 'true' })[1]).to.deep.equal(['destroy', '-input=false', '-auto-approve']);
    });
  });

  describe('checkTerraformVersion', () => {
    it(`accepts ${TERRAFORM_MIN_VERSION} and anything later`, () => {
      for (const version of [TERRAFORM_MIN_VERSION, '1.10.5', '1.11.0', '1.14.0-alpha20250101', '2.0.0']) {
        expect(() => checkTerraformVersion(version), version).to.not.throw();
      }
    });

    it('refuses an older or unreadable version with TerraformTooOld, naming it and the minimum', () => {
      for (const version of ['1.5.7', '1.9.8', '0.15.0', 'nonsense', '']) {
        expect(() => checkTerraformVersion(version), version)
          .to.throw(TerraformTooOld)
          .with.property('message')
          .that.includes(`older than ${TERRAFORM_MIN_VERSION}`)
          .and.includes('install Terraform');
      }
      expect(() => checkTerraformVersion('1.5.7')).to.throw(/^terraform 1\.5\.7 is older/);
    });
  });

  describe('runTerraform', () => {
    it('runs init then the command with the terraform found, in the stack folder', async () => {
      const d = deps();
      expect(await runTerraform('plan', d)).to.equal(0);
      const spawn = d.spawn as sinon.SinonStub;
      expect(spawn.args.map(([file, args, options]) => [file, args, options.cwd])).to.deep.equal([
        [TERRAFORM, ['init', '-input=false'], STACK_DIR],
        [TERRAFORM, ['plan', '-input=false'], STACK_DIR],
      ]);
      expect(d.lines.at(-1)).to.equal('terraform plan succeeded');
    });

    for (const [what, overrides, errorClass] of [
      ['the stack is not synthesized', { exists: () => false }, StackNotSynthesized],
      ['terraform is missing', { isExecutable: () => false }, TerraformNotFound],
      ['terraform is older than 1.10', { terraformVersion: () => Promise.resolve('1.5.7') }, TerraformTooOld],
      ['credentials are missing', { credentials: () => Promise.reject(new Error('none')) }, AwsCredentialsMissing],
    ] as const) {
      it(`stops before running terraform when ${what}`, async () => {
        const d = deps(overrides);
        const error = await rejection(runTerraform('apply', d));
        expect(error).to.be.instanceOf(errorClass);
        expect((d.spawn as sinon.SinonStub).called).to.be.false;
        expect(d.lines.join('\n')).to.not.include('succeeded');
      });
    }

    it('preflight checks terraform, its version and credentials only, and runs nothing', async () => {
      const d = deps({ exists: () => false });
      expect(await runTerraform('preflight', d)).to.equal(0);
      expect((d.terraformVersion as sinon.SinonStub).calledOnceWith(TERRAFORM)).to.be.true;
      const old = deps({ terraformVersion: () => Promise.resolve('1.5.7') });
      expect(await rejection(runTerraform('preflight', old))).to.be.instanceOf(TerraformTooOld);
      expect((d.spawn as sinon.SinonStub).called).to.be.false;
      expect(await rejection(runTerraform('preflight', deps({ isExecutable: () => false })))).to.be.instanceOf(TerraformNotFound);
      const noCredentials = deps({ credentials: () => Promise.reject(new Error('none')) });
      expect(await rejection(runTerraform('preflight', noCredentials))).to.be.instanceOf(AwsCredentialsMissing);
    });

    it('checks the folder first, then terraform, then credentials', async () => {
      const credentials = sinon.stub().rejects(new Error('none'));
      expect(await rejection(runTerraform('plan', deps({ exists: () => false, isExecutable: () => false, credentials })))).to.be.instanceOf(
        StackNotSynthesized,
      );
      expect(await rejection(runTerraform('plan', deps({ isExecutable: () => false, credentials })))).to.be.instanceOf(TerraformNotFound);
      expect(credentials.called).to.be.false;
    });

    it('stops after a failed init with its exit code, without planning', async () => {
      const d = deps({ spawn: sinon.stub().resolves(1) });
      expect(await runTerraform('plan', d)).to.equal(1);
      expect((d.spawn as sinon.SinonStub).callCount).to.equal(1);
      expect(d.lines.join('\n')).to.include('terraform init failed with exit code 1').and.not.include('succeeded');
    });

    it('prints the region and where it came from, and the state the run uses, before running terraform', async () => {
      const d = deps();
      await runTerraform('apply', d);
      const firstRun = d.lines.findIndex((line) => line.startsWith('$ terraform'));
      expect(d.lines.slice(0, firstRun)).to.include.members(['region: eu-west-1 (from profile work)', 'state: terraform.transfer-records.eu-west-1.tfstate']);
      const remote = deps({ env: { PATH: '/usr/bin:/opt/bin', TF_STATE_BUCKET: 'team-state' } });
      await runTerraform('plan', remote);
      expect(remote.lines).to.include('state: s3://team-state/transfer-records/eu-west-1/terraform.tfstate');
    });

    it("runs terraform with this prefix and region's own data folder outside cdktf.out, so make clean keeps it", async () => {
      const d = deps();
      await runTerraform('plan', d);
      for (const [, , options] of (d.spawn as sinon.SinonStub).args) {
        expect(options.env.TF_DATA_DIR).to.equal('/repo/.terraform/transfer-records.eu-west-1');
        expect(options.env.PATH).to.equal('/usr/bin:/opt/bin');
      }
    });

    it('copies the committed lock file in before init and the one init wrote back after it', async () => {
      const kept = '/repo/.terraform.lock.hcl';
      const used = join(STACK_DIR, '.terraform.lock.hcl');
      const d = deps({ exists: (path) => [join(STACK_DIR, 'cdk.tf'), kept, used].includes(path) });
      await runTerraform('plan', d);
      expect((d.copyFile as sinon.SinonStub).args).to.deep.equal([
        [kept, used],
        [used, kept],
      ]);
      const failed = deps({ exists: (path) => [join(STACK_DIR, 'cdk.tf'), kept, used].includes(path), spawn: sinon.stub().resolves(1) });
      await runTerraform('plan', failed);
      expect((failed.copyFile as sinon.SinonStub).args).to.deep.equal([[kept, used]]);
    });

    it('refuses, with LegacyStateFound, to run beside a local state file that names no region', async () => {
      const d = deps({ exists: (path) => [join(STACK_DIR, 'cdk.tf'), '/repo/terraform.transfer-records.tfstate'].includes(path) });
      const error = await rejection(runTerraform('apply', d));
      expect(error).to.be.instanceOf(LegacyStateFound).with.property('name', 'LegacyStateFound');
      expect((error as Error).message).to.include('terraform.transfer-records.eu-west-1.tfstate');
      expect((d.spawn as sinon.SinonStub).called).to.be.false;
      // With the state in S3, the local file is not this deployment's.
      const remote = deps({ env: { PATH: '/usr/bin:/opt/bin', TF_STATE_BUCKET: 'team-state' }, exists: d.exists });
      expect(await runTerraform('apply', remote)).to.equal(0);
    });

    it("passes the command's exit code through and never reports success on failure", async () => {
      const d = deps({ spawn: sinon.stub().onFirstCall().resolves(0).onSecondCall().resolves(3) });
      expect(await runTerraform('destroy', d)).to.equal(3);
      expect(d.lines.join('\n')).to.include('terraform destroy failed with exit code 3').and.not.include('succeeded');
    });
  });

  describe('the script', () => {
    it('exits 2 with the usage for an unknown command, before any check', () => {
      const script = fileURLToPath(new URL('../../scripts/terraform.ts', import.meta.url));
      const result = spawnSync(process.execPath, ['--import', 'tsx', script, 'deploy'], { encoding: 'utf8' });
      expect(result.status).to.equal(2);
      expect(result.stderr).to.include('UsageError: usage: scripts/terraform.ts <preflight|plan|apply|destroy>');
    });
  });
});

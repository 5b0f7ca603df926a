import { resolve } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { expect } from 'chai';
import { configureBackend, localStatePath } from '../../stacks/backend.ts';
import { REPO_ROOT, STACK_OUTPUT_DIR } from '../../stacks/paths.ts';
import { leavesNoTempFolder, testApp } from './synth.ts';

function backendFor(env: NodeJS.ProcessEnv, prefix = 'transfer-records', region = 'us-east-1'): Record<string, unknown> {
  const stack = new TerraformStack(testApp(), 'transfer-records');
  configureBackend(stack, { env, prefix, region });
  return (JSON.parse(Testing.synth(stack)) as { terraform: { backend: Record<string, unknown> } }).terraform.backend;
}

describe('stacks/backend', () => {
  leavesNoTempFolder();
  it('keeps state in a local file at the repository root, outside cdktf.out', () => {
    expect(backendFor({})).to.deep.equal({ local: { path: localStatePath('transfer-records', 'us-east-1') } });
    // Terraform resolves the path from the synthesized folder it runs in.
    expect(resolve(REPO_ROOT, STACK_OUTPUT_DIR, localStatePath('transfer-records', 'us-east-1'))).to.equal(
      resolve(REPO_ROOT, 'terraform.transfer-records.us-east-1.tfstate'),
    );
  });

  it('gives each name prefix its own state', () => {
    expect(localStatePath('second-copy', 'us-east-1')).to.not.equal(localStatePath('transfer-records', 'us-east-1'));
    expect(backendFor({ TF_STATE_BUCKET: 'team-state' }, 'second-copy')).to.have.nested.property('s3.key', 'second-copy/us-east-1/terraform.tfstate');
  });

  // The same checkout deploying to a second region must not read, and rewrite, the first one's state.
  it('gives each region its own state, local or in S3', () => {
    expect(backendFor({}, 'transfer-records', 'eu-west-1')).to.have.nested.property('local.path').that.matches(/\/terraform\.transfer-records\.eu-west-1\.tfstate$/);
    expect(backendFor({ TF_STATE_BUCKET: 'team-state' }, 'transfer-records', 'eu-west-1')).to.have.nested.property(
      's3.key',
      'transfer-records/eu-west-1/terraform.tfstate',
    );
  });

  it('uses S3 with a lock file when TF_STATE_BUCKET is set, in the provider region by default', () => {
    expect(backendFor({ TF_STATE_BUCKET: 'team-state' })).to.deep.equal({
      s3: { bucket: 'team-state', key: 'transfer-records/us-east-1/terraform.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
    });
  });

  it('puts the bucket in TF_STATE_REGION when set', () => {
    expect(backendFor({ TF_STATE_BUCKET: 'team-state', TF_STATE_REGION: 'eu-central-1' })).to.have.nested.property(
      's3.region',
      'eu-central-1',
    );
  });

  it('treats an empty TF_STATE_BUCKET as unset', () => {
    expect(backendFor({ TF_STATE_BUCKET: '' })).to.have.property('local');
  });

  it('rejects an invalid bucket name with InvalidConfiguration', () => {
    for (const bucket of ['Team_State', 'ab', '-leading-hyphen']) {
      expect(() => backendFor({ TF_STATE_BUCKET: bucket }), bucket).to.throw(/TF_STATE_BUCKET/).with.property('name', 'InvalidConfiguration');
    }
  });
});

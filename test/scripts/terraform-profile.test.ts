// `AWS_PROFILE=doesnotexist make plan`: the preflight names the missing profile, where the SDK
// says only that no provider had credentials.
import { expect } from 'chai';
import sinon from 'sinon';
import { AwsCredentialsMissing, AwsProfileNotFound, checkProfile, preflight, type TerraformDeps } from '../../scripts/terraform.ts';
import { rejection } from '../helpers.ts';

const HOME = '/nonexistent-home';
const files: Record<string, string> = {
  [`${HOME}/.aws/config`]: '[default]\nregion = us-east-1\n\n[profile work]\nsso_session = corp\n\n[sso-session corp]\n',
  [`${HOME}/.aws/credentials`]: '[ci]\naws_access_key_id = AKIAEXAMPLE\n',
};
const read = (path: string) => files[path];

describe('scripts/terraform checkProfile', () => {
  it('passes a profile of the config file or the credentials file, and no profile at all', () => {
    for (const profile of ['default', 'work', 'ci']) expect(() => checkProfile({ HOME, AWS_PROFILE: profile }, read)).to.not.throw();
    expect(() => checkProfile({ HOME }, read)).to.not.throw();
  });

  it('names a profile that is in neither file, and where it looked', () => {
    for (const profile of ['doesnotexist', 'corp']) {
      expect(() => checkProfile({ HOME, AWS_PROFILE: profile }, read))
        .to.throw(AwsProfileNotFound, `AWS_PROFILE=${profile}, but no profile "${profile}" is in ${HOME}/.aws/config or ${HOME}/.aws/credentials`);
    }
    expect(() => checkProfile({ HOME, AWS_DEFAULT_PROFILE: 'gone' }, read)).to.throw(AwsProfileNotFound, 'AWS_DEFAULT_PROFILE=gone');
    expect(() => checkProfile({ AWS_PROFILE: 'x', AWS_CONFIG_FILE: '/c', AWS_SHARED_CREDENTIALS_FILE: '/k' }, () => undefined)).to.throw(AwsProfileNotFound, 'in /c or /k');
  });

  it('is what the preflight reports when credentials cannot be resolved under a missing profile', async () => {
    const deps: TerraformDeps = {
      env: { PATH: '/opt/bin', HOME, AWS_PROFILE: 'doesnotexist' },
      stackDir: '/repo/stack',
      repoRoot: '/repo',
      prefix: 'transfer-records',
      region: { region: 'us-east-1', source: 'default' },
      copyFile: sinon.stub(),
      exists: () => true,
      isExecutable: (path) => path === '/opt/bin/terraform',
      terraformVersion: sinon.stub().resolves('1.10.5'),
      credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      credentialsTimeoutMs: 1000,
      spawn: sinon.stub().resolves(0),
      log: () => undefined,
    };
    const error = await rejection(preflight(deps));
    expect(error).to.be.instanceOf(AwsProfileNotFound);
    expect(error.message).to.include('no profile "doesnotexist"');
    // Without a profile, the credentials' own error.
    const plain = await rejection(preflight({ ...deps, env: { PATH: '/opt/bin', HOME } }));
    expect(plain).to.be.instanceOf(AwsCredentialsMissing);
  });
});

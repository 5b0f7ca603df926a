// A host whose own AWS settings would break the offline run if they leaked into it: a profile
// that does not exist, or one whose SSO session has expired, and container and web-identity
// credential variables that lead nowhere.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type HostAwsSettings = 'missing-profile' | 'expired-sso';

const SSO_SESSION = 'corp';

const LEAKY = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/token',
  AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/nowhere',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
};

/** Sets the host's settings on process.env (and HOME); returns the function that puts everything back. */
export async function useHostAwsSettings(kind: HostAwsSettings): Promise<() => Promise<void>> {
  const saved = { ...process.env };
  const home = await mkdtemp(join(tmpdir(), 'host-aws-'));
  const restore = async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await rm(home, { recursive: true, force: true });
  };
  Object.assign(process.env, LEAKY, { HOME: home });
  if (kind === 'missing-profile') {
    process.env.AWS_PROFILE = 'does-not-exist';
    return restore;
  }
  const aws = join(home, '.aws');
  await mkdir(join(aws, 'sso', 'cache'), { recursive: true });
  const config = join(aws, 'config');
  await writeFile(
    config,
    [
      '[profile expired]',
      `sso_session = ${SSO_SESSION}`,
      'sso_account_id = 111122223333',
      'sso_role_name = Admin',
      'region = eu-west-1',
      `[sso-session ${SSO_SESSION}]`,
      'sso_start_url = https://example.awsapps.com/start',
      'sso_region = eu-west-1',
      '',
    ].join('\n'),
  );
  // The SDK looks the session's token up by the SHA-1 of its name; this one expired a day ago.
  await writeFile(
    join(aws, 'sso', 'cache', `${createHash('sha1').update(SSO_SESSION).digest('hex')}.json`),
    JSON.stringify({
      accessToken: 'expired',
      expiresAt: new Date(Date.now() - 86_400_000).toISOString(),
      region: 'eu-west-1',
      startUrl: 'https://example.awsapps.com/start',
    }),
  );
  Object.assign(process.env, { AWS_PROFILE: 'expired', AWS_CONFIG_FILE: config });
  return restore;
}

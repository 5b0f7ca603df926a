// The region a deployment goes to, found as the AWS CLI finds it: AWS_REGION, then
// AWS_DEFAULT_REGION, then the `region` of the profile AWS_PROFILE names (or `default`) in the
// shared config file. An empty variable counts as unset. The stack, `make plan|deploy|destroy`
// and `make run` all ask this one function.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkRegion, DEFAULT_REGION } from '../workflow/resources.ts';

/** Where the region came from, as the deploy prints it. */
export type RegionSource = 'AWS_REGION' | 'AWS_DEFAULT_REGION' | `profile ${string}` | 'default';

export interface DeployRegion {
  region: string;
  source: RegionSource;
}

const set = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The shared config file's path: AWS_CONFIG_FILE, else ~/.aws/config. */
export function sharedConfigPath(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  return set(env.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config');
}

/** The `region` of one profile in a shared config file's text: `[default]` or `[profile name]`. */
export function profileRegion(configText: string, profile: string): string | undefined {
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inProfile = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inProfile = wanted.includes(section[1]!.replace(/\s+/g, ' '));
      continue;
    }
    const setting = /^region\s*=\s*(.*)$/.exec(line);
    if (inProfile && setting) return set(setting[1]);
  }
  return undefined;
}

/**
 * The deployment's region and where it came from. `readConfig` returns the shared config file's
 * text, or undefined when there is none. A malformed region is refused by name (InvalidRegion).
 */
export function resolveRegion(env: NodeJS.ProcessEnv, readConfig: () => string | undefined): DeployRegion {
  const profile = set(env.AWS_PROFILE) ?? 'default';
  const fromProfile = (): DeployRegion | undefined => {
    const region = profileRegion(readConfig() ?? '', profile);
    return region === undefined ? undefined : { region, source: `profile ${profile}` };
  };
  const variable = (name: 'AWS_REGION' | 'AWS_DEFAULT_REGION'): DeployRegion | undefined => {
    const region = set(env[name]);
    return region === undefined ? undefined : { region, source: name };
  };
  const resolved: DeployRegion = variable('AWS_REGION') ?? variable('AWS_DEFAULT_REGION') ?? fromProfile() ?? { region: DEFAULT_REGION, source: 'default' };
  checkRegion(resolved.region, resolved.source === 'default' ? 'the default region' : resolved.source);
  return resolved;
}

/** The shared config file's text, or undefined when it cannot be read. */
export function readSharedConfig(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return readFileSync(sharedConfigPath(env), 'utf8');
  } catch {
    return undefined;
  }
}

/** resolveRegion with the shared config file read from disk. */
export function deployRegion(env: NodeJS.ProcessEnv = process.env): DeployRegion {
  return resolveRegion(env, () => readSharedConfig(env));
}

/** How the deploy names the region and its source, e.g. `eu-west-1 (from profile work)`. */
export function describeRegion({ region, source }: DeployRegion): string {
  return source === 'default' ? `${region} (no AWS_REGION, AWS_DEFAULT_REGION or profile region set: the default)` : `${region} (from ${source})`;
}

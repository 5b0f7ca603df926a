// Starts the emulators, provisions the workflow's resources on them and hands back everything
// the engine needs to run against them, with a stop() that lets the process exit.
import { APP, DEFAULT_WORKFLOW } from '../../workflow/app.ts';
import type { Application } from '../../workflow/description.ts';
import { resourceName } from '../../workflow/names.ts';
import { namePrefix, region as configuredRegion } from '../../workflow/settings.ts';
import type { LocalEnvironment } from '../contracts.ts';
import { createLocalClients, emulatorEnvironment, startEmulators, type Door } from '../services/emulators.ts';
import {
  AccessDenied,
  assertPermitted,
  InvalidSessionToken,
  principalFromToken,
  type Principal,
} from '../services/iam.ts';
import { EMULATED_PERMISSIONS } from '../bridge/index.ts';
import { InvalidQueueUrl, LOCAL_ACCOUNT_ID, provision } from '../services/provision.ts';
import { putUserObjects, userBuckets, type UserS3Data } from '../services/s3-data.ts';
import { startS3Emulator, type S3Emulator } from '../services/s3-emulator.ts';
import { startMessaging } from '../services/messaging.ts';
import { createUserMessaging, type UserMessaging } from '../services/user-messaging.ts';

/** Checks a local role's call against the policy its session token carries. */
function iamDoor(region: string, accountId: string): Door {
  // A role sends the same token on every call: decode its policy once.
  const principals = new Map<string, Principal | undefined>();
  const principalOf = (token: string) => {
    if (!principals.has(token)) principals.set(token, principalFromToken(token));
    return principals.get(token);
  };
  return ({ service, sessionToken, operation, params }) => {
    try {
      const principal = principalOf(sessionToken);
      if (!principal) return undefined;
      const permission = EMULATED_PERMISSIONS[service]!(operation, params, region, accountId);
      assertPermitted(principal.policy, principal.arn, permission);
      return undefined;
    } catch (error) {
      if (error instanceof AccessDenied) return { code: 'AccessDeniedException', message: error.message };
      if (error instanceof InvalidSessionToken) return { code: 'UnrecognizedClientException', message: error.message };
      // A queue URL that names no queue reaches no resource: the emulator answers it with its own error.
      if (error instanceof InvalidQueueUrl) return undefined;
      throw error;
    }
  };
}

export interface EnvironmentOptions {
  prefix?: string;
  /** The application whose resources are provisioned; the repository's by default. */
  app?: Application;
  /** The workflow the environment runs; transfer-records by default. */
  workflow?: string;
  /** The user's buckets and objects, created on the S3 emulator besides the application's. */
  s3Data?: UserS3Data;
  /** The user's SNS topics and EventBridge rules, and the queues they deliver to. */
  messaging?: UserMessaging;
}

export async function startLocalEnvironment(options: EnvironmentOptions = {}): Promise<LocalEnvironment> {
  // The same rule as NAME_PREFIX, whichever way the prefix comes in.
  const prefix = namePrefix(options.prefix === undefined ? process.env : { NAME_PREFIX: options.prefix });
  const region = configuredRegion();
  const accountId = LOCAL_ACCOUNT_ID;
  const app = options.app ?? APP;
  const emulators = await startEmulators({ region, accountId, door: iamDoor(region, accountId) });
  const appBuckets = app.resources.filter((r) => r.kind === 'bucket').map((r) => resourceName(prefix, r));
  const buckets = [...new Set([...appBuckets, ...userBuckets(options.s3Data)])];
  let s3: S3Emulator | undefined;
  const messaging = startMessaging(region, accountId, emulators.endpoints);
  const stop = async () => {
    messaging.stop();
    await Promise.all([emulators.stop(), s3?.stop()]);
  };
  const endpoints = { ...emulators.endpoints };
  const clients = createLocalClients(region, emulators.endpoints);
  try {
    if (buckets.length > 0) {
      s3 = await startS3Emulator(buckets);
      endpoints.s3 = s3.endpoint;
      const { s3: s3Client } = createLocalClients(region, endpoints);
      await putUserObjects(s3Client, options.s3Data).finally(() => s3Client.destroy());
    }
    const resources = await provision(clients, {
      app,
      workflow: options.workflow ?? DEFAULT_WORKFLOW,
      prefix,
      region,
      accountId,
    });
    await createUserMessaging(messaging, clients.sqs, options.messaging, region, accountId);
    return {
      endpoints,
      resources,
      envLines: Object.entries(emulatorEnvironment(endpoints, region)).map(([key, value]) => `${key}=${value}`),
      queueMessages: emulators.queueMessages,
      tableItemsJson: emulators.tableItemsJson,
      messaging,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

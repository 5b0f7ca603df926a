// The one place AWS SDK clients are built for the tools that run outside Lambda
// (the AWS run client and the offline runtime). The seed Lambda builds its own.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface ClientOptions {
  region: string;
  /**
   * Service endpoints, for the offline emulators; AWS's own when absent. With endpoints, the
   * clients are hermetic: credentials are required, and nothing is read from the host's
   * AWS_* variables or ~/.aws files (a profile there, expired or missing, must not matter).
   */
  endpoints?: { dynamodb?: string; sqs?: string; sfn?: string; s3?: string };
  /** A session token too for a local role's calls, which the emulators' IAM door reads. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * A transport for an endpoint that its caller reaches better than over HTTP (the offline
   * runtime's emulators, in the same process); undefined keeps the SDK's HTTP handler.
   */
  transportFor?: (url: string) => Transport | undefined;
}

/** An SDK request handler (@smithy's HttpHandler), which a client takes as its requestHandler. */
export type Transport = {
  handle(request: never, options?: never): Promise<unknown>;
  destroy(): void;
};

export interface Clients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sfn: SFNClient;
  /** Reads a distributed Map's key list and results (the at-scale workflow). */
  s3: S3Client;
}

export class MissingCredentials extends Error {
  override name = 'MissingCredentials';
}

/**
 * Every setting the SDK would otherwise look up in the environment or the shared config files,
 * at the SDK's own defaults: a client given all of them never reads either.
 */
const HERMETIC_SETTINGS = {
  defaultsMode: 'legacy',
  maxAttempts: 3,
  retryMode: 'standard',
  useFipsEndpoint: false,
  useDualstackEndpoint: false,
  accountIdEndpointMode: 'disabled',
  authSchemePreference: [],
  requestChecksumCalculation: 'WHEN_SUPPORTED',
  responseChecksumValidation: 'WHEN_SUPPORTED',
  userAgentAppId: '',
  disableRequestCompression: true,
} as const;

/**
 * Work an emulator in this process never needs: each command's middleware is resolved once per
 * client instead of on every send (the same middleware runs; middleware must be added before a
 * command's first send, as the bridge does).
 */
const LOCAL_SETTINGS = { cacheMiddleware: true } as const;

/**
 * The User-Agent the SDK assembles on every call (SDK, Node and OS versions, features used):
 * AWS keeps it for its own statistics and no emulator reads it, so an in-process emulator's
 * clients skip building it. Nothing the bridge sees depends on it.
 */
const USER_AGENT_MIDDLEWARE = 'getUserAgentMiddleware';

/**
 * SQS's MD5 checks: the SDK hashes each body it sent or received again and compares the sums the
 * answer carries, against damage on the wire. An emulator in this process computes those sums
 * from the very bytes the client sent, with no wire between them: its clients skip the second
 * hashing (the SDK's own setting). The answers still carry the emulator's sums.
 */
const IN_PROCESS_SQS_SETTINGS = { md5: false } as const;

function withoutUserAgent<T extends DynamoDBClient | SQSClient | SFNClient | S3Client>(client: T, inProcess: boolean): T {
  if (inProcess) client.middlewareStack.remove(USER_AGENT_MIDDLEWARE);
  return client;
}

export function createClients(options: ClientOptions): Clients {
  const offline = options.endpoints !== undefined;
  if (offline && !options.credentials) {
    throw new MissingCredentials('clients of the emulators need explicit credentials, never the host profile');
  }
  const common = {
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(offline ? { ...HERMETIC_SETTINGS, ...LOCAL_SETTINGS, authSchemePreference: [...HERMETIC_SETTINGS.authSchemePreference] } : {}),
  };
  const transport = (url: string | undefined) => (url === undefined ? undefined : options.transportFor?.(url));
  const endpoint = (url: string | undefined) => {
    const requestHandler = transport(url);
    return url ? { endpoint: url, ...(requestHandler ? { requestHandler } : {}) } : {};
  };
  const { dynamodb, sqs, sfn, s3 } = options.endpoints ?? {};
  const inProcess = (url: string | undefined) => transport(url) !== undefined;
  return {
    dynamodb: withoutUserAgent(
      new DynamoDBClient({ ...common, ...(offline ? { endpointDiscoveryEnabled: false } : {}), ...endpoint(dynamodb) }),
      inProcess(dynamodb),
    ),
    sqs: withoutUserAgent(new SQSClient({ ...common, ...(inProcess(sqs) ? IN_PROCESS_SQS_SETTINGS : {}), ...endpoint(sqs) }), inProcess(sqs)),
    sfn: withoutUserAgent(new SFNClient({ ...common, ...endpoint(sfn) }), inProcess(sfn)),
    // An S3 emulator answers path-style requests (/bucket/key) only.
    s3: withoutUserAgent(new S3Client({ ...common, ...(s3 ? { forcePathStyle: true } : {}), ...endpoint(s3) }), inProcess(s3)),
  };
}

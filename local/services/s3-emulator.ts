// The S3 emulator: s3rver, in this process, on 127.0.0.1 and an ephemeral port, storing its
// objects in a temporary folder removed when it stops (or, for a run killed before it could, at
// the next start: the folder's name carries its process id). It speaks the S3 REST protocol, so the
// seed's SDK client (PutObject, multipart uploads) and the bridge's GetObject/PutObject reach it
// as they would reach S3. Every request is checked first (s3-request.ts), and s3rver runs with a
// store of this project's (s3-store.ts), its listing's next pages (s3-listing.ts) and its form
// uploads read and checked first (s3-form-upload.ts).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from './emulators.ts';
import { iamS3Door } from './s3-door.ts';
import { formUploads } from './s3-form-upload.ts';
import { listingPages } from './s3-listing.ts';
import { keyAsOneSegment, refuseS3, s3RequestProblem, s3Target, type S3Refusal } from './s3-request.ts';
import { keyedStoreClass, type S3rverModels } from './s3-store.ts';

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}

// A Koa middleware, as s3rver (a Koa application) keeps them.
type KoaMiddleware = (ctx: never, next: () => Promise<void>) => Promise<void>;

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer: Server;
  store: object;
  context: { store: object };
  middleware: KoaMiddleware[];
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Decides on a request before the emulator sees it; undefined lets it through. */
export type S3Door = (req: IncomingMessage) => S3Refusal | undefined;

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

// s3rver (CommonJS, no type declarations: s3rver.d.ts) is imported at the first S3 request, not
// for a run that makes none. The CLI's bundle holds it and its dependencies in a chunk of their
// own (scripts/build.ts): one file read instead of some three hundred resolved and read from
// node_modules, which took 0.23 s of an at-scale run's seed; the chunk takes half that.
async function loadS3rver(): Promise<{
  S3rver: new (options: S3rverOptions) => S3rverServer;
  Store: new (directory: string) => object;
  S3Object: S3rverModels['S3Object'];
  S3Error: S3rverModels['S3Error'];
}> {
  const [{ default: S3rver }, { default: account }, { default: FilesystemStore }, { default: S3Object }, { default: S3Error }] = await Promise.all([
    import('s3rver') as Promise<{ default: new (options: S3rverOptions) => S3rverServer }>,
    import('s3rver/lib/models/account.js') as Promise<{ default: { DUMMY_ACCOUNT: S3rverAccount } }>,
    import('s3rver/lib/stores/filesystem.js') as Promise<{ default: S3rverModels['FilesystemStore'] }>,
    import('s3rver/lib/models/object.js') as Promise<{ default: S3rverModels['S3Object'] }>,
    import('s3rver/lib/models/error.js') as Promise<{ default: S3rverModels['S3Error'] }>,
  ]);
  // s3rver answers InvalidAccessKeyId to any key but its own: the local one is let in, as the
  // other emulators accept any key. It checks no v4 signature, so the secret plays no part.
  account.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  return { S3rver, Store: keyedStoreClass({ FilesystemStore, S3Object, S3Error }), S3Object, S3Error };
}

// s3rver 3.7's middleware: its logger, its XML answers, Express's mount path, virtual hosts, its routes.
const S3RVER_MIDDLEWARE = 5;

/**
 * s3rver with this emulator's store (s3-store.ts), its listing pages (s3-listing.ts) and its form
 * uploads read and checked first (s3-form-upload.ts), the middleware placed just before s3rver's
 * routes, its last.
 */
function withOwnStore(server: S3rverServer, store: object, middleware: KoaMiddleware[]): S3rverServer {
  if (server.middleware.length !== S3RVER_MIDDLEWARE) throw new Error('s3rver is not the version the S3 emulator was written for (3.7): its middleware differs');
  server.store = server.context.store = store;
  server.middleware.splice(-1, 0, ...middleware);
  return server;
}

const HOST = '127.0.0.1';

const FOLDER_PREFIX = 'transfer-records-s3-';
/** A folder of ours: the prefix, the owning process's id, mkdtemp's random suffix. */
const OWNED_FOLDER = new RegExp(`^${FOLDER_PREFIX}(\\d+)-[A-Za-z0-9]+$`);

/** Whether a process of that id runs; one of another user's answers EPERM, and is alive too. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the emulator folders under `parent` whose process is gone: a run killed with SIGKILL,
 * by a crash or by the out-of-memory killer never reached its stop(). Returns their paths.
 */
export async function sweepDeadRunFolders(parent: string = tmpdir(), alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const dead = names.filter((name) => {
    const pid = OWNED_FOLDER.exec(name)?.[1];
    return pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid));
  });
  const paths = dead.map((name) => join(parent, name));
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true }).catch(() => undefined)));
  return paths;
}

export interface S3Emulator {
  endpoint: string;
  /** Where the objects are kept while it runs. */
  directory: string;
  stop(): Promise<void>;
}

// Query parameters of a request on an object itself (not on a sub-resource such as ?acl or ?tagging).
const OBJECT_QUERY = new Set(['x-id', 'versionId', 'partNumber', 'uploadId', 'uploads']);
const CHECKSUM_HEADER = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/;

/**
 * What S3 adds to a successful answer about an object that s3rver does not: its default
 * encryption (SSE-S3, every new object since January 2023: `x-amz-server-side-encryption:
 * AES256`) and, for PutObject, the checksum the upload carried with its type (FULL_OBJECT), which
 * the SDK reads back as ServerSideEncryption, ChecksumCRC32 and ChecksumType, as AWS recorded
 * an aws-sdk:s3:putObject Task's result. The checksum is echoed, not verified: the SDK computes it.
 */
function objectHeaders(req: IncomingMessage): Record<string, string> | undefined {
  const { bucket, key, query } = s3Target(req.url ?? '/');
  if (bucket === '' || key === '' || [...query.keys()].some((name) => !OBJECT_QUERY.has(name))) return undefined;
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  const putObject = req.method === 'PUT' && !query.has('uploadId') && req.headers['x-amz-copy-source'] === undefined;
  if (putObject) {
    for (const [name, value] of Object.entries(req.headers)) {
      if (CHECKSUM_HEADER.test(name) && typeof value === 'string') Object.assign(headers, { [name]: value, 'x-amz-checksum-type': 'FULL_OBJECT' });
    }
  }
  return headers;
}

/** Adds `headers` to the response if it succeeds (an error answer of S3's carries none of them). */
function onSuccess(res: ServerResponse, headers: Record<string, string>): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  // Node calls writeHead for an implicit head too (res.end without it).
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status < 300) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

/**
 * Starts the emulator with the given buckets; it takes the local access key, and its door (by
 * default the local IAM) checks every call a local role makes. Its endpoint listens at once, but
 * s3rver itself (a tenth of a second to load) starts at the first request the door lets through,
 * creating the buckets then: most runs never call S3, and the answers are the same either way.
 */
export async function startS3Emulator(buckets: string[], door: S3Door = iamS3Door): Promise<S3Emulator> {
  await sweepDeadRunFolders();
  const directory = await mkdtemp(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  let started: Promise<S3rverServer> | undefined;
  let handler: RequestHandler | undefined;
  const start = async (): Promise<S3rverServer> => {
    const { S3rver, Store, S3Object, S3Error } = await loadS3rver();
    const options = { address: HOST, port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) };
    const server = withOwnStore(new S3rver(options), new Store(directory), [listingPages(S3Error), formUploads(S3Error, S3Object.STORAGE_CLASSES)] as KoaMiddleware[]);
    await server.run();
    // Requests come through the endpoint below, to s3rver's own handler; its server only idles.
    [handler] = server.httpServer.listeners('request') as RequestHandler[];
    return server;
  };
  const endpoint = createServer((req, res) => {
    const refusal = s3RequestProblem(req.url ?? '/') ?? door(req);
    if (refusal) {
      refuseS3(res, refusal);
      return;
    }
    req.url = keyAsOneSegment(req.url ?? '/');
    const headers = objectHeaders(req);
    if (headers) onSuccess(res, headers);
    if (handler) handler(req, res);
    else {
      started ??= start();
      started.then(
        () => handler!(req, res),
        // S3's InternalError (500), which the SDK retries.
        (error: unknown) => refuseS3(res, { code: 'InternalError', status: 500, message: `the S3 emulator did not start: ${(error as Error).message}` }),
      );
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      endpoint.once('error', reject);
      endpoint.listen(0, HOST, () => {
        endpoint.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const { port } = endpoint.address() as AddressInfo;
  return {
    endpoint: `http://${HOST}:${port}`,
    directory,
    stop: async () => {
      const closed = new Promise<void>((resolve) => endpoint.close(() => resolve()));
      // The SDK's keep-alive sockets would otherwise hold the close open.
      endpoint.closeAllConnections();
      await closed;
      const server = await started?.catch(() => undefined);
      await server?.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

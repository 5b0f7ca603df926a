// `make serve`: the emulators and a local Step Functions endpoint, until Ctrl-C.
import { pathToFileURL } from 'node:url';
import { InvalidArguments, parseOptions, parseQueueType } from '../../execution/args.ts';
import { APP, withQueueType } from '../../workflow/app.ts';
import { startLocalEnvironment } from '../host/environment.ts';
import { loadMockConfig } from '../host/mock-config.ts';
import { MOCK_CONFIG_ENV } from './mock-cases.ts';
import { serveInstructions } from './instructions.ts';
import { LOOPBACK, startApiServer } from './server.ts';

/** The port `make serve` listens on unless PORT says otherwise: Step Functions Local's. */
export const DEFAULT_PORT = 8083;

export class InvalidPort extends Error {
  override name = 'InvalidPort';
}

export class PortInUse extends Error {
  override name = 'PortInUse';
}

/** Node's bare `listen EADDRINUSE` says neither whose port it is nor what to do: name both. */
export function explainListenError(error: unknown, port: number): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error;
  return new PortInUse(`port ${port} on ${LOOPBACK} is already in use (another make serve?); pick another with PORT=<port>, e.g. make serve PORT=0 for a free one`);
}

export function parsePort(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidPort(`PORT must be 0-65535 (0 picks a free one), got "${text}"`);
  return port;
}

/** What `make serve` takes, and its bundle's options. */
export const USAGE = `Usage: make serve [PORT=n] [QUEUE=fifo] [MOCK_CONFIG=file]
   or: node dist/local-serve.mjs [--port N] [--queue standard|fifo] [--mock-config FILE]`;

async function serve(argv: string[]): Promise<void> {
  let values: { port?: string; queue?: string; 'mock-config'?: string };
  try {
    values = parseOptions(argv, { port: { type: 'string' }, queue: { type: 'string' }, 'mock-config': { type: 'string' } });
  } catch (error) {
    if (error instanceof InvalidArguments) throw new InvalidArguments(`${error.message}\n${USAGE}`);
    throw error;
  }
  const port = parsePort(values.port ?? process.env.PORT);
  // Step Functions Local's SFN_MOCK_CONFIG, read and checked before anything starts.
  const mockPath = values['mock-config'] || process.env[MOCK_CONFIG_ENV] || undefined;
  const mockConfig = mockPath === undefined ? undefined : await loadMockConfig(mockPath);
  const env = await startLocalEnvironment(values.queue === undefined ? {} : { app: withQueueType(APP, parseQueueType(values.queue)) });
  try {
    const server = await startApiServer({ env, port, ...(mockConfig ? { mockConfig } : {}) }).catch((error: unknown) => {
      throw explainListenError(error, port);
    });
    process.stderr.write(serveInstructions(env, server));
    if (mockConfig) process.stderr.write(`Mock configuration ${mockConfig.path}: start an execution with --state-machine-arn <arn>#<TestCase> to run under a test case.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stderr.write('Stopping: executions in flight are aborted.\n');
    await server.stop();
  } finally {
    await env.stop();
  }
}

/** Serves until Ctrl-C; a failure to start is one named line and exit status 2. */
export async function runAsCommand(): Promise<void> {
  try {
    await serve(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAsCommand();
}

// `make serve`'s command (dist/local-serve.mjs) in a process of its own on a free port, for the
// benchmarks that measure a warm endpoint: started once its banner has named every endpoint, and
// stopped with Ctrl-C's signal, as a user stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVE_CLI } from '../scripts/build.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_DEADLINE_MS = 30_000;

export class ServeFailed extends Error {
  override name = 'ServeFailed';
}

export interface Serve {
  child: ChildProcess;
  /** Step Functions' URL (and SNS's, EventBridge's, IAM's). */
  url: string;
  dynamodb: string;
  sqs: string;
}

// The banner's lines that name the endpoints; the SQS export is among its last lines.
const STEP_FUNCTIONS = /Step Functions\s+(http:\/\/127\.0\.0\.1:\d+)/;
const DYNAMODB = /AWS_ENDPOINT_URL_DYNAMODB=(http:\/\/127\.0\.0\.1:\d+)/;
const SQS = /AWS_ENDPOINT_URL_SQS=(http:\/\/127\.0\.0\.1:\d+)/;

/** Starts `make serve`'s command on a free port; resolves once its banner names every endpoint. */
export function startServe(): Promise<Serve> {
  const bundle = join(ROOT, SERVE_CLI.outfile);
  if (!existsSync(bundle)) return Promise.reject(new ServeFailed(`${SERVE_CLI.outfile} is missing: run make build (make bench builds it first)`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, '--port=0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let listening = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServeFailed(`make serve's command did not listen within ${START_DEADLINE_MS} ms: ${stderr.trim()}`));
    }, START_DEADLINE_MS);
    // Read to the end, so that the server never waits on a full pipe; kept only until it listens.
    child.stderr!.on('data', (chunk: Buffer) => {
      if (listening) return;
      stderr += chunk;
      const [url, dynamodb, sqs] = [STEP_FUNCTIONS, DYNAMODB, SQS].map((pattern) => pattern.exec(stderr)?.[1]);
      if (url !== undefined && dynamodb !== undefined && sqs !== undefined) {
        listening = true;
        clearTimeout(deadline);
        resolve({ child, url, dynamodb, sqs });
      }
    });
    child.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      reject(new ServeFailed(`make serve's command ended with ${signal ?? `exit ${code}`} before it listened: ${stderr.trim()}`));
    });
  });
}

/** Stops the server as Ctrl-C does; kills it if it has not ended ten seconds later. */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killed);
}

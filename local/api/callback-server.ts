// The endpoint a CLI run answers its task tokens on: SendTaskSuccess, SendTaskFailure,
// SendTaskHeartbeat and GetActivityTask over the run's own registry, started when the run first
// waits for a token, with the commands that answer it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskTokenRequest } from '../../engine/index.ts';
import { LOCAL_CREDENTIALS } from '../services/emulators.ts';
import { getActivityTask } from './activities.ts';
import { loopbackOnly } from './host.ts';
import { protocolHandler } from './protocol.ts';
import { LOOPBACK } from './server.ts';
import { taskTokenOperations } from './task-token-operations.ts';
import { TaskTokenRegistry } from './task-tokens.ts';

export interface CallbackServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startCallbackServer(tokens: TaskTokenRegistry, onInternalError: (error: Error) => void): Promise<CallbackServer> {
  const stopping = new AbortController();
  // A run's activities are those its definition names: any activity ARN is polled.
  const operations = { ...taskTokenOperations(tokens), GetActivityTask: getActivityTask(tokens, stopping.signal, () => undefined) };
  const server = createServer(loopbackOnly(protocolHandler(operations, onInternalError)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: async () => {
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** What the CLI prints when its run waits on a token: the token and the AWS CLI commands that answer it. */
export function tokenInstructions(endpoint: string, region: string, token: string, request: TaskTokenRequest): string {
  const aws = `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws stepfunctions`;
  const common = `--endpoint-url ${endpoint} --region ${region}`;
  const lines = [
    '',
    request.activity
      ? `State "${request.stateName}" waits for a worker of activity ${request.activity.arn}; its task token:`
      : `State "${request.stateName}" waits for its task token to be answered:`,
    `  ${token}`,
    'Answer it from another shell (the run goes on when answered):',
    `  ${aws} send-task-success ${common} --task-token '${token}' --task-output '{}'`,
    `  ${aws} send-task-failure ${common} --task-token '${token}' --error MyError --cause 'why'`,
    `  ${aws} send-task-heartbeat ${common} --task-token '${token}'`,
  ];
  if (request.activity) lines.push('or run a worker:', `  ${aws} get-activity-task ${common} --activity-arn ${request.activity.arn}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A CLI run's task tokens: the endpoint that answers them starts when the first one opens, and
 * each token is printed with its commands as it opens. `stop` closes the endpoint, if started.
 */
export function runTaskTokens(write: (text: string) => void): { tokens: TaskTokenRegistry; stop(): Promise<void> } {
  let server: Promise<CallbackServer> | undefined;
  const tokens = new TaskTokenRegistry({
    onOpen: (token, request) => {
      server ??= startCallbackServer(tokens, (error) => write(`${error.name}: ${error.message}\n`));
      const region = request.execution.executionArn.split(':')[3]!;
      server.then(
        (started) => write(tokenInstructions(started.endpoint, region, token, request)),
        (error: Error) => write(`CallbackEndpointNotStarted: the task token cannot be answered: ${error.message}\n`),
      );
    },
  });
  return {
    tokens,
    stop: async () => {
      const started = await server?.catch(() => undefined);
      await started?.stop();
    },
  };
}

// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: the answers to a task token, with AWS's
// errors (InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput) raised by the registry.
import { optionalString, requiredString, type Body } from './fields.ts';
type Operation = (body: Body) => unknown;
import type { TaskTokenRegistry } from './task-tokens.ts';

// AWS's length constraints (API reference): a token up to 2048 characters, an output up to 256 KiB.
const MAX_TOKEN = 2048;
const MAX_OUTPUT = 262_144;
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

const taskToken = (body: Body) => requiredString(body, 'taskToken', MAX_TOKEN);

export function taskTokenOperations(tokens: TaskTokenRegistry): Record<string, Operation> {
  return {
    SendTaskSuccess: (body) => {
      const token = taskToken(body);
      tokens.succeed(token, requiredString(body, 'output', MAX_OUTPUT));
      return {};
    },
    SendTaskFailure: (body) => {
      const token = taskToken(body);
      tokens.fail(token, optionalString(body, 'error', MAX_ERROR), optionalString(body, 'cause', MAX_CAUSE));
      return {};
    },
    SendTaskHeartbeat: (body) => {
      tokens.heartbeat(taskToken(body));
      return {};
    },
  };
}

// Shared by the engine's tests: an execution context and a runner with a scripted dispatcher.
import { runExecution, type Dispatcher, type EngineOptions, type ExecutionContext, type ExecutionResult } from '../../engine/index.ts';

export const CONTEXT: ExecutionContext = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:machine:run-1',
  executionName: 'run-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine',
  stateMachineName: 'machine',
  roleArn: 'arn:aws:iam::123456789012:role/machine',
  startTime: new Date('2024-05-01T12:00:00.000Z'),
};

export const noDispatch: Dispatcher = async (call) => {
  throw new Error(`no dispatch expected, got ${call.resource}`);
};

/** A named error as a dispatcher rejects with it. */
export function failure(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export function run(definition: unknown, input: unknown = {}, options: Partial<EngineOptions> = {}): Promise<ExecutionResult> {
  return runExecution(definition, input, CONTEXT, { dispatch: noDispatch, ...options });
}

export function types(result: ExecutionResult): string[] {
  return result.history.map((event) => event.type);
}

/** A one-state machine (plus optional extra states). */
export function machine(state: Record<string, unknown>, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}): unknown {
  return { StartAt: 'S', States: { S: state, ...extra }, ...top };
}

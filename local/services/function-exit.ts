// A function's process.exit, in process. On Lambda the runtime's process ends and the invocation
// fails with Runtime.ExitError; here that process is the host's (the run, `make serve`), which
// must go on. While invocations run, process.exit called from a function's code (its async
// context) throws RuntimeExited instead: the function's code stops where it stands, and the
// invocation fails as Lambda reports it. A call from anywhere else exits as it always does.
import { AsyncLocalStorage } from 'node:async_hooks';
import { invocationPatch } from './invocation-patch.ts';

/** Lambda's error for a runtime that exited during an invocation; its document has no trace. */
export class RuntimeExited extends Error {
  override name = 'Runtime.ExitError';
}

// The request id of the invocation whose code is running.
const invocation = new AsyncLocalStorage<string>();

/** The runtime's words for an exit status: 0 gives no reason. */
function exitMessage(requestId: string, status: number): string {
  const error = status === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${status}`;
  return `RequestId: ${requestId} Error: ${error}`;
}

function installExitGuard(): () => void {
  const hostExit = process.exit;
  process.exit = ((code?: number | string | null) => {
    const requestId = invocation.getStore();
    if (requestId === undefined) return hostExit.call(process, code);
    throw new RuntimeExited(exitMessage(requestId, Number(code ?? process.exitCode ?? 0)));
  }) as typeof process.exit;
  return () => {
    process.exit = hostExit;
  };
}

/** Installs the guard while at least one invocation runs. */
export const exitGuard = invocationPatch(invocation, installExitGuard);

/** Runs a function's code as the invocation `requestId`'s: its process.exit fails that invocation. */
export function asInvocation<T>(requestId: string, call: () => T): T {
  return invocation.run(requestId, call);
}

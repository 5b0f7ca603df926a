// The one engine host: what the CLI run (local/run.ts) and the endpoint (local/api/executions.ts)
// both hand the engine for an execution, its Task states dispatched to the bridge's handlers
// with their calls in flight tracked, and a Map Run's children started only if the state
// machine's role may (states:StartExecution); a mock configuration's test case answers the states it names.
import { StatesError, type Dispatcher } from '../../engine/index.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import { handlerFor } from '../bridge/index.ts';
import type { TaskHandler } from '../contracts.ts';
import { mockingDispatcher, type MockedCall, type TestCase, type TokenAnswers } from './mock-config.ts';
import { assertMayStartChildren, stateMachinePrincipal } from '../services/iam.ts';

export interface EngineHostOptions {
  /** The bridge's handlers for the machine's Task states and Map storage. */
  handlers: Record<string, TaskHandler>;
  /** The machine's role, by ARN, and the statements of its policy. */
  roleArn: string;
  policy: PolicyStatement[];
  stateMachineName: string;
  /** Service calls still running, added as each starts and removed as it settles: awaited before the emulators stop. */
  inFlight: Set<Promise<unknown>>;
  /** Why no further call may be made (the run failed), if so. */
  refusal?: () => Error | undefined;
  /** A mock configuration's test case: the states it names are answered from it (a callback's through `tokens`), the others as usual. */
  mock?: { testCase: TestCase; onMocked?: (call: MockedCall) => void; tokens?: TokenAnswers };
}

export interface EngineHost {
  dispatch: Dispatcher;
  /** Throws IAM's AccessDenied when the role may not start the state machine's executions. */
  authorizeChildStart: (stateMachineArn: string) => void;
}

export function engineHost(options: EngineHostOptions): EngineHost {
  const { handlers, inFlight, refusal, mock } = options;
  const principal = stateMachinePrincipal(options.roleArn, options.stateMachineName);
  const called: Dispatcher = (call) => {
    // Once the run has failed, no call AWS would not have made is made.
    const failure = refusal?.();
    if (failure) return Promise.reject(new StatesError('States.Runtime', `the offline run failed: ${failure.message}`));
    const handler = handlerFor(handlers, call);
    if (!handler) return Promise.reject(new StatesError('States.Runtime', `no local handler for state "${call.stateName}"`));
    const pending = handler(call.parameters, call);
    inFlight.add(pending);
    const forget = () => inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  };
  const dispatch = mock ? mockingDispatcher(called, mock.testCase, mock.onMocked, mock.tokens) : called;
  return { dispatch, authorizeChildStart: (stateMachineArn) => assertMayStartChildren(options.policy, principal, stateMachineArn) };
}

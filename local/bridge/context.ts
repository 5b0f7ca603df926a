// What every integration needs for one run: the state machine's identity and policy, and the faults.
import type { TaskCall as DispatchedCall } from '../../engine/index.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import type { LocalResources } from '../contracts.ts';
import { AccessDenied, assertPermittedRemembering, type RequiredPermission } from '../services/iam.ts';
import { accessDeniedFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';

/**
 * Throws while a matching fault has failures left; otherwise lets the call go ahead. Called at the
 * request (before the call) and, for calls whose answer a fault may lose, at the answer (after it).
 */
export type FaultInjector = (service: string, action: string, moment?: 'request' | 'answer') => void;

export interface CallContext {
  resources: LocalResources;
  /** The state machine role's statements. */
  policy: PolicyStatement[];
  /** The identity the role's calls carry, named in access errors. */
  principalArn: string;
  injectFault: FaultInjector;
}

/** Makes one service call from a Task's evaluated Parameters and returns the task's result; the dispatcher's call comes with them. */
export type ServiceCall = (params: Record<string, unknown>, call?: DispatchedCall) => Promise<unknown>;

/** Fails the task as Step Functions does when the role lacks the permission. */
export function authorize(
  context: CallContext,
  permission: RequiredPermission,
  errors: ServiceErrors,
  style: IntegrationStyle,
): void {
  try {
    assertPermittedRemembering(context.policy, context.principalArn, permission);
  } catch (error) {
    if (error instanceof AccessDenied) throw accessDeniedFailure(errors, style, error);
    throw error;
  }
}

/** Step Functions names API actions in camelCase (getItem); the APIs and IAM in PascalCase. */
export function operationName(action: string): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

/** The SDK's command class for an action (GetItemCommand for getItem), if the SDK has that action. */
export function commandClass<Command>(sdk: object, action: string): (new (input: Record<string, unknown>) => Command) | undefined {
  const found = (sdk as Record<string, unknown>)[`${operationName(action)}Command`];
  return typeof found === 'function' ? (found as new (input: Record<string, unknown>) => Command) : undefined;
}

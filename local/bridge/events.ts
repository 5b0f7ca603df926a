// EventBridge tasks: the optimized putEvents (and its .waitForTaskToken), on the EventBridge emulator (services/eventbridge-emulator.ts). As AWS's optimized
// integration does, each entry's Resources gain the execution's and the state machine's ARNs, a
// JSON Detail is sent as its text, and a response with failed entries fails the Task with
// EventBridge.FailedEntry. IAM: events:PutEvents on each entry's event bus.
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { isObject } from '../../workflow/json.ts';
import type { TaskCall as DispatchedCall } from '../../engine/index.ts';
import type { LocalMessaging } from '../contracts.ts';
import { DEFAULT_BUS } from '../services/eventbridge-emulator.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { TaskFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { callEmulated, emulatedResult } from './messaging-call.ts';
import type { ServiceDescriptor } from './service.ts';

const EVENTS_MODELED: ReadonlySet<string> = new Set([
  'ConcurrentModificationException',
  'InternalException',
  'InvalidEventPatternException',
  'LimitExceededException',
  'ResourceAlreadyExistsException',
  'ResourceNotFoundException',
]);

export const EVENTS_ERRORS: ServiceErrors = {
  optimized: { prefix: 'EventBridge', generic: 'AmazonEventBridgeException', service: 'AmazonEventBridge', modeled: EVENTS_MODELED },
  sdk: { prefix: 'EventBridge', generic: 'EventBridgeException', service: 'EventBridge', modeled: EVENTS_MODELED },
  accessDenied: { status: 400, name: 'AccessDeniedException' },
};

/** The error the optimized integration fails with when the response has failed entries (AWS's "Call EventBridge with Step Functions"). */
const FAILED_ENTRY = 'EventBridge.FailedEntry';

/** Each entry's event bus ARN, for IAM (the default bus when the entry names none). */
function busArns(entries: unknown[], region: string, accountId: string): string[] {
  const scope = { ...OFFLINE_SCOPE, region, account: accountId };
  const names = entries.map((entry) => (isObject(entry) && typeof entry.EventBusName === 'string' ? entry.EventBusName : DEFAULT_BUS));
  return [...new Set(names.map((name) => (name.startsWith('arn:') ? name : arns.eventBus(scope, name))))];
}

/** An optimized entry as AWS sends it: its Detail as text, the execution's and state machine's ARNs added to its Resources. */
function optimizedEntry(entry: unknown, execution: DispatchedCall['execution'] | undefined): unknown {
  if (!isObject(entry)) return entry;
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return {
    ...entry,
    ...(entry.Detail !== undefined && typeof entry.Detail !== 'string' ? { Detail: JSON.stringify(entry.Detail) } : {}),
    ...(execution ? { Resources: [...resources, execution.executionArn, execution.stateMachineArn] } : {}),
  };
}

export function putEventsTask(style: IntegrationStyle, messaging: LocalMessaging | undefined, context: CallContext): ServiceCall {
  return async (params, call) => {
    const entries = Array.isArray(params.Entries) ? params.Entries : [];
    authorize(context, { action: 'events:PutEvents', resources: busArns(entries, context.resources.region, context.resources.accountId) }, EVENTS_ERRORS, style);
    context.injectFault('events', 'putEvents');
    const input = style === 'optimized' ? { ...params, Entries: entries.map((entry) => optimizedEntry(entry, call?.execution)) } : params;
    const output = await callEmulated(messaging?.events, 'PutEvents', input, EVENTS_ERRORS, style);
    if (style === 'optimized' && Number(output.FailedEntryCount) > 0) throw new TaskFailure(FAILED_ENTRY, JSON.stringify(output));
    return emulatedResult(output, style, 'application/x-amz-json-1.1', new Set());
  };
}

/** EventBridge: the optimized putEvents (aws-sdk names the service eventbridge, which this descriptor does not serve). */
export const EVENTS_SERVICE: ServiceDescriptor = {
  name: 'events',
  optimized: ['putEvents'],
  taskToken: ['putEvents'],
  errors: EVENTS_ERRORS,
  faults: { throttled: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' } },
  call: ({ style, messaging, context }) => putEventsTask(style, messaging, context),
};

// `--fault <service>:<action>:<ErrorName>:<times>`: the first `times` matching service calls
// fail with that Step Functions error, so Retry and Catch paths run offline.
import type { FaultSpec } from './contracts.ts';

/** The services the bridge calls, and so the only ones a fault can match. */
const FAULT_SERVICES = ['dynamodb', 'lambda', 'sqs'] as const;

const EXAMPLE = 'dynamodb:getItem:DynamoDB.ProvisionedThroughputExceededException:2';

export class InvalidFaultSpec extends Error {
  override name = 'InvalidFaultSpec';
}

export function parseFault(spec: string): FaultSpec {
  const fail = (why: string) => new InvalidFaultSpec(`--fault "${spec}": ${why} (expected <service>:<action>:<ErrorName>:<times>, e.g. ${EXAMPLE})`);
  const parts = spec.split(':');
  if (parts.length !== 4) throw fail(`has ${parts.length} colon-separated part(s), not 4`);
  const [service, action, error, times] = parts.map((part) => part.trim()) as [string, string, string, string];
  if (!(FAULT_SERVICES as readonly string[]).includes(service.toLowerCase())) {
    throw fail(`service "${service}" is not one the workflow's tasks call (${FAULT_SERVICES.join(', ')})`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) throw fail(`action "${action}" must be an API action name such as getItem`);
  if (!/^[A-Za-z][\w.-]*$/.test(error)) throw fail(`error name "${error}" must be a name such as States.TaskFailed`);
  if (!/^[1-9]\d*$/.test(times)) throw fail(`times "${times}" must be a whole number of 1 or more`);
  return { service: service.toLowerCase(), action, error, times: Number(times) };
}

/** A failure the user asked for; name is the error, as the engine reads it. */
export class InjectedFault extends Error {
  constructor(fault: FaultSpec, failure: number) {
    super(`Injected by --fault ${fault.service}:${fault.action}:${fault.error}:${fault.times} (failure ${failure} of ${fault.times})`);
    this.name = fault.error;
  }
}

/** Throws InjectedFault while a matching fault has failures left; otherwise lets the call go ahead. */
export type FaultInjector = (service: string, action: string) => void;

export function createFaultInjector(faults: FaultSpec[]): FaultInjector {
  const fired = faults.map(() => 0);
  return (service, action) => {
    const index = faults.findIndex(
      (fault, i) =>
        fired[i]! < fault.times &&
        fault.service.toLowerCase() === service.toLowerCase() &&
        fault.action.toLowerCase() === action.toLowerCase(),
    );
    if (index === -1) return;
    fired[index] = fired[index]! + 1;
    throw new InjectedFault(faults[index]!, fired[index]!);
  };
}

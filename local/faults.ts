// `--fault <service>:<action>:<ErrorName|throttled>:<times>`: the first `times` matching service
// calls fail with that Step Functions error, so Retry and Catch paths run offline. `throttled`
// stands for what AWS reports for a throttled call of that service (workflow/service-errors.ts).
// Each firing is counted, with the state it hit and whether that state retried, for the report.
import type { FaultReport } from '../workflow/execution-record.ts';
import { THROTTLED, type RetriedService } from '../workflow/service-errors.ts';
import type { FaultSpec } from './contracts.ts';
import { throttledFailure } from './bridge/errors.ts';

/** The services the bridge calls, and so the only ones a fault can match. */
const FAULT_SERVICES = ['dynamodb', 'lambda', 'sqs'] as const satisfies readonly RetriedService[];

export const THROTTLED_KEYWORD = 'throttled';

const EXAMPLE = `dynamodb:getItem:${THROTTLED_KEYWORD}:2`;

export class InvalidFaultSpec extends Error {
  override name = 'InvalidFaultSpec';
}

function isFaultService(service: string): service is RetriedService {
  return (FAULT_SERVICES as readonly string[]).includes(service);
}

export function faultText(fault: FaultSpec): string {
  return `${fault.service}:${fault.action}:${fault.error}:${fault.times}`;
}

export function parseFault(spec: string): FaultSpec {
  const fail = (why: string) =>
    new InvalidFaultSpec(`--fault "${spec}": ${why} (expected <service>:<action>:<ErrorName|${THROTTLED_KEYWORD}>:<times>, e.g. ${EXAMPLE})`);
  const parts = spec.split(':');
  if (parts.length !== 4) throw fail(`has ${parts.length} colon-separated part(s), not 4`);
  const [rawService, action, error, times] = parts.map((part) => part.trim()) as [string, string, string, string];
  const service = rawService.toLowerCase();
  if (!isFaultService(service)) {
    throw fail(`service "${rawService}" is not one the workflow's tasks call (${FAULT_SERVICES.join(', ')})`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) throw fail(`action "${action}" must be an API action name such as getItem`);
  if (!/^[A-Za-z][\w.-]*$/.test(error)) throw fail(`error name "${error}" must be a name such as States.TaskFailed`);
  if (!/^[1-9]\d*$/.test(times)) throw fail(`times "${times}" must be a whole number of 1 or more`);
  return { service, action, error: error === THROTTLED_KEYWORD ? THROTTLED[service].error : error, times: Number(times) };
}

/** A service call a Task of the definition makes. */
export interface TaskTarget {
  service: string;
  action: string;
}

const sameCall = (fault: TaskTarget, service: string, action: string) =>
  fault.service.toLowerCase() === service.toLowerCase() && fault.action.toLowerCase() === action.toLowerCase();

/** Refuses, before the run, a fault that no Task of the definition could ever trigger. */
export function checkFaultTargets(faults: FaultSpec[], targets: TaskTarget[]): void {
  for (const fault of faults) {
    if (targets.some((target) => sameCall(fault, target.service, target.action))) continue;
    const called = [...new Set(targets.map((target) => `${target.service}:${target.action}`))];
    throw new InvalidFaultSpec(
      `--fault "${faultText(fault)}" can never fire: no Task of the definition calls ${fault.service}:${fault.action} ` +
        `(it calls ${called.join(', ') || 'nothing'})`,
    );
  }
}

/** A failure the user asked for; name is the error, as the engine reads it. */
export class InjectedFault extends Error {
  constructor(fault: FaultSpec, failure: number) {
    super(`Injected by --fault ${faultText(fault)} (failure ${failure} of ${fault.times})`);
    this.name = fault.error;
  }
}

// A throttling fault carries the cause AWS gives a throttled call, the service's error code in it.
function failureFor(fault: FaultSpec, failure: number): Error {
  const injected = new InjectedFault(fault, failure);
  const service = fault.service.toLowerCase();
  if (isFaultService(service) && THROTTLED[service].error === fault.error) return throttledFailure(service, injected.message);
  return injected;
}

/** Throws while a matching fault has failures left; otherwise lets the call go ahead. */
export type FaultInjector = (service: string, action: string) => void;

export interface FaultFiring {
  /** Index of the fault in the list given. */
  fault: number;
  state: string;
}

/** The injector of each Task state: the faults' counts are shared by all of them. */
export type FaultInjectors = (state: string) => FaultInjector;

export function createFaultInjectors(faults: FaultSpec[], onFire?: (firing: FaultFiring) => void): FaultInjectors {
  const fired = faults.map(() => 0);
  return (state) => (service, action) => {
    const index = faults.findIndex((fault, i) => fired[i]! < fault.times && sameCall(fault, service, action));
    if (index === -1) return;
    fired[index] = fired[index]! + 1;
    onFire?.({ fault: index, state });
    throw failureFor(faults[index]!, fired[index]!);
  };
}

export interface FaultLedger {
  fired(firing: FaultFiring): void;
  /** The engine retried this state: after an injected failure, that failure was retried. */
  retried(state: string): void;
  report(): FaultReport[];
}

/** Counts each fault's firings, by state, and how many of them the state's Retry took up. */
export function createFaultLedger(faults: FaultSpec[]): FaultLedger {
  const reports: FaultReport[] = faults.map((fault) => ({ fault: faultText(fault), error: fault.error, fired: 0, states: {} }));
  // Per state, the faults fired there and not yet retried, oldest first.
  const pending = new Map<string, number[]>();
  return {
    fired({ fault, state }) {
      const report = reports[fault]!;
      report.fired += 1;
      const counts = (report.states[state] ??= { fired: 0, retried: 0 });
      counts.fired += 1;
      pending.set(state, [...(pending.get(state) ?? []), fault]);
    },
    retried(state) {
      const [fault, ...rest] = pending.get(state) ?? [];
      if (fault === undefined) return;
      pending.set(state, rest);
      reports[fault]!.states[state]!.retried += 1;
    },
    report: () => structuredClone(reports),
  };
}

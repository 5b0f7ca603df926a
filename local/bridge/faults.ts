// `--fault <service>:<action>:<ErrorName|throttled>:<times>`: the first `times` matching service
// calls fail with that Step Functions error, so Retry and Catch paths run offline. `throttled`
// stands for what AWS reports for a throttled call of that service (workflow/service-errors.ts),
// named as the calling Task's integration names it (optimized or AWS SDK).
// `--fault sqs:<action>Batch:failed-entries:<n>`: the call succeeds, and the first n entries sent
// by matching calls come back in its result's Failed list (Id, SenderFault, Code, Message), as SQS
// reports a batch whose entries partly failed, instead of reaching the queue.
// `--fault sqs:sendMessage:lost-answer:<n>` (or sendMessageBatch): the first n calls reach the
// queue, then fail as a call whose answer was lost (SdkClientException), so Retry sends the same
// messages again: a Standard queue holds them twice, a FIFO queue drops the copies.
// Each firing is counted, with the state it hit and whether that state retried, for the report.
import type { FaultReport } from '../../execution/execution-record.ts';
import { LOST_ANSWER } from '../../workflow/service-errors.ts';
import type { FaultFiring, FaultSpec } from '../contracts.ts';
import type { FaultInjector } from './context.ts';
import { lostAnswerFailure, throttledFailure, type IntegrationStyle } from './errors.ts';
import type { ServiceDescriptor } from './service.ts';
import { SERVICES, serviceNamed } from './services.ts';

export const THROTTLED_KEYWORD = 'throttled';
export const FAILED_ENTRIES_KEYWORD = 'failed-entries';
export const LOST_ANSWER_KEYWORD = 'lost-answer';

/** The services declaring a fault kind, and how to name them in a refusal: e.g. "SQS sends only (sendMessage, sendMessageBatch)". */
const LOST_ANSWER_SERVICES = SERVICES.filter((service) => service.faults.lostAnswer);
const FAILED_ENTRIES_SERVICES = SERVICES.filter((service) => service.faults.failedEntries);
const title = (service: ServiceDescriptor) => service.errors.optimized.prefix;
const LOST_ANSWER_TARGETS = LOST_ANSWER_SERVICES.map((service) => `${title(service)} sends only (${service.faults.lostAnswer!.actions.join(', ')})`).join(', ');

/** A batch entry SQS did not take: a service-side failure, so SenderFault is false and the entry may be sent again. */
export const FAILED_ENTRY = { code: 'InternalError', senderFault: false } as const;

const EXAMPLE = `dynamodb:getItem:${THROTTLED_KEYWORD}:2`;
const FORMS =
  `<service>:<action>:<ErrorName|${THROTTLED_KEYWORD}>:<times>, ` +
  `${FAILED_ENTRIES_SERVICES.map((service) => `${service.name}:<action>Batch:${FAILED_ENTRIES_KEYWORD}:<entries>`).join(', ')}, ` +
  `or ${LOST_ANSWER_SERVICES.map((service) => `${service.name}:<${service.faults.lostAnswer!.actions.join('|')}>:${LOST_ANSWER_KEYWORD}:<times>`).join(', ')}`;

export class InvalidFaultSpec extends Error {
  override name = 'InvalidFaultSpec';
}

/** The error name `throttled` stands for, as an optimized integration reports it. */
function throttledError(service: ServiceDescriptor): string {
  return throttledFailure(service.errors, service.faults.throttled, '').name;
}

const isThrottling = (fault: FaultSpec) => {
  const service = serviceNamed(fault.service);
  return service !== undefined && throttledError(service) === fault.error;
};

/** The fault as a user writes it, a throttling one with its keyword (its name depends on the integration it hits). */
export function faultText(fault: FaultSpec): string {
  const kind = fault.failedEntries
    ? FAILED_ENTRIES_KEYWORD
    : fault.lostAnswer
      ? LOST_ANSWER_KEYWORD
      : isThrottling(fault)
        ? THROTTLED_KEYWORD
        : fault.error;
  return `${fault.service}:${fault.action}:${kind}:${fault.times}`;
}

export function parseFault(spec: string): FaultSpec {
  const fail = (why: string) => new InvalidFaultSpec(`--fault "${spec}": ${why} (expected ${FORMS}, e.g. ${EXAMPLE})`);
  const parts = spec.split(':');
  if (parts.length !== 4) throw fail(`has ${parts.length} colon-separated part(s), not 4`);
  const [rawService, action, error, times] = parts.map((part) => part.trim()) as [string, string, string, string];
  const service = rawService.toLowerCase();
  const descriptor = serviceNamed(service);
  if (descriptor === undefined) {
    throw fail(`service "${rawService}" is not one the workflow's tasks call (${SERVICES.map((known) => known.name).join(', ')})`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) throw fail(`action "${action}" must be an API action name such as getItem`);
  if (!/^[A-Za-z][\w.-]*$/.test(error)) throw fail(`error name "${error}" must be a name such as States.TaskFailed`);
  if (!/^[1-9]\d*$/.test(times)) throw fail(`times "${times}" must be a whole number of 1 or more`);
  if (error === FAILED_ENTRIES_KEYWORD) {
    if (!descriptor.faults.failedEntries?.(action)) {
      throw fail(`${FAILED_ENTRIES_KEYWORD} applies to ${FAILED_ENTRIES_SERVICES.map(title).join(', ')} batch actions only, such as sendMessageBatch`);
    }
    return { service, action, error: FAILED_ENTRY.code, times: Number(times), failedEntries: true };
  }
  if (error === LOST_ANSWER_KEYWORD) {
    if (!descriptor.faults.lostAnswer?.actions.some((send) => send.toLowerCase() === action.toLowerCase())) {
      throw fail(`${LOST_ANSWER_KEYWORD} applies to ${LOST_ANSWER_TARGETS}`);
    }
    // Named as the optimized integration reports it; an AWS SDK integration's Task reports Sqs.SdkClientException.
    return { service, action, error: `${descriptor.errors.optimized.prefix}.${LOST_ANSWER.exception}`, times: Number(times), lostAnswer: true };
  }
  return { service, action, error: error === THROTTLED_KEYWORD ? throttledError(descriptor) : error, times: Number(times) };
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

// A throttling fault carries the cause AWS gives a throttled call, the service's error code in
// it, under the name the calling integration reports it with.
function failureFor(fault: FaultSpec, failure: number, style: IntegrationStyle): Error {
  const injected = new InjectedFault(fault, failure);
  const service = serviceNamed(fault.service);
  if (service === undefined) return injected;
  if (fault.lostAnswer) return lostAnswerFailure(service.errors, style, `${injected.message}: the call reached ${service.faults.lostAnswer?.reached ?? 'the service'}`);
  if (!isThrottling(fault)) return injected;
  return throttledFailure(service.errors, service.faults.throttled, injected.message, style);
}


type FaultKind = 'request' | 'answer' | 'entries';
const kindOf = (fault: FaultSpec): FaultKind => (fault.failedEntries ? 'entries' : fault.lostAnswer ? 'answer' : 'request');

/** One entry of an SQS batch result's Failed list. */
export interface FailedEntry {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** A batch call's entries, split into those to send and those a failed-entries fault fails. */
export type EntryFaults = (service: string, action: string, entries: unknown[]) => { send: unknown[]; failed: FailedEntry[] };


/** The injectors of each Task state (by the style of its integration): the faults' counts are shared by all of them. */
export interface FaultInjectors {
  (state: string, style?: IntegrationStyle): FaultInjector;
  entries(state: string): EntryFaults;
}

export function createFaultInjectors(faults: FaultSpec[], onFire?: (firing: FaultFiring) => void): FaultInjectors {
  const fired = faults.map(() => 0);
  // A loop rather than findIndex's callback: every call asks, and a closure made per call is garbage.
  const next = (service: string, action: string, kind: FaultKind) => {
    for (let i = 0; i < faults.length; i += 1) {
      const fault = faults[i]!;
      if (fired[i]! < fault.times && kindOf(fault) === kind && sameCall(fault, service, action)) return i;
    }
    return -1;
  };
  const injectors = (state: string, style: IntegrationStyle = 'optimized'): FaultInjector => (service, action, moment = 'request') => {
    const index = next(service, action, moment);
    if (index === -1) return;
    fired[index] = fired[index]! + 1;
    const failure = failureFor(faults[index]!, fired[index]!, style);
    onFire?.({ fault: index, state, error: failure.name });
    throw failure;
  };
  injectors.entries = (state: string): EntryFaults => (service, action, entries) => {
    const send: unknown[] = [];
    const failed: FailedEntry[] = [];
    for (const entry of entries) {
      const index = next(service, action, 'entries');
      if (index === -1) {
        send.push(entry);
        continue;
      }
      const fault = faults[index]!;
      fired[index] = fired[index]! + 1;
      onFire?.({ fault: index, state, error: fault.error, failedEntry: true });
      failed.push({
        Id: String((entry as { Id?: unknown } | null)?.Id ?? ''),
        SenderFault: FAILED_ENTRY.senderFault,
        Code: FAILED_ENTRY.code,
        Message: `Injected by --fault ${faultText(fault)} (entry ${fired[index]} of ${fault.times})`,
      });
    }
    return { send, failed };
  };
  return injectors;
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
    fired({ fault, state, error, failedEntry }) {
      const report = reports[fault]!;
      report.fired += 1;
      if (error !== undefined) report.error = error;
      const counts = (report.states[state] ??= { fired: 0, retried: 0 });
      counts.fired += 1;
      if (!failedEntry) pending.set(state, [...(pending.get(state) ?? []), fault]);
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

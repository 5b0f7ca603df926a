// The EventBridge emulator: event buses (the default one always there), rules with an event
// pattern (event-pattern.ts) and their SQS targets, and PutEvents, in this process. Each event
// put is recorded and, for each enabled rule of its bus whose pattern it matches, delivered to the
// rule's SQS targets as EventBridge delivers it: the event's JSON (version, id, detail-type,
// source, account, time, region, resources, detail), or the target's Input or InputPath instead.
import { randomUUID } from 'node:crypto';
import { type ArnScope, arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import type { Notification } from '../../execution/execution-record.ts';
import { isObject } from '../../workflow/json.ts';
import type { EmulatedApi } from '../contracts.ts';
import { matchesPattern, parseEventPattern } from './event-pattern.ts';
import type { DeliverToQueue } from './queue-delivery.ts';
import { EmulatedServiceError } from './service-error.ts';

type Input = Record<string, unknown>;
type Operation = (input: Input) => Record<string, unknown> | Promise<Record<string, unknown>>;

interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
}

interface Rule {
  name: string;
  arn: string;
  bus: string;
  patternText: string;
  pattern: Record<string, unknown>;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: Map<string, Target>;
}

export interface EventBridgeEmulatorOptions {
  region: string;
  accountId: string;
  deliver: DeliverToQueue;
  record: (notification: Notification) => void;
}

export const DEFAULT_BUS = 'default';
// PutEvents takes at most ten entries (EventBridge's quotas).
const MAX_ENTRIES = 10;
const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

const validation = (message: string) => new EmulatedServiceError('ValidationException', message);

function text(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw validation(`1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** A bus named by name or ARN, as EventBridge accepts either. */
const busName = (value: unknown) => (typeof value === 'string' && value !== '' ? value.split('/').at(-1)! : DEFAULT_BUS);

/** A target's InputPath: a JSONPath of plain field names ($.detail.order), as most are. */
function atPath(event: unknown, path: string): unknown {
  if (path === '$') return event;
  return path.replace(/^\$\.?/, '').split('.').reduce<unknown>((value, field) => (isObject(value) ? value[field] : undefined), event);
}

/** One emulator's state: its buses and rules (by bus and name), and what it was made with. */
interface EventBridgeState {
  options: EventBridgeEmulatorOptions;
  scope: ArnScope;
  buses: Set<string>;
  rules: Map<string, Rule>;
}

const key = (bus: string, name: string) => `${bus}\u0000${name}`;

function busOf({ buses }: EventBridgeState, input: Input, field = 'EventBusName'): string {
  const bus = busName(input[field]);
  if (!buses.has(bus)) throw new EmulatedServiceError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  return bus;
}

function ruleOf(state: EventBridgeState, input: Input, field = 'Name'): Rule {
  const bus = busOf(state, input);
  const name = text(input, field);
  const rule = state.rules.get(key(bus, name));
  if (!rule) throw new EmulatedServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
  return rule;
}

const described = (rule: Rule) => ({
  Name: rule.name,
  Arn: rule.arn,
  EventPattern: rule.patternText,
  State: rule.state,
  ...(rule.description === undefined ? {} : { Description: rule.description }),
  EventBusName: rule.bus,
});

function busOperations({ scope, buses, rules }: EventBridgeState): Record<string, Operation> {
  return {
    CreateEventBus: (input) => {
      const name = text(input, 'Name');
      if (!NAME.test(name) || name === DEFAULT_BUS) throw validation(`Event bus name ${name} is not valid.`);
      if (buses.has(name)) throw new EmulatedServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      buses.add(name);
      return { EventBusArn: arns.eventBus(scope, name) };
    },
    DeleteEventBus: (input) => {
      const name = text(input, 'Name');
      if (name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
      buses.delete(name);
      for (const [ruleKey, rule] of rules) if (rule.bus === name) rules.delete(ruleKey);
      return {};
    },
    ListEventBuses: () => ({ EventBuses: [...buses].map((name) => ({ Name: name, Arn: arns.eventBus(scope, name) })) }),
  };
}

function ruleOperations(state: EventBridgeState): Record<string, Operation> {
  const { scope, rules } = state;
  return {
    PutRule: (input) => {
      const bus = busOf(state, input);
      const name = text(input, 'Name');
      if (!NAME.test(name)) throw validation(`Rule name ${name} is not valid.`);
      if (input.ScheduleExpression !== undefined) throw validation('offline, rules match events only: ScheduleExpression is not supported');
      const patternText = text(input, 'EventPattern');
      const existing = rules.get(key(bus, name));
      const rule: Rule = {
        name,
        arn: arns.eventRule(scope, bus, name),
        bus,
        patternText,
        pattern: parseEventPattern(patternText),
        state: input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        targets: existing?.targets ?? new Map(),
      };
      rules.set(key(bus, name), rule);
      return { RuleArn: rule.arn };
    },
    DescribeRule: (input) => described(ruleOf(state, input)),
    ListRules: (input) => {
      const bus = busOf(state, input);
      const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
      return { Rules: [...rules.values()].filter((rule) => rule.bus === bus && rule.name.startsWith(prefix)).map(described) };
    },
    DeleteRule: (input) => {
      const rule = ruleOf(state, input);
      if (rule.targets.size > 0) throw validation('Rule can\'t be deleted since it has targets.');
      rules.delete(key(rule.bus, rule.name));
      return {};
    },
    EnableRule: (input) => {
      ruleOf(state, input).state = 'ENABLED';
      return {};
    },
    DisableRule: (input) => {
      ruleOf(state, input).state = 'DISABLED';
      return {};
    },
  };
}

function targetOperations(state: EventBridgeState): Record<string, Operation> {
  return {
    PutTargets: (input) => {
      const rule = ruleOf(state, input, 'Rule');
      const targets = Array.isArray(input.Targets) ? input.Targets : [];
      if (targets.length === 0) throw validation("1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null");
      const failed: Record<string, string>[] = [];
      for (const target of targets) {
        const { Id, Arn, Input: constant, InputPath } = (isObject(target) ? target : {}) as Partial<Target>;
        if (typeof Id !== 'string' || typeof Arn !== 'string') throw validation('A target needs an Id and an Arn.');
        if (!SQS_ARN.test(Arn)) {
          failed.push({ TargetId: Id, ErrorCode: 'ValidationException', ErrorMessage: `offline, EventBridge delivers to SQS queue targets only, not ${Arn}` });
          continue;
        }
        rule.targets.set(Id, { Id, Arn, ...(typeof constant === 'string' ? { Input: constant } : {}), ...(typeof InputPath === 'string' ? { InputPath } : {}) });
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets: (input) => {
      const rule = ruleOf(state, input, 'Rule');
      for (const id of Array.isArray(input.Ids) ? input.Ids : []) rule.targets.delete(String(id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (input) => ({ Targets: [...ruleOf(state, input, 'Rule').targets.values()] }),
  };
}

/** One entry of PutEvents: the event, or why it failed (its ErrorCode and ErrorMessage). */
function eventOf({ options, buses }: EventBridgeState, entry: unknown): { event: Record<string, unknown>; bus: string } | { ErrorCode: string; ErrorMessage: string } {
  const fields = isObject(entry) ? entry : {};
  for (const field of ['Source', 'DetailType', 'Detail']) {
    if (typeof fields[field] !== 'string' || fields[field] === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(fields.Detail as string);
  } catch {
    detail = undefined;
  }
  if (!isObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const bus = busName(fields.EventBusName);
  if (!buses.has(bus)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  const time = typeof fields.Time === 'string' ? new Date(fields.Time) : new Date();
  return {
    bus,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': fields.DetailType,
      source: fields.Source,
      account: options.accountId,
      time: (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: options.region,
      resources: Array.isArray(fields.Resources) ? fields.Resources.map(String) : [],
      detail,
    },
  };
}

async function deliver({ options, rules }: EventBridgeState, bus: string, event: Record<string, unknown>): Promise<string[]> {
  const reached: string[] = [];
  for (const rule of rules.values()) {
    if (rule.bus !== bus || rule.state !== 'ENABLED' || !matchesPattern(rule.pattern, event)) continue;
    for (const target of rule.targets.values()) {
      const body = target.Input ?? (target.InputPath === undefined ? event : atPath(event, target.InputPath));
      try {
        await options.deliver(target.Arn, { body: typeof body === 'string' && target.Input !== undefined ? body : JSON.stringify(body ?? null) });
        reached.push(target.Arn);
      } catch {
        // A target that cannot take the event loses it, as EventBridge drops it after its retries.
      }
    }
  }
  return reached;
}

function putEventsOperations(state: EventBridgeState): Record<string, Operation> {
  return {
    PutEvents: async (input) => {
      const entries = Array.isArray(input.Entries) ? input.Entries : [];
      if (entries.length === 0 || entries.length > MAX_ENTRIES) {
        throw validation(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} and greater than or equal to 1`);
      }
      const results: Record<string, string>[] = [];
      for (const entry of entries) {
        const made = eventOf(state, entry);
        if (!('event' in made)) {
          results.push(made);
          continue;
        }
        const { event, bus } = made;
        const reached = await deliver(state, bus, event);
        state.options.record({ service: 'events', target: arns.eventBus(state.scope, bus), id: event.id as string, body: JSON.stringify(event.detail), subject: event['detail-type'] as string, source: event.source as string, deliveredTo: reached });
        results.push({ EventId: event.id as string });
      }
      return { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length };
    },
  };
}

export function createEventBridgeEmulator(options: EventBridgeEmulatorOptions): EmulatedApi {
  const state: EventBridgeState = {
    options,
    scope: { ...OFFLINE_SCOPE, region: options.region, account: options.accountId },
    buses: new Set([DEFAULT_BUS]),
    rules: new Map(),
  };
  const operations: Record<string, Operation> = { ...busOperations(state), ...ruleOperations(state), ...targetOperations(state), ...putEventsOperations(state) };

  return {
    operations: Object.keys(operations),
    call: async (operation, input) => {
      const handler = Object.hasOwn(operations, operation) ? operations[operation]! : undefined;
      if (!handler) throw new EmulatedServiceError('UnknownOperationException', `offline, EventBridge serves ${Object.keys(operations).join(', ')}, not ${operation}`);
      return handler(input);
    },
  };
}

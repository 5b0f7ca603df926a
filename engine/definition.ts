// Checks a definition before anything runs, as AWS does at creation: its structure (the fields
// each state type takes, transitions to existing states, every state reachable, one that ends
// the machine), the query language of each state and the fields that language allows, and what
// the engine does not implement (cross-account credentials), each refusal naming the state and
// the field.
import { DefinitionError, UnsupportedFeature } from './errors.ts';
import { checkJsonataExpressions, checkJsonPathExpressions } from './definition-expressions.ts';
import { checkFieldTypes, checkMachineFieldTypes } from './definition-fields.ts';
import { nestingMessage, tooDeep } from './payload.ts';
import { isObject } from './json.ts';

const STATE_TYPES = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);
const TERMINAL_TYPES = new Set(['Choice', 'Succeed', 'Fail']);
const LANGUAGES = new Set(['JSONPath', 'JSONata']);
const JSONPATH_ONLY = ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];

// The fields AWS takes on each state type, in either query language (which of them a language
// allows is checked apart); any other is refused at creation ("Field '…' is not supported"). Only
// Pass, Task, Map, Parallel, Choice and Wait take Assign; Choice takes neither Next nor End.
const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];
const DATA_FIELDS = ['InputPath', 'OutputPath', 'Output'];
const FLOW_FIELDS = ['Next', 'End', 'Assign'];
const ERROR_FIELDS = ['Retry', 'Catch'];
const RESULT_FIELDS = ['Parameters', 'Arguments', 'ResultPath', 'ResultSelector'];
const STATE_FIELDS: Record<string, ReadonlySet<string>> = {
  Pass: new Set([...COMMON_FIELDS, ...DATA_FIELDS, ...FLOW_FIELDS, 'Parameters', 'Result', 'ResultPath']),
  Task: new Set([...COMMON_FIELDS, ...DATA_FIELDS, ...FLOW_FIELDS, ...ERROR_FIELDS, ...RESULT_FIELDS, 'Resource', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath', 'Credentials']),
  Choice: new Set([...COMMON_FIELDS, ...DATA_FIELDS, 'Assign', 'Choices', 'Default']),
  Wait: new Set([...COMMON_FIELDS, ...DATA_FIELDS, ...FLOW_FIELDS, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']),
  Succeed: new Set([...COMMON_FIELDS, ...DATA_FIELDS]),
  Fail: new Set([...COMMON_FIELDS, 'Error', 'ErrorPath', 'Cause', 'CausePath']),
  Parallel: new Set([...COMMON_FIELDS, ...DATA_FIELDS, ...FLOW_FIELDS, ...ERROR_FIELDS, ...RESULT_FIELDS, 'Branches']),
  Map: new Set([
    ...COMMON_FIELDS, ...DATA_FIELDS, ...FLOW_FIELDS, ...ERROR_FIELDS, 'Parameters', 'ResultPath', 'ResultSelector',
    'ItemProcessor', 'Iterator', 'ItemsPath', 'Items', 'ItemReader', 'ItemSelector', 'ItemBatcher', 'ResultWriter', 'Label',
    'MaxConcurrency', 'MaxConcurrencyPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath',
  ]),
};
const MACHINE_FIELDS = new Set(['Comment', 'StartAt', 'States', 'TimeoutSeconds', 'Version', 'QueryLanguage']);
const RETRIER_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment']);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath', 'Output', 'Assign', 'Comment']);

type Json = Record<string, unknown>;

function where(state: string, field: string): string {
  return `state '${state}', field '${field}'`;
}

/** Throws DefinitionError or UnsupportedFeature naming the state and field; returns when the definition can run. */
export function checkDefinition(definition: unknown): void {
  if (!isObject(definition)) throw new DefinitionError('The definition must be a JSON object.');
  // First: the checks below walk the definition recursively.
  if (tooDeep(definition)) throw new DefinitionError(nestingMessage('The definition'));
  const unknown = Object.keys(definition).find((field) => !MACHINE_FIELDS.has(field));
  if (unknown !== undefined) throw new DefinitionError(`Top-level field '${unknown}': not supported.`);
  checkMachineFieldTypes(definition);
  const language = definition.QueryLanguage ?? 'JSONPath';
  if (!LANGUAGES.has(language as string)) throw new DefinitionError(`Top-level field 'QueryLanguage': unknown query language ${JSON.stringify(language)}.`);
  checkMachine(definition, '(top level)', language === 'JSONata');
}

function checkMachine(machine: Json, owner: string, topJsonata: boolean): void {
  const states = machine.States;
  if (typeof machine.StartAt !== 'string') throw new DefinitionError(`${owner}: 'StartAt' must be a state name.`);
  if (!isObject(states) || Object.keys(states).length === 0) throw new DefinitionError(`${owner}: 'States' must be a non-empty object.`);
  if (!(machine.StartAt in states)) throw new DefinitionError(`${owner}: 'StartAt' names no state: ${machine.StartAt}.`);
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) throw new DefinitionError(`State '${name}' must be an object.`);
    checkState(name, state, states, topJsonata);
  }
  checkGraph(machine.StartAt, states as Record<string, Json>, owner);
}

/** The states a state may go to next: its Next, its Choices' and Default, its catchers'. */
function targetsOf(state: Json): unknown[] {
  const targets: unknown[] = [state.Next, state.Default];
  if (Array.isArray(state.Choices)) for (const rule of state.Choices as Json[]) targets.push(rule?.Next);
  if (Array.isArray(state.Catch)) for (const catcher of state.Catch as Json[]) targets.push(catcher?.Next);
  return targets;
}

/**
 * As AWS refuses at creation: a machine none of whose states ends it (MISSING_END_STATE), and a
 * state that no path from StartAt reaches (MISSING_TRANSITION_TARGET).
 */
function checkGraph(startAt: string, states: Record<string, Json>, owner: string): void {
  const ends = (state: Json) => state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';
  if (!Object.values(states).some(ends)) throw new DefinitionError(`${owner}: no state ends the workflow (End, Succeed or Fail).`);
  const reached = new Set([startAt]);
  const pending = [startAt];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const target of targetsOf(states[name]!)) {
      if (typeof target === 'string' && !reached.has(target)) {
        reached.add(target);
        pending.push(target);
      }
    }
  }
  const unreached = Object.keys(states).find((name) => !reached.has(name));
  if (unreached !== undefined) throw new DefinitionError(`State '${unreached}' is not reachable from ${owner === '(top level)' ? 'StartAt' : `the StartAt of ${owner}`}.`);
}

function checkTarget(name: string, field: string, target: unknown, states: Json): void {
  if (typeof target !== 'string' || !(target in states)) {
    throw new DefinitionError(`${where(name, field)}: names no state of its machine: ${JSON.stringify(target)}.`);
  }
}

function checkState(name: string, state: Json, states: Json, topJsonata: boolean): void {
  const type = state.Type;
  if (typeof type !== 'string' || !STATE_TYPES.has(type)) throw new DefinitionError(`${where(name, 'Type')}: unknown state type ${JSON.stringify(type)}.`);
  const unknown = Object.keys(state).find((field) => !STATE_FIELDS[type]!.has(field));
  if (unknown !== undefined) throw new DefinitionError(`${where(name, unknown)}: not supported in a ${type} state.`);
  const language = state.QueryLanguage;
  if (language !== undefined && !LANGUAGES.has(language as string)) {
    throw new DefinitionError(`${where(name, 'QueryLanguage')}: unknown query language ${JSON.stringify(language)}.`);
  }
  if (topJsonata && language === 'JSONPath') {
    throw new DefinitionError(`${where(name, 'QueryLanguage')}: a state cannot use JSONPath when the state machine uses JSONata.`);
  }
  const jsonata = language === undefined ? topJsonata : language === 'JSONata';
  for (const field of jsonata ? JSONPATH_ONLY : JSONATA_ONLY) {
    if (field in state) throw new DefinitionError(`${where(name, field)}: not allowed in a ${jsonata ? 'JSONata' : 'JSONPath'} state.`);
  }
  checkFieldTypes(name, state, jsonata);
  if (jsonata) checkJsonataExpressions(name, state);
  else checkJsonPathExpressions(name, state);
  if (!TERMINAL_TYPES.has(type)) {
    // A Next beside End is checked too: the graph's walk follows it.
    if (state.End !== true || state.Next !== undefined) checkTarget(name, 'Next', state.Next, states);
  }
  if (type === 'Choice') {
    if (!Array.isArray(state.Choices) || state.Choices.length === 0) throw new DefinitionError(`${where(name, 'Choices')}: must be a non-empty array.`);
    for (const rule of state.Choices as Json[]) checkTarget(name, 'Choices.Next', rule?.Next, states);
    if (state.Default !== undefined) checkTarget(name, 'Default', state.Default, states);
  }
  for (const catcher of (state.Catch ?? []) as Json[]) checkTarget(name, 'Catch.Next', catcher?.Next, states);
  checkErrorLists(name, 'Retry', state.Retry);
  checkErrorLists(name, 'Catch', state.Catch);
  if (typeof state.HeartbeatSeconds === 'number' && typeof state.TimeoutSeconds === 'number' && state.HeartbeatSeconds >= state.TimeoutSeconds) {
    throw new DefinitionError(`${where(name, 'HeartbeatSeconds')}: must be smaller than TimeoutSeconds.`);
  }
  if (type === 'Task') {
    checkResource(name, state.Resource);
    // Cross-account calls would need the dispatcher to assume another role: not implemented.
    if (state.Credentials !== undefined) throw new UnsupportedFeature(`${where(name, 'Credentials')}: cross-account Task credentials are not supported.`);
  }
  if (type === 'Parallel') {
    if (!Array.isArray(state.Branches)) throw new DefinitionError(`${where(name, 'Branches')}: must be an array of state machines.`);
    for (const branch of state.Branches) checkMachine(branch as Json, `State '${name}', a branch`, topJsonata);
  }
  if (type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (!isObject(processor)) throw new DefinitionError(`${where(name, 'ItemProcessor')}: must be a state machine.`);
    // Its states take the query language of the Map's machine: the processor cannot name one.
    if ('QueryLanguage' in processor) throw new DefinitionError(`${where(name, 'ItemProcessor.QueryLanguage')}: not supported.`);
    checkMachine(processor, `State '${name}', its ItemProcessor`, topJsonata);
    const mode = (processor.ProcessorConfig as Json | undefined)?.Mode ?? 'INLINE';
    if (mode !== 'INLINE' && mode !== 'DISTRIBUTED') throw new DefinitionError(`${where(name, 'ItemProcessor.ProcessorConfig.Mode')}: must be INLINE or DISTRIBUTED.`);
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
      if (mode === 'INLINE' && field in state) throw new DefinitionError(`${where(name, field)}: only a DISTRIBUTED Map may have it.`);
    }
    // A literal percentage out of range is refused at creation, as AWS refuses it; a computed one fails when it runs (map-config.ts).
    const percentage = state.ToleratedFailurePercentage;
    if (typeof percentage === 'number' && (percentage < 0 || percentage > 100)) {
      throw new DefinitionError(`${where(name, 'ToleratedFailurePercentage')}: ToleratedFailurePercentage must be between 0 and 100.`);
    }
  }
}

/** Retriers and catchers: a non-empty ErrorEquals of error names each; States.ALL alone and in the last one. */
function checkErrorLists(name: string, field: string, list: unknown): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new DefinitionError(`${where(name, field)}: must be an array.`);
  const fields = field === 'Retry' ? RETRIER_FIELDS : CATCHER_FIELDS;
  list.forEach((entry: Json, index) => {
    const unknown = isObject(entry) ? Object.keys(entry).find((key) => !fields.has(key)) : undefined;
    if (unknown !== undefined) throw new DefinitionError(`${where(name, `${field}[${index}].${unknown}`)}: not supported in a ${field === 'Retry' ? 'retrier' : 'catcher'}.`);
    const errors = entry?.ErrorEquals;
    if (!Array.isArray(errors) || errors.length === 0 || !errors.every((error) => typeof error === 'string')) {
      throw new DefinitionError(`${where(name, `${field}[${index}].ErrorEquals`)}: must be a non-empty array of error names (strings).`);
    }
    if (errors.includes('States.ALL') && (errors.length > 1 || index < list.length - 1)) {
      throw new DefinitionError(`${where(name, `${field}[${index}].ErrorEquals`)}: States.ALL must appear alone, in the last ${field === 'Retry' ? 'retrier' : 'catcher'}.`);
    }
  });
}

// A .sync Task runs as its host's dispatcher runs the job (which reports it submitted): the host refuses the jobs it cannot run.
function checkResource(name: string, resource: unknown): void {
  if (typeof resource !== 'string') throw new DefinitionError(`${where(name, 'Resource')}: must be an ARN.`);
}

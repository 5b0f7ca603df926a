// The expressions of a definition, checked before anything runs as AWS checks them when the
// state machine is created: JSONPath paths, payload templates, intrinsic calls and Choice rules;
// JSONata expressions (syntax, and $states.result / $states.errorOutput only where offered). A
// regular expression that RE2 cannot match is refused as UnsupportedFeature (patterns.ts).
import { DefinitionError, UnsupportedFeature } from './errors.ts';
import { checkJsonataPatterns, jsonataExpressionProblem, type StatesAvailability } from './jsonata/check.ts';
import { isJsonataExpression } from './jsonata/evaluate.ts';
import { checkChoiceRule } from './jsonpath/choice.ts';
import { checkReference } from './jsonpath/reference.ts';
import { checkExpression, checkPayloadTemplate } from './jsonpath/template.ts';

type Json = Record<string, unknown>;

const PATH_FIELDS = ['InputPath', 'OutputPath', 'ResultPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
// Fail's paths may also be intrinsic calls.
const PATH_OR_INTRINSIC_FIELDS = ['ErrorPath', 'CausePath'];
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign'];
// JSONata fields that read a result: the state's own Output and Assign, for these types.
const RESULT_TYPES = new Set(['Task', 'Parallel', 'Map']);

function refuse(state: string, field: string, error: unknown): DefinitionError | UnsupportedFeature {
  const message = `state '${state}', field '${field}': ${(error as Error).message}`;
  return error instanceof UnsupportedFeature ? new UnsupportedFeature(message) : new DefinitionError(message);
}

function checkPathOrIntrinsic(state: string, field: string, text: unknown, intrinsicAllowed: boolean): void {
  if (typeof text !== 'string') return;
  try {
    if (intrinsicAllowed) checkExpression(text, field);
    else checkReference(text);
  } catch (error) {
    throw refuse(state, field, error);
  }
}

/** A payload template: each `key.$` holds a path or an intrinsic call. */
function checkTemplate(state: string, field: string, template: unknown): void {
  try {
    checkPayloadTemplate(template);
  } catch (error) {
    throw refuse(state, field, error);
  }
}

export function checkJsonPathExpressions(name: string, state: Json): void {
  for (const field of PATH_FIELDS) if (state[field] !== null) checkPathOrIntrinsic(name, field, state[field], false);
  for (const field of PATH_OR_INTRINSIC_FIELDS) checkPathOrIntrinsic(name, field, state[field], true);
  for (const field of TEMPLATE_FIELDS) checkTemplate(name, field, state[field]);
  for (const [index, catcher] of ((state.Catch ?? []) as Json[]).entries()) {
    if (catcher.ResultPath !== null) checkPathOrIntrinsic(name, `Catch[${index}].ResultPath`, catcher.ResultPath, false);
    checkTemplate(name, `Catch[${index}].Assign`, catcher.Assign);
  }
  if (state.Type === 'Choice') {
    for (const [index, rule] of ((state.Choices ?? []) as Json[]).entries()) {
      try {
        checkChoiceRule(rule);
      } catch (error) {
        throw refuse(name, `Choices[${index}]`, error);
      }
      checkTemplate(name, `Choices[${index}].Assign`, rule.Assign);
    }
  }
}

/** Every `{% … %}` string within a field's value. */
function checkJsonataValue(state: string, field: string, value: unknown, available: StatesAvailability): void {
  if (isJsonataExpression(value)) {
    const problem = jsonataExpressionProblem(value, available);
    if (problem !== undefined) throw new DefinitionError(`state '${state}', field '${field}': ${problem}`);
    try {
      checkJsonataPatterns(value);
    } catch (error) {
      throw refuse(state, field, error);
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => checkJsonataValue(state, `${field}[${index}]`, item, available));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) checkJsonataValue(state, `${field}/${key}`, item, available);
  }
}

export function checkJsonataExpressions(name: string, state: Json): void {
  const withResult: StatesAvailability = { result: RESULT_TYPES.has(state.Type as string) };
  for (const field of ['Output', 'Assign']) checkJsonataValue(name, field, state[field], withResult);
  for (const field of ['Arguments', 'Items', 'ItemSelector', 'Seconds', 'Timestamp', 'Error', 'Cause', 'TimeoutSeconds', 'HeartbeatSeconds', 'MaxConcurrency', 'ToleratedFailureCount', 'ToleratedFailurePercentage']) {
    checkJsonataValue(name, field, state[field], {});
  }
  for (const [index, catcher] of ((state.Catch ?? []) as Json[]).entries()) {
    for (const field of ['Output', 'Assign']) checkJsonataValue(name, `Catch[${index}].${field}`, catcher[field], { errorOutput: true });
  }
  if (state.Type === 'Choice') {
    for (const [index, rule] of ((state.Choices ?? []) as Json[]).entries()) {
      for (const field of ['Condition', 'Output', 'Assign']) checkJsonataValue(name, `Choices[${index}].${field}`, rule[field], {});
    }
  }
}

// The input and output processing of a state, in the query language it uses. JSONPath:
// InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath, with Assign
// evaluated on the result. JSONata: Arguments → (work) → Output and Assign, both evaluated with
// $states.input, $states.result (or $states.errorOutput) and the variables as they were before
// the state.
import { resolveJsonataTemplate, type JsonataScope } from './jsonata/evaluate.ts';
import { writeResultPath } from './jsonpath/path.ts';
import type { PathScope } from './jsonpath/scope.ts';
import { evaluatePayloadTemplate, resolveValue } from './jsonpath/template.ts';
import type { InspectedStep, StateStep } from './step.ts';

export function pathScope(step: StateStep, input: unknown): PathScope {
  return { input, context: step.context, variables: step.thread.variables.all() };
}

export function jsonataScope(step: StateStep, extra: { result?: unknown; errorOutput?: unknown } = {}): JsonataScope {
  return {
    states: { input: step.input, context: step.context, ...extra },
    variables: step.thread.variables.all(),
    signals: step.thread.signals,
  };
}

/** Shows `value` to the step's inspection (TestState) as `field`, and returns it. */
export function inspected<T>(step: StateStep, field: InspectedStep, value: T): T {
  step.inspection?.record(field, value);
  return value;
}

/** InputPath: `$` by default; null gives {}. */
export function applyInputPath(step: StateStep): unknown {
  const path = step.state.InputPath;
  const value = path === undefined || path === '$' ? step.input : path === null ? {} : resolveValue(path as string, pathScope(step, step.input), 'InputPath');
  return inspected(step, 'afterInputPath', value);
}

/** OutputPath: `$` by default; null gives {}. */
export function applyOutputPath(step: StateStep, value: unknown): unknown {
  const path = step.state.OutputPath;
  if (path === undefined || path === '$') return value;
  if (path === null) return {};
  return resolveValue(path as string, pathScope(step, value), 'OutputPath');
}

/** Parameters, evaluated on the effective input; absent → the input itself. */
export function applyParameters(step: StateStep, input: unknown): unknown {
  const template = step.state.Parameters;
  const value = template === undefined ? input : evaluatePayloadTemplate(template, pathScope(step, input), 'Parameters');
  return inspected(step, 'afterParameters', value);
}

export function applyResultSelector(step: StateStep, result: unknown): unknown {
  const template = step.state.ResultSelector;
  if (template === undefined) return result;
  return evaluatePayloadTemplate(template, pathScope(step, result), 'ResultSelector');
}

/** ResultPath: `$` by default (the result replaces the input); null keeps the input. */
export function applyResultPath(step: StateStep, result: unknown, resultPath: unknown = step.state.ResultPath): unknown {
  if (resultPath === undefined || resultPath === '$') return result;
  return writeResultPath(step.input, resultPath as string | null, result);
}

/** JSONPath Assign: a payload template evaluated on `value` (the result, or the state input). */
export function jsonPathAssign(step: StateStep, template: unknown, value: unknown): Record<string, unknown> | undefined {
  if (template === undefined) return undefined;
  return evaluatePayloadTemplate(template, pathScope(step, value), 'Assign') as Record<string, unknown>;
}

/**
 * The JSONPath tail of a state with a result: Assign (on the raw result, before ResultSelector, in
 * the order LocalStack's AWS-validated interpreter applies them), ResultSelector, ResultPath,
 * OutputPath.
 */
export function jsonPathResult(step: StateStep, result: unknown): { output: unknown; assign?: Record<string, unknown> } {
  const assign = jsonPathAssign(step, step.state.Assign, inspected(step, 'result', result));
  const selected = inspected(step, 'afterResultSelector', applyResultSelector(step, result));
  const output = applyOutputPath(step, inspected(step, 'afterResultPath', applyResultPath(step, selected)));
  return { output, assign };
}

/** The JSONata tail: Output (default: `fallback`) and Assign, both from the same scope. */
export async function jsonataResult(
  step: StateStep,
  fallback: unknown,
  extra: { result?: unknown; errorOutput?: unknown },
  fields: { Output?: unknown; Assign?: unknown } = step.state as { Output?: unknown; Assign?: unknown },
): Promise<{ output: unknown; assign?: Record<string, unknown> }> {
  if ('result' in extra) inspected(step, 'result', extra.result);
  const scope = jsonataScope(step, extra);
  const assign =
    fields.Assign === undefined ? undefined : ((await resolveJsonataTemplate(fields.Assign, scope, 'Assign')) as Record<string, unknown>);
  const output = fields.Output === undefined ? fallback : await resolveJsonataTemplate(fields.Output, scope, 'Output');
  return { output, assign };
}

/** A JSONata-mode field that may be an expression or a literal (Arguments, Items, Seconds...). */
export function jsonataField(step: StateStep, field: string, value: unknown, extra: { result?: unknown } = {}): Promise<unknown> {
  return resolveJsonataTemplate(value, jsonataScope(step, extra), field);
}

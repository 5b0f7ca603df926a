// What Step Functions refuses in a JSONata expression when the state machine is created, before
// anything runs: an expression that does not parse, a path read from the top-level context item
// (there is none: the input is `$states.input`, a variable is `$name`), `$` or `$$` at the top
// level, and `$states.result` or `$states.errorOutput` where the state offers none.

import { compilePattern, flagsOf } from '../patterns.ts';
import { expressionText } from './evaluate.ts';
import { jsonata } from './library.ts';

/** Which optional `$states` members the field may read. */
export interface StatesAvailability {
  /** Output and Assign of a Task, Parallel or Map. */
  result?: boolean;
  /** Output and Assign of a Catch clause. */
  errorOutput?: boolean;
}

type Node = Record<string, unknown>;

/**
 * Why AWS would refuse the `{% … %}` expression, in its words (`INVALID_JSONATA_EXPRESSION: …`,
 * `UNSUPPORTED_JSONATA_EXPRESSION: …`), or undefined when it is accepted. The caller names the
 * state and field.
 */
export function jsonataExpressionProblem(expression: string, available: StatesAvailability = {}): string | undefined {
  let ast: Node;
  try {
    ast = jsonata()(expressionText(expression)).ast() as unknown as Node;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `INVALID_JSONATA_EXPRESSION: ${code === undefined ? '' : `${code}: `}${message ?? String(error)}`;
  }
  const problem = findProblem(ast, true, available);
  return problem === undefined ? undefined : `UNSUPPORTED_JSONATA_EXPRESSION: ${problem}`;
}

// Keys under which JSONata evaluates against an item rather than the top-level context.
const RELATIVE_KEYS = new Set(['stages', 'predicate', 'group', 'terms', 'focus']);

function findProblem(node: unknown, topLevel: boolean, available: StatesAvailability): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const problem = findProblem(item, topLevel, available);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const ast = node as Node;
  if (ast.type === 'variable') return variableProblem(ast.value, topLevel);
  if (ast.type === 'path' && Array.isArray(ast.steps)) return pathProblem(ast.steps as Node[], topLevel, available);
  for (const [key, child] of Object.entries(ast)) {
    const problem = findProblem(child, topLevel && !RELATIVE_KEYS.has(key), available);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function variableProblem(name: unknown, topLevel: boolean): string | undefined {
  if (name === '$') return "Reference to '$$' is not supported.";
  if (name === '' && topLevel) return "Reference to '$' at the top level is not supported.";
  return undefined;
}

function pathProblem(steps: Node[], topLevel: boolean, available: StatesAvailability): string | undefined {
  const [first, second] = steps;
  if (topLevel && first?.type === 'name') return `Reference to '${String(first.value)}' at the top level is not supported.`;
  if (first?.type === 'variable' && first.value === 'states' && second?.type === 'name') {
    const member = second.value;
    if ((member === 'result' && !available.result) || (member === 'errorOutput' && !available.errorOutput)) {
      return `Reference to '$states.${String(member)}' is not supported in this field.`;
    }
  }
  for (const [index, step] of steps.entries()) {
    // Only the first step reads the top-level context; later steps read the previous step's items.
    const own = { ...step, stages: undefined, predicate: undefined, group: undefined };
    const problem =
      (step.type === 'variable' ? variableProblem(step.value, topLevel && index === 0) : undefined) ??
      (step.type === 'variable' || step.type === 'name' ? undefined : findProblem(own, topLevel && index === 0, available)) ??
      findProblem([step.stages, step.predicate, step.group], false, available);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Compiles every regular expression literal of a `{% … %}` expression that parses, as it will be
 * matched; throws UnsupportedFeature for one RE2 cannot match (a backreference, a lookahead).
 */
export function checkJsonataPatterns(expression: string): void {
  const pending: unknown[] = [jsonata()(expressionText(expression)).ast()];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) compilePattern(node.source, flagsOf(node));
    else pending.push(...Object.values(node));
  }
}

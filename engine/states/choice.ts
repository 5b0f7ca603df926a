// Choice: the first rule that holds gives the next state (and its own Assign/Output); otherwise
// Default (with the state's Assign/Output); otherwise States.NoChoiceMatched.
import { applyInputPath, applyOutputPath, jsonataField, jsonataResult, jsonPathAssign, pathScope } from '../dataflow.ts';
import { StatesError } from '../errors.ts';
import { evaluateChoiceRule } from '../jsonpath/choice.ts';
import type { StateOutcome, StateStep } from '../step.ts';

type Rule = Record<string, unknown> & { Next: string; Assign?: Record<string, unknown>; Output?: unknown };

function noMatch(step: StateStep): StatesError {
  return new StatesError('States.NoChoiceMatched', `No Matches! at state '${step.name}'`);
}

export function runChoice(step: StateStep): StateOutcome | Promise<StateOutcome> {
  const rules = (step.state.Choices ?? []) as Rule[];
  const fallback = step.state.Default as string | undefined;
  if (step.jsonata) return runJsonataChoice(step, rules, fallback);
  const effective = applyInputPath(step);
  const scope = pathScope(step, effective);
  const matched = rules.find((rule) => evaluateChoiceRule(rule, scope));
  if (!matched && fallback === undefined) throw noMatch(step);
  const assign = jsonPathAssign(step, matched ? matched.Assign : step.state.Assign, effective);
  return { output: applyOutputPath(step, effective), next: matched ? matched.Next : fallback, assign };
}

async function runJsonataChoice(step: StateStep, rules: Rule[], fallback: string | undefined): Promise<StateOutcome> {
  // By index: unoptimized, a for...of over entries() allocates an iterator and a pair per rule.
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index]!;
    const holds = await jsonataField(step, `Choices[${index}].Condition`, rule.Condition);
    if (typeof holds !== 'boolean') {
      throw new StatesError(
        'States.QueryEvaluationError',
        `The JSONata expression specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${typeof holds}' for value: ${JSON.stringify(holds)}`,
      );
    }
    if (holds) {
      const { output, assign } = await jsonataResult(step, step.input, {}, { Output: rule.Output, Assign: rule.Assign });
      return { output, next: rule.Next, assign };
    }
  }
  if (fallback === undefined) throw noMatch(step);
  const { output, assign } = await jsonataResult(step, step.input, {});
  return { output, next: fallback, assign };
}

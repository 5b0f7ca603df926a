// A CLI run's nested executions: the Tasks that start executions (states:startExecution) start
// them on Step Functions in process, the endpoint's stores and operations without their port, where
// the description's workflows are registered under their deployed names and roles, as `make
// deploy` leaves them. Another state machine does not exist there: its StartExecution fails at
// run time (StepFunctions.StateMachineDoesNotExistException), as on AWS.
import { classifyResource, isJsonataExpression, type HistoryEvent, type TaskTokens } from '../../engine/index.ts';
import type { TokenAnswers } from '../host/mock-config.ts';
import { arns, executionArnOf, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { isObject } from '../../workflow/json.ts';
import { NESTED_EXECUTION_RULE, nestedExecutionGrants, ref, resolveGrants, type NestedPattern, type PolicyStatement } from '../../workflow/permissions.ts';
import { taskStates } from '../bridge/index.ts';
import type { LocalEnvironment, LocalResources, StepFunctionsApi } from '../contracts.ts';

/** A Task that starts executions: its state, its pattern, and its child when the definition names it literally. */
export interface NestedTask {
  state: string;
  pattern: NestedPattern;
  stateMachineArn?: string;
}

export function nestedTasks(definition: unknown): NestedTask[] {
  return taskStates(definition).flatMap((task): NestedTask[] => {
    if (typeof task.resource !== 'string') return [];
    const kind = classifyResource(task.resource);
    if (kind.kind !== 'service' || kind.resourceType !== 'states' || !/^startExecution(\.|$)/.test(kind.resource)) return [];
    const arn = isObject(task.parameters) ? task.parameters.StateMachineArn : undefined;
    const literal = typeof arn === 'string' && !isJsonataExpression(arn);
    return [{ state: task.name, pattern: kind.pattern, ...(literal ? { stateMachineArn: arn } : {}) }];
  });
}

/**
 * What a role made for another definition (--definition) holds for its nested Tasks, as the
 * Step Functions console writes it from the definition: the grants of nestedExecutionGrants on
 * each child the definition names, on every state machine of the account when it computes it.
 */
export function nestedTaskStatements(tasks: NestedTask[], resources: LocalResources): PolicyStatement[] {
  const scope = { ...OFFLINE_SCOPE, region: resources.region, account: resources.accountId };
  const resolved: Record<string, string> = { [ref.eventsRule(NESTED_EXECUTION_RULE)]: arns.eventsRule(scope, NESTED_EXECUTION_RULE) };
  const grants = tasks.flatMap((task, index) => {
    const stateMachine = task.stateMachineArn ?? arns.stateMachine(scope, '*');
    const child = { stateMachine, executions: executionArnOf(stateMachine, '*') };
    resolved[child.stateMachine] = child.stateMachine;
    resolved[child.executions] = child.executions;
    return nestedExecutionGrants(child, task.pattern, `Nested${index}`);
  });
  return resolveGrants(grants, resolved);
}

/** A child execution as the run reports it. */
export interface NestedExecution {
  executionArn: string;
  stateMachineArn: string;
  status: string;
  history: HistoryEvent[];
}

export interface NestedRuntime {
  api: StepFunctionsApi;
  /** Every child started so far, in the order they started. */
  children(): NestedExecution[];
  /** Stops the children still running (ABORTED) and waits for their calls. */
  stop(): Promise<void>;
}

export async function startNestedRuntime(env: LocalEnvironment, options: { taskTokens?: TaskTokens & TokenAnswers }): Promise<NestedRuntime> {
  // Loaded only by a run that starts executions: the endpoint's modules stay out of the CLI's start-up.
  const { createStepFunctions } = await import('../api/server.ts');
  const stepFunctions = await createStepFunctions({ env, ...options });
  return {
    api: stepFunctions.api,
    children: () =>
      stepFunctions.executions.all().map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: execution.machine.arn,
        status: execution.status,
        history: execution.events,
      })),
    stop: () => stepFunctions.stop(),
  };
}

/** A child as the CLI reports it: its ARN, its state machine, its status and the length of its history. */
export function childSummaries(children: NestedExecution[]) {
  return children.map(({ executionArn, stateMachineArn, status, history }) => ({ executionArn, stateMachineArn, status, historyEvents: history.length }));
}

/** The text report's lines for the children, none without them. */
export function childLines(children: NestedExecution[]): string {
  return childSummaries(children)
    .map((child) => `Child execution ${child.executionArn}: ${child.status}, ${child.historyEvents} history events\n`)
    .join('');
}

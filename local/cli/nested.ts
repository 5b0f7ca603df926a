// A CLI run's nested executions: the Tasks that start executions (states:startExecution, or
// aws-sdk:sfn, which also watches executions and answers task tokens) reach Step Functions in
// process, the endpoint's stores and operations without their port, where the description's
// workflows are registered under their deployed names and roles, as `make deploy` leaves them.
// Another state machine does not exist there: its StartExecution fails at run time
// (StepFunctions.StateMachineDoesNotExistException), as on AWS.
import { classifyResource, isJsonataExpression, type HistoryEvent, type TaskTokens } from '../../engine/index.ts';
import type { TokenAnswers } from '../host/mock-config.ts';
import { arns, executionArnOf, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { isObject } from '../../workflow/json.ts';
import { NESTED_EXECUTION_RULE, nestedExecutionGrants, ref, resolveGrants, type Grant, type NestedPattern, type PolicyStatement } from '../../workflow/permissions.ts';
import { taskStates } from '../bridge/index.ts';
import type { LocalEnvironment, LocalResources, StepFunctionsApi } from '../contracts.ts';

/**
 * A Task that reaches Step Functions: its state, its pattern, its aws-sdk:sfn action if it is one,
 * and the state machine or execution it names, when the definition names it literally.
 */
export interface NestedTask {
  state: string;
  pattern: NestedPattern;
  sdkAction?: string;
  stateMachineArn?: string;
  executionArn?: string;
}

function literalParameter(parameters: unknown, name: string): string | undefined {
  const value = isObject(parameters) ? parameters[name] : undefined;
  return typeof value === 'string' && !isJsonataExpression(value) ? value : undefined;
}

export function nestedTasks(definition: unknown): NestedTask[] {
  return taskStates(definition).flatMap((task): NestedTask[] => {
    if (typeof task.resource !== 'string') return [];
    const kind = classifyResource(task.resource);
    if (kind.kind !== 'service') return [];
    const sdk = kind.resourceType === 'aws-sdk:sfn';
    if (!sdk && (kind.resourceType !== 'states' || !/^startExecution(\.|$)/.test(kind.resource))) return [];
    const stateMachineArn = literalParameter(task.parameters, 'StateMachineArn');
    const executionArn = literalParameter(task.parameters, 'ExecutionArn');
    return [
      {
        state: task.name,
        pattern: kind.pattern,
        ...(sdk ? { sdkAction: kind.resource.split('.')[0]! } : {}),
        ...(stateMachineArn === undefined ? {} : { stateMachineArn }),
        ...(executionArn === undefined ? {} : { executionArn }),
      },
    ];
  });
}

/** An aws-sdk:sfn Task's grant besides startExecution's: the execution it watches, any resource (*) for a token's answer. */
function sdkGrant(task: NestedTask, anyExecution: string, sid: string): Grant {
  const operation = task.sdkAction!.charAt(0).toUpperCase() + task.sdkAction!.slice(1);
  if (operation.startsWith('SendTask')) {
    return { sid, actions: [`states:${operation}`], resources: ['*'], wildcardReason: 'a task token names no resource' };
  }
  return { sid, actions: [`states:${operation}`], resources: [task.executionArn ?? anyExecution] };
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
    if (task.sdkAction === undefined || task.sdkAction === 'startExecution') return nestedExecutionGrants(child, task.sdkAction ? 'request' : task.pattern, `Nested${index}`);
    if (task.executionArn !== undefined) resolved[task.executionArn] = task.executionArn;
    return [sdkGrant(task, child.executions, `Nested${index}Sdk`)];
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

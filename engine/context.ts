// The context object: `$$` in JSONPath, `$states.context` in JSONata.
import type { ExecutionContext } from './types.ts';

export interface MapItem {
  Index: number;
  Value: unknown;
  Source?: string;
}

export interface ContextObject {
  Execution: { Id: string; Input: unknown; Name: string; RoleArn: string; StartTime: string; RedriveCount: number };
  StateMachine: { Id: string; Name: string };
  State: { EnteredTime: string; Name: string; RetryCount?: number };
  Task?: { Token: string };
  Map?: { Item: MapItem };
}

/** The execution-wide part, built once per execution. */
export function executionContext(execution: ExecutionContext, input: unknown): Pick<ContextObject, 'Execution' | 'StateMachine'> {
  return {
    Execution: {
      Id: execution.executionArn,
      Input: input,
      Name: execution.executionName,
      RoleArn: execution.roleArn,
      StartTime: execution.startTime.toISOString(),
      RedriveCount: 0,
    },
    StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
  };
}

// States entered within the same millisecond (most of a loop's) share one EnteredTime text.
let lastTime = Number.NaN;
let lastText = '';

/** `date.toISOString()`, remembered for the last millisecond asked. */
function isoText(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastText = date.toISOString();
    lastTime = time;
  }
  return lastText;
}

/**
 * The context a state sees: the execution's, plus State (and Map.Item inside a Map iteration's
 * item selection). State.RetryCount is there only for the states that can retry (Task, Parallel,
 * Map), as AWS records it: a Pass state's `$$.State` holds Name and EnteredTime alone.
 */
export function stateContext(
  base: Pick<ContextObject, 'Execution' | 'StateMachine'>,
  stateName: string,
  enteredTime: Date,
  retryCount: number | undefined,
  mapItem?: MapItem,
): ContextObject {
  const state: ContextObject['State'] = { EnteredTime: isoText(enteredTime), Name: stateName };
  if (retryCount !== undefined) state.RetryCount = retryCount;
  const context: ContextObject = { Execution: base.Execution, StateMachine: base.StateMachine, State: state };
  if (mapItem) context.Map = { Item: mapItem };
  return context;
}

// The context object: `$$` in JSONPath, `$states.context` in JSONata.
import type { ExecutionContext } from './types.ts';

export interface MapItem {
  Index: number;
  Value: unknown;
  Source?: string;
}

export interface ContextObject {
  Execution: { Id: string; Input: unknown; Name: string; RoleArn: string | null; StartTime: string; RedriveCount?: number };
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
      // An execution without a role (TestState given no roleArn) has none: null, as AWS records.
      RoleArn: execution.roleArn === '' ? null : execution.roleArn,
      StartTime: execution.startTime.toISOString(),
      ...(execution.testState ? {} : { RedriveCount: 0 }),
    },
    StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
  };
}

// States entered within the same second (nearly all of a loop's) share that second's text: only
// the milliseconds differ, and toISOString costs several times what writing them does.
let secondStart = Number.NaN;
let secondText = '';

/** `date.toISOString()`, from the text of its second when that second was the last one asked. */
function isoText(date: Date): string {
  const time = date.getTime();
  let ms = time - secondStart;
  if (!(ms >= 0 && ms < 1000)) {
    const start = Math.floor(time / 1000) * 1000;
    // `…T12:34:56.000Z` without `000Z`; an invalid date throws RangeError here, as toISOString does.
    secondText = new Date(start).toISOString().slice(0, -4);
    secondStart = start;
    ms = time - start;
  }
  return `${secondText}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
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

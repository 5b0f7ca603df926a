// The engine's public API: run a state machine, check a definition before running it, or test one state.
export { runExecution } from './execution.ts';
export { checkDefinition } from './definition.ts';
export { DefinitionError, StatesError, UnsupportedFeature } from './errors.ts';
export { DEFAULT_QUOTAS, MAX_WAIT_MS } from './quotas.ts';
export { MAX_JSON_DEPTH, nestingMessage, tooDeep } from './payload.ts';
export { payloadByteLength, stateTransitions } from './history.ts';
export { isJsonataExpression } from './jsonata/evaluate.ts';
export { classifyResource } from './resources.ts';
export { newTaskToken } from './states/task-token.ts';
// A bounded memo of a text's pure function, for the offline runtime's own texts too (IAM's patterns).
export { rememberedByText } from './memo.ts';
export { awaitTurn, itemsTurnDue } from './turns.ts';
// The pattern matchers bench/patterns.ts measures.
export { matchesPattern } from './jsonpath/choice.ts';
export { compilePattern, LinearRegExp, matchesWhole } from './patterns.ts';
export { InvalidTestStateRequest, selectState, stateNames, testState } from './test-state.ts';
export type { InspectionData, TestStateMock, TestStateResult } from './test-state.ts';
export type { Catcher, Retrier } from './retry.ts';
export type {
  Dispatcher,
  EngineOptions,
  ExecutionContext,
  ExecutionResult,
  ExecutionStatus,
  HistoryEvent,
  MapRunExecution,
  MapRunRecord,
  Quotas,
  TaskCall,
  TaskTokenRequest,
  TaskTokens,
  TaskTokenWait,
} from './types.ts';

// TestState against the engine's own executions: every conformance case (../shared/conformance,
// recorded on AWS) runs as an execution whose every attempt at every state is watched (its input,
// context, variables, data flow and outcome), and TestState is then asked the same of that state
// alone, with the execution's Task or Map/Parallel result (or error) as its mock. Both must give
// the same status, output, next state, error, retry or catch decision, variables and data flow.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { checkDefinition } from '../../engine/definition.ts';
import { executeMachine, newRun } from '../../engine/execution.ts';
import { failureOfError } from '../../engine/machine.ts';
import { DEFAULT_QUOTAS } from '../../engine/quotas.ts';
import { retrierIndex, type Retrier } from '../../engine/retry.ts';
import { TaskError } from '../../engine/states/task.ts';
import type { Attempt, InspectedStep, Machine, StateStep } from '../../engine/step.ts';
import { testState, type InspectionData, type TestStateMock, type TestStateResult } from '../../engine/test-state.ts';
import type { Dispatcher } from '../../engine/types.ts';
import { REPO_ROOT } from '../../stacks/paths.ts';

const CONFORMANCE = resolve(REPO_ROOT, '..', 'shared', 'conformance');
const CASES = join(CONFORMANCE, 'cases');

interface Case {
  id: string;
  definition: Machine & { QueryLanguage?: string };
  input: unknown;
  lambdas?: Record<string, string>;
}

/** One attempt at one state, as the execution made it. */
interface Watched {
  step: StateStep;
  variables: Record<string, unknown>;
  data: Partial<Record<InspectedStep, unknown>>;
  attempt?: Attempt;
  after?: Record<string, unknown>;
}

type Handler = (event: unknown) => Promise<unknown>;

/** The cases' stand-in Lambdas, a lambda:invoke that wraps their result, and no other service. */
async function dispatcherFor(lambdas: Record<string, string>): Promise<Dispatcher> {
  const handlers = new Map<string, Handler>();
  for (const [arn, module] of Object.entries(lambdas)) {
    const { default: handler } = (await import(pathToFileURL(join(CONFORMANCE, 'lambdas', `${module}.mjs`)).href)) as { default: Handler };
    handlers.set(arn, handler);
    handlers.set(arn.split(':').pop()!, handler);
  }
  const invoke = (name: unknown, payload: unknown) => {
    const handler = handlers.get(String(name)) ?? handlers.get(String(name).split(':').pop()!);
    if (!handler) return Promise.reject(Object.assign(new Error(`Function not found: ${String(name)}`), { name: 'Lambda.ResourceNotFoundException' }));
    return handler(structuredClone(payload));
  };
  return async (call) => {
    if (call.resource.startsWith('arn:aws:lambda:')) return invoke(call.resource, call.parameters);
    if (call.resource === 'arn:aws:states:::lambda:invoke') {
      const { FunctionName, Payload } = (call.parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      return { Payload: await invoke(FunctionName, Payload), StatusCode: 200 };
    }
    throw Object.assign(new Error(`No stand-in for ${call.resource}`), { name: 'States.TaskFailed' });
  };
}

/** Runs the case as an execution (retries not waited for), watching every attempt at every state. */
async function watchExecution(testCase: Case): Promise<Watched[]> {
  const watched: Watched[] = [];
  const options = { dispatch: await dispatcherFor(testCase.lambdas ?? {}), retryDelay: () => 0 };
  const execution = {
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:conformance:both-ways',
    executionName: 'both-ways',
    stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:conformance',
    stateMachineName: 'conformance',
    roleArn: 'arn:aws:iam::111111111111:role/conformance',
    startTime: new Date(),
  };
  const run = newRun(execution, options, DEFAULT_QUOTAS, new AbortController().signal, testCase.input, [], testCase.definition.QueryLanguage === 'JSONata');
  run.inspect = (step) => {
    const entry: Watched = { step, variables: { ...step.thread.variables.all() }, data: {} };
    watched.push(entry);
    return {
      record: (field, value) => {
        entry.data[field] = value;
      },
      attempted: (attempt) => {
        entry.attempt = attempt;
        entry.after = { ...step.thread.variables.all() };
      },
    };
  };
  await executeMachine(run, testCase.definition, testCase.input);
  return watched.filter((entry) => entry.attempt !== undefined);
}

/** Retries already made, before this attempt, by the retrier that takes its error. */
function retriesBefore(entry: Watched, watched: Watched[]): number {
  const { attempt, step } = entry;
  if (attempt!.status === 'SUCCEEDED') return 0;
  const index = retrierIndex(step.state.Retry as Retrier[] | undefined, attempt!.error.name);
  const earlier = watched.slice(0, watched.indexOf(entry));
  return earlier.filter((other) => other.step.thread === step.thread && other.step.enteredEventId === step.enteredEventId && other.attempt!.status === 'RETRIABLE' && (other.attempt as { retryIndex: number }).retryIndex === index).length;
}

/** The execution's result (or error) of a Task's call or of a Map's or Parallel's iterations, as TestState's mock. */
function mockOf(entry: Watched): TestStateMock | undefined {
  const { state } = entry.step;
  if (!['Task', 'Map', 'Parallel'].includes(state.Type)) return undefined;
  if ('result' in entry.data) return { result: entry.data.result };
  const attempt = entry.attempt!;
  if (attempt.status !== 'SUCCEEDED' && (state.Type !== 'Task' || attempt.error instanceof TaskError)) {
    return { errorOutput: { error: attempt.error.name, cause: attempt.error.message } };
  }
  // The state failed before its call: the mock is never reached.
  return { result: null };
}

// The data-flow steps compared, and those AWS leaves out of a mocked Map's or Parallel's inspection data.
const FLOW: InspectedStep[] = ['afterInputPath', 'afterParameters', 'afterArguments', 'result', 'afterResultSelector', 'afterResultPath', 'afterItemsPath'];
const HIDDEN: Record<string, InspectedStep[]> = { Map: ['result'], Parallel: ['result', 'afterInputPath', 'afterParameters'] };

/** An error's cause as TestState gives it: without the execution's prefix naming the state and its entry (recorded). */
const cause = (text: string | undefined) => (text ?? '').replace(/^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. /, '');

function fromExecution(entry: Watched): Record<string, unknown> {
  const attempt = entry.attempt!;
  const shown = FLOW.filter((field) => field in entry.data && !(HIDDEN[entry.step.state.Type] ?? []).includes(field));
  const summary: Record<string, unknown> = { status: attempt.status, flow: Object.fromEntries(shown.map((field) => [field, entry.data[field]])) };
  if (attempt.status === 'SUCCEEDED' || attempt.status === 'CAUGHT_ERROR') {
    summary.output = attempt.outcome.output;
    summary.nextState = attempt.outcome.next;
    if (attempt.outcome.assign !== undefined || Object.keys(entry.after ?? {}).length > 0) summary.variables = entry.after;
  }
  if (attempt.status !== 'SUCCEEDED') {
    const { error, cause: text } = failureOfError(attempt.error);
    Object.assign(summary, { error: error ?? '', cause: cause(text) });
  }
  if (attempt.status === 'RETRIABLE' || (attempt.status === 'FAILED' && attempt.retryIndex !== undefined)) summary.retryIndex = attempt.retryIndex;
  if (attempt.status === 'CAUGHT_ERROR') summary.catchIndex = attempt.catchIndex;
  return summary;
}

function fromTestState(result: TestStateResult): Record<string, unknown> {
  const data: InspectionData = result.inspectionData ?? {};
  const summary: Record<string, unknown> = { status: result.status, flow: Object.fromEntries(FLOW.filter((field) => field in data).map((field) => [field, data[field]])) };
  if (result.status === 'SUCCEEDED' || result.status === 'CAUGHT_ERROR') {
    summary.output = result.output;
    summary.nextState = result.nextState;
    if (data.variables !== undefined) summary.variables = data.variables;
  }
  if (result.status !== 'SUCCEEDED') Object.assign(summary, { error: result.error ?? '', cause: cause(result.cause) });
  if (data.errorDetails?.retryIndex !== undefined) summary.retryIndex = data.errorDetails.retryIndex;
  if (data.errorDetails?.catchIndex !== undefined) summary.catchIndex = data.errorDetails.catchIndex;
  return summary;
}

// Draws a fresh value on each run (an unseeded random number, a UUID, the time): only the status and next state can agree.
const RANDOM = /States\.MathRandom\([^,()]*,[^,()]*\)|States\.UUID\(|\$(random|uuid|now|millis)\(/;

async function compareCase(testCase: Case): Promise<number> {
  const watched = await watchExecution(testCase);
  for (const entry of watched) {
    const { step } = entry;
    const mock = mockOf(entry);
    const result = await testState({
      // The state alone: two branches may hold states of the same name.
      definition: step.jsonata ? { ...step.state, QueryLanguage: 'JSONata' } : step.state,
      stateName: step.name,
      input: step.input,
      context: step.context,
      variables: entry.variables,
      inspectionLevel: 'DEBUG',
      retrierRetryCount: retriesBefore(entry, watched),
      ...(mock ? { mock } : {}),
    });
    const [got, expected] = [fromTestState(result), fromExecution(entry)];
    const where = `state "${step.name}" on ${JSON.stringify(step.input)?.slice(0, 200)}`;
    if (RANDOM.test(JSON.stringify(step.state))) expect([got.status, got.nextState], where).to.deep.equal([expected.status, expected.nextState]);
    else expect(got, where).to.deep.equal(expected);
  }
  return watched.length;
}

describe('engine/test-state: TestState and the execution agree on every state of the conformance cases', () => {
  if (!existsSync(CASES)) {
    it.skip(`skipped: ${CASES} is absent (the conformance cases are cloned beside the repository, as CI does)`);
    return;
  }
  const files = readdirSync(CASES).filter((file) => file.endsWith('.json')).sort();
  for (const file of files) {
    const testCase = JSON.parse(readFileSync(join(CASES, file), 'utf8')) as Case;
    it(testCase.id, async function () {
      this.timeout(30_000);
      try {
        checkDefinition(testCase.definition);
      } catch {
        this.skip();
      }
      expect(await compareCase(testCase)).to.be.greaterThan(0);
    });
  }
});

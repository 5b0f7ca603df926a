// Step Functions Local's mock configuration file, unchanged (AWS's "Configuration file for mocked
// service integrations"): `StateMachines` → state machine name → `TestCases` → test case → Task
// state name → mocked response name; `MockedResponses` → name → invocation numbers ("0", "1-2",
// …) → `Return` (the service's response) or `Throw` (`Error`, `Cause`). A test case chosen for an
// execution answers its Task states from the file instead of calling anything; the engine records
// the same events, and Retry and Catch see a thrown error as a real one.
import { readFile } from 'node:fs/promises';
import { StatesError, type Dispatcher, type TaskCall } from '../../engine/index.ts';
import type { MockReport } from '../../execution/execution-record.ts';
import { isObject } from '../../workflow/json.ts';
import { forEachState } from '../definition.ts';

/** A mock configuration file that does not have the documented shape; the message names the place in the file. */
export class InvalidMockConfig extends Error {
  override name = 'InvalidMockConfig';
}

/** A test case the mock configuration does not hold for that state machine, or one naming a state it does not have. */
export class UnknownTestCase extends Error {
  override name = 'UnknownTestCase';
}

export type MockAnswer = { return: unknown } | { throw: { error: string; cause: string } };

/** One key of a mocked response: the invocations `from`…`to` (0-based, inclusive) get `answer`. */
export interface MockRange {
  key: string;
  from: number;
  to: number;
  answer: MockAnswer;
}

export interface MockConfig {
  /** The file it was read from, for messages. */
  path: string;
  /** State machine name → test case name → Task state name → mocked response name. */
  stateMachines: Record<string, Record<string, Record<string, string>>>;
  /** Mocked response name → its ranges, in invocation order. */
  responses: Record<string, MockRange[]>;
}

/** A test case resolved for one state machine: each mocked state with its response's ranges. */
export interface TestCase {
  stateMachine: string;
  name: string;
  /** The file it came from. */
  path: string;
  /** Task state name → mocked response name and its ranges. */
  states: Record<string, { response: string; ranges: MockRange[] }>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A place in the file, as `$.MockedResponses.MockedLambdaRetry["1-2"].Throw`. */
function at(path: string[]): string {
  return `$${path.map((key) => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('')}`;
}

function objectAt(value: unknown, path: string[], what: string): Record<string, unknown> {
  if (!isObject(value)) throw new InvalidMockConfig(`${at(path)} must be an object (${what}), got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function onlyFields(value: Record<string, unknown>, path: string[], allowed: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InvalidMockConfig(`${at([...path, key])} is not a field of the mock configuration; expected ${allowed.join(' or ')}`);
  }
}

const RANGE = /^(\d+)(?:-(\d+))?$/;

function parseAnswer(value: unknown, path: string[]): MockAnswer {
  const entry = objectAt(value, path, 'a Return or a Throw');
  const fields = Object.keys(entry);
  if (fields.length !== 1 || (fields[0] !== 'Return' && fields[0] !== 'Throw')) {
    throw new InvalidMockConfig(`${at(path)} must hold exactly one field, Return or Throw; it has ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  }
  if (fields[0] === 'Return') return { return: entry.Return };
  const thrown = objectAt(entry.Throw, [...path, 'Throw'], 'with Error and Cause');
  onlyFields(thrown, [...path, 'Throw'], ['Error', 'Cause']);
  for (const field of ['Error', 'Cause']) {
    if (typeof thrown[field] !== 'string') throw new InvalidMockConfig(`${at([...path, 'Throw', field])} must be a string`);
  }
  return { throw: { error: thrown.Error as string, cause: thrown.Cause as string } };
}

function parseResponse(value: unknown, path: string[]): MockRange[] {
  const entry = objectAt(value, path, 'invocation numbers such as "0" or "1-2", each with a Return or a Throw');
  const ranges = Object.entries(entry).map(([key, answer]): MockRange => {
    const match = RANGE.exec(key);
    if (!match) throw new InvalidMockConfig(`${at([...path, key])}: "${key}" is not an invocation number ("0") or an inclusive range ("1-2")`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new InvalidMockConfig(`${at([...path, key])}: the range "${key}" ends before it starts`);
    return { key, from, to, answer: parseAnswer(answer, [...path, key]) };
  });
  ranges.sort((a, b) => a.from - b.from);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.from <= ranges[i - 1]!.to) {
      throw new InvalidMockConfig(`${at(path)}: "${ranges[i - 1]!.key}" and "${ranges[i]!.key}" both answer invocation ${ranges[i]!.from}`);
    }
  }
  return ranges;
}

/** Parses and checks a mock configuration's text; throws InvalidMockConfig naming the place in the file. */
export function parseMockConfig(text: string, path: string): MockConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvalidMockConfig(`${path} is not JSON: ${(error as Error).message}`);
  }
  const wrap = <T>(check: () => T): T => {
    try {
      return check();
    } catch (error) {
      if (error instanceof InvalidMockConfig) throw new InvalidMockConfig(`${path}: ${error.message}`);
      throw error;
    }
  };
  return wrap(() => {
    const root = objectAt(parsed, [], 'with StateMachines and MockedResponses');
    onlyFields(root, [], ['StateMachines', 'MockedResponses']);
    const responses = Object.fromEntries(
      Object.entries(objectAt(root.MockedResponses ?? {}, ['MockedResponses'], 'mocked responses by name')).map(([name, value]) => [
        name,
        parseResponse(value, ['MockedResponses', name]),
      ]),
    );
    const stateMachines: MockConfig['stateMachines'] = {};
    for (const [machine, value] of Object.entries(objectAt(root.StateMachines ?? {}, ['StateMachines'], 'state machines by name'))) {
      const machinePath = ['StateMachines', machine];
      const entry = objectAt(value, machinePath, 'with TestCases');
      onlyFields(entry, machinePath, ['TestCases']);
      const testCases: Record<string, Record<string, string>> = {};
      for (const [testCase, states] of Object.entries(objectAt(entry.TestCases, [...machinePath, 'TestCases'], 'test cases by name'))) {
        const casePath = [...machinePath, 'TestCases', testCase];
        const mocked: Record<string, string> = {};
        for (const [state, response] of Object.entries(objectAt(states, casePath, 'Task state names, each with a mocked response name'))) {
          if (typeof response !== 'string') throw new InvalidMockConfig(`${at([...casePath, state])} must name a mocked response (a string)`);
          if (!Object.hasOwn(responses, response)) {
            throw new InvalidMockConfig(`${at([...casePath, state])} names the mocked response "${response}", which MockedResponses does not hold`);
          }
          mocked[state] = response;
        }
        testCases[testCase] = mocked;
      }
      stateMachines[machine] = testCases;
    }
    return { path, stateMachines, responses };
  });
}

/** Reads and checks a mock configuration file. */
export async function loadMockConfig(path: string): Promise<MockConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidMockConfig(`the mock configuration ${path} cannot be read: ${(error as Error).message}`);
  }
  return parseMockConfig(text, path);
}

/**
 * The test case `testCase` of the state machine `stateMachine`, checked against its definition:
 * every state it mocks must be a Task state of the definition (a typo would otherwise run the
 * state for real, unnoticed).
 */
export function findTestCase(config: MockConfig, stateMachine: string, testCase: string, definition: unknown): TestCase {
  const cases = config.stateMachines[stateMachine];
  if (cases === undefined) {
    const known = Object.keys(config.stateMachines);
    throw new UnknownTestCase(
      `the mock configuration ${config.path} has no state machine "${stateMachine}" (StateMachines holds ${known.length === 0 ? 'none' : known.map((name) => `"${name}"`).join(', ')})`,
    );
  }
  const states = cases[testCase];
  if (states === undefined) {
    throw new UnknownTestCase(
      `the mock configuration ${config.path} has no test case "${testCase}" for "${stateMachine}" (its test cases: ${Object.keys(cases).join(', ') || 'none'})`,
    );
  }
  const tasks = taskStateNames(definition);
  for (const state of Object.keys(states)) {
    if (!tasks.has(state)) {
      throw new UnknownTestCase(
        `test case "${testCase}" of "${stateMachine}" mocks "${state}", which is not a Task state of the definition (its Task states: ${[...tasks].join(', ') || 'none'})`,
      );
    }
  }
  return {
    stateMachine,
    name: testCase,
    path: config.path,
    states: Object.fromEntries(Object.entries(states).map(([state, response]) => [state, { response, ranges: config.responses[response]! }])),
  };
}

/**
 * The CLI's `--test-case`: `StateMachine#TestCase`, as on the endpoint, or `TestCase` alone, looked
 * up under the running state machine's name, else under the one state machine of the file that has it.
 */
export function chooseTestCase(config: MockConfig, spec: string, runningMachine: string, definition: unknown): TestCase {
  const at = spec.indexOf('#');
  if (at >= 0) return findTestCase(config, spec.slice(0, at), spec.slice(at + 1), definition);
  if (config.stateMachines[runningMachine]?.[spec] !== undefined) return findTestCase(config, runningMachine, spec, definition);
  const holders = Object.keys(config.stateMachines).filter((machine) => config.stateMachines[machine]![spec] !== undefined);
  if (holders.length === 1) return findTestCase(config, holders[0]!, spec, definition);
  if (holders.length === 0) throw new UnknownTestCase(`the mock configuration ${config.path} has no test case "${spec}" under any state machine`);
  throw new UnknownTestCase(`test case "${spec}" is under ${holders.map((machine) => `"${machine}"`).join(' and ')} in ${config.path}: name one, as --test-case ${holders[0]}#${spec}`);
}

/** Counts the invocations each mocked state answered, for the report. */
export function createMockLedger(testCase: TestCase): { answered: (call: MockedCall) => void; report: () => MockReport } {
  const counts = new Map<string, number>();
  return {
    answered: (call) => counts.set(call.stateName, (counts.get(call.stateName) ?? 0) + 1),
    report: () => ({
      testCase: testCase.name,
      stateMachine: testCase.stateMachine,
      file: testCase.path,
      states: Object.entries(testCase.states).map(([state, { response }]) => ({ state, response, answered: counts.get(state) ?? 0 })),
    }),
  };
}

/** The names of every Task state, those in Parallel branches and Map iterations included. */
export function taskStateNames(definition: unknown): Set<string> {
  const names = new Set<string>();
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') names.add(name);
  });
  return names;
}

/** Every state any test case of the state machine mocks: these need no integration the bridge runs. */
export function mockableStates(config: MockConfig | undefined, stateMachine: string): Set<string> {
  const cases = config?.stateMachines[stateMachine] ?? {};
  return new Set(Object.values(cases).flatMap((states) => Object.keys(states)));
}

/** What a mocked call answered, for the report. */
export interface MockedCall {
  stateName: string;
  response: string;
  invocation: number;
}

/** SendTaskSuccess and SendTaskFailure, as the host's registry of task tokens takes them. */
export interface TokenAnswers {
  /** `output` is the answer's JSON text. */
  succeed(token: string, output: string): void;
  fail(token: string, error: string | undefined, cause: string | undefined): void;
}

/**
 * A mocked `.waitForTaskToken` Task: its response answers the token, as SendTaskSuccess (Return) or
 * SendTaskFailure (Throw) would, so the events are a callback's (TaskSubmitted, then TaskSucceeded
 * or TaskFailed). No service was called, so the submission's result is empty.
 */
function answerCallback(token: string, answer: MockAnswer, tokens: TokenAnswers | undefined, stateName: string): Promise<unknown> {
  if (!tokens) return Promise.reject(new StatesError('States.Runtime', `The state '${stateName}' waits for a task token, and this runtime answers none from a mock.`));
  if ('throw' in answer) tokens.fail(token, answer.throw.error, answer.throw.cause);
  else tokens.succeed(token, JSON.stringify(answer.return ?? null));
  return Promise.resolve({});
}

/**
 * The dispatcher of an execution under a test case: a mocked Task's n-th invocation in the
 * execution (0-based, retries and loops included, as Step Functions Local counts them) takes the
 * n-th response and calls nothing; any other call goes to `dispatch`. An invocation the response
 * does not cover fails the execution (States.Runtime), as Step Functions Local fails it. A mocked
 * `.waitForTaskToken` Task's response answers its token through `tokens`.
 */
export function mockingDispatcher(dispatch: Dispatcher, testCase: TestCase, onMocked?: (call: MockedCall) => void, tokens?: TokenAnswers): Dispatcher {
  const invocations = new Map<string, number>();
  return (call: TaskCall) => {
    const mocked = testCase.states[call.stateName];
    if (mocked === undefined) return dispatch(call);
    // A distributed Map's children are executions of their own, each counting from 0.
    const key = `${call.execution.executionArn}\u0000${call.stateName}`;
    const invocation = invocations.get(key) ?? 0;
    invocations.set(key, invocation + 1);
    const range = mocked.ranges.find((candidate) => invocation >= candidate.from && invocation <= candidate.to);
    if (range === undefined) {
      const keys = mocked.ranges.map((candidate) => candidate.key).join(', ') || 'none';
      return Promise.reject(
        new StatesError(
          'States.Runtime',
          `No mocked response for invocation ${invocation} of state "${call.stateName}": test case "${testCase.name}" of ${testCase.path} answers it with "${mocked.response}", whose invocations are ${keys}`,
        ),
      );
    }
    onMocked?.({ stateName: call.stateName, response: mocked.response, invocation });
    if (call.taskToken !== undefined) return answerCallback(call.taskToken, range.answer, tokens, call.stateName);
    if ('throw' in range.answer) {
      const failure = new Error(range.answer.throw.cause);
      failure.name = range.answer.throw.error;
      return Promise.reject(failure);
    }
    // A copy: the engine's data flow must not change the file's value for the next invocation.
    return Promise.resolve(structuredClone(range.answer.return));
  };
}

import { expect } from 'chai';
import { checkDefinition, DefinitionError, UnsupportedFeature } from '../../engine/index.ts';
import { CONTEXT, machine, run, types } from './run.ts';

// Endless unless the input has $.stop: AWS refuses a machine with no state that ends it.
const LOOP = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Next: 'B' },
    B: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'A' },
    Done: { Type: 'Succeed' },
  },
};

describe('engine: executions', () => {
  it('records ExecutionStarted with the input and role, ids from 1, and previousEventId as AWS links them', async () => {
    const result = await run(machine({ Type: 'Pass', Next: 'T' }, { T: { Type: 'Pass', End: true } }), { a: 1 });
    const started = JSON.parse(JSON.stringify(result.history[0]));
    expect(started).to.deep.include({ id: 1, previousEventId: 0, type: 'ExecutionStarted' });
    expect(started.executionStartedEventDetails).to.deep.equal({ input: '{"a":1}', inputDetails: { truncated: false }, roleArn: CONTEXT.roleArn });
    // AWS: the first state's Entered event points at 0, not at ExecutionStarted.
    expect(result.history.map((event) => [event.id, event.previousEventId])).to.deep.equal([
      [1, 0],
      [2, 0],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
    ]);
    expect(JSON.parse(JSON.stringify(result.history[5])).executionSucceededEventDetails).to.deep.equal({ output: '{"a":1}', outputDetails: { truncated: false } });
  });

  // The ids and previousEventIds below are those AWS recorded for these machines (LocalStack's
  // snapshots of test_map_state_nested, test_map_state_catch and test_map_state_retry).
  const ids = (events: { id: number; previousEventId: number; type: string }[]) => events.map((e) => `${e.id}<${e.previousEventId} ${e.type}`);

  it('links the events of a sequential Map as AWS does', async () => {
    const inner = { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const result = await run(machine({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: inner, End: true }), [1, 2]);
    expect(ids(result.history)).to.deep.equal([
      '1<0 ExecutionStarted',
      '2<0 MapStateEntered',
      '3<2 MapStateStarted',
      '4<3 MapIterationStarted',
      '5<4 PassStateEntered',
      '6<5 PassStateExited',
      '7<6 MapIterationSucceeded',
      '8<6 MapIterationStarted',
      '9<8 PassStateEntered',
      '10<9 PassStateExited',
      '11<10 MapIterationSucceeded',
      '12<11 MapStateSucceeded',
      '13<11 MapStateExited',
      '14<13 ExecutionSucceeded',
    ]);
  });

  it('links a failing Map, its retry and its catch as AWS does', async () => {
    const failing = { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: 'C' } } };
    const retried = await run(machine({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: failing, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1 }], End: true }), [1], {
      retryDelay: () => 0,
    });
    expect(ids(retried.history)).to.deep.equal([
      '1<0 ExecutionStarted',
      '2<0 MapStateEntered',
      '3<2 MapStateStarted',
      '4<3 MapIterationStarted',
      '5<4 FailStateEntered',
      '6<5 MapIterationFailed',
      '7<5 MapStateStarted',
      '8<7 MapIterationStarted',
      '9<8 FailStateEntered',
      '10<9 MapIterationFailed',
      '11<9 MapStateFailed',
      '12<11 ExecutionFailed',
    ]);
    const caught = await run(
      machine({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: failing, Catch: [{ ErrorEquals: ['E'], Next: 'H' }], End: true }, { H: { Type: 'Pass', End: true } }),
      [1],
    );
    expect(ids(caught.history).slice(4)).to.deep.equal(['5<4 FailStateEntered', '6<5 MapIterationFailed', '7<5 MapStateFailed', '8<7 MapStateExited', '9<8 PassStateEntered', '10<9 PassStateExited', '11<10 ExecutionSucceeded']);
  });

  it('exposes the context object ($$) with Execution, StateMachine and State', async () => {
    const result = await run(machine({ Type: 'Pass', Parameters: { 'c.$': '$$' }, End: true }), { a: 1 });
    const context = (result.output as { c: { Execution: unknown; StateMachine: unknown; State: { Name: string; EnteredTime: string } } }).c;
    expect(context.Execution).to.deep.equal({
      Id: CONTEXT.executionArn,
      Input: { a: 1 },
      Name: CONTEXT.executionName,
      RoleArn: CONTEXT.roleArn,
      StartTime: CONTEXT.startTime.toISOString(),
      RedriveCount: 0,
    });
    expect(context.StateMachine).to.deep.equal({ Id: CONTEXT.stateMachineArn, Name: CONTEXT.stateMachineName });
    expect(context.State.Name).to.equal('S');
    expect(Date.parse(context.State.EnteredTime)).to.be.a('number').and.not.NaN;
  });

  it("times out on the definition's TimeoutSeconds even in a tight Pass/Choice loop", async () => {
    const started = Date.now();
    const result = await run({ ...LOOP, TimeoutSeconds: 1 }, {}, { quotas: { historyEvents: 10_000_000, payloadBytes: 262_144 } });
    expect(result.status).to.equal('TIMED_OUT');
    expect(Date.now() - started).to.be.below(3000);
    expect(types(result).at(-1)).to.equal('ExecutionTimedOut');
  });

  it('fails with States.Runtime when the history reaches its quota; the last event is ExecutionFailed', async () => {
    const result = await run(LOOP, {}, { quotas: { historyEvents: 50, payloadBytes: 262_144 } });
    expect(result).to.include({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).to.contain('maximum number of history events (50)');
    expect(result.history).to.have.length(50);
    expect(types(result).at(-1)).to.equal('ExecutionFailed');
  });

  it('fails with States.DataLimitExceeded (not caught by States.ALL) when a state result is over the payload quota', async () => {
    // A Task's result: Catch is a Task's, Parallel's or Map's field.
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' } };
    const result = await run(
      machine({ ...task, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true }, { H: { Type: 'Pass', End: true } }),
      {},
      { quotas: { historyEvents: 25_000, payloadBytes: 256 }, dispatch: async () => 'x'.repeat(300) },
    );
    expect(result).to.include({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(types(result)).not.to.include('PassStateEntered');
    expect(types(result).at(-1)).to.equal('ExecutionFailed');
  });

  it('ends as ABORTED when the signal aborts, and reports each event to onEvent', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const result = await run(LOOP, {}, {
      signal: controller.signal,
      onEvent: (event, execution) => {
        seen.push(`${execution.executionName}:${event.type}`);
        if (event.id === 10) controller.abort();
      },
    });
    expect(result.status).to.equal('ABORTED');
    expect(seen[0]).to.equal('run-1:ExecutionStarted');
    expect(seen.at(-1)).to.equal('run-1:ExecutionAborted');
  });

  it('resolves (never rejects) for an invalid definition', async () => {
    const result = await run({ StartAt: 'Nowhere', States: { A: { Type: 'Pass', End: true } } });
    expect(result).to.include({ status: 'FAILED', error: 'DefinitionError' });
  });
});

describe('engine: checkDefinition', () => {
  it('accepts a valid definition', () => {
    expect(() => checkDefinition(LOOP)).not.to.throw();
  });

  it('refuses structural errors with DefinitionError naming the state and field', () => {
    expect(() => checkDefinition(machine({ Type: 'Pass', Next: 'Missing' }))).to.throw(DefinitionError, "state 'S', field 'Next'");
    expect(() => checkDefinition(machine({ Type: 'Pass', End: true, Next: 'Missing' }))).to.throw(DefinitionError, "state 'S', field 'Next'");
    expect(() => checkDefinition(machine({ Type: 'Nope', End: true }))).to.throw(DefinitionError, "state 'S', field 'Type'");
    expect(() => checkDefinition(machine({ Type: 'Pass', Output: 1, End: true }))).to.throw(DefinitionError, "field 'Output'");
    expect(() => checkDefinition(machine({ Type: 'Pass', InputPath: '$', End: true }, {}, { QueryLanguage: 'JSONata' }))).to.throw(DefinitionError, "field 'InputPath'");
  });

  it("refuses, as AWS's schema does at creation, a path, End, list or Assign of another JSON type, before any state reads it", () => {
    const wrongType = (state: Record<string, unknown>, field: string, what: string, options = {}) =>
      expect(() => checkDefinition(machine(state, { H: { Type: 'Pass', End: true } }, options)), JSON.stringify(state)).to.throw(
        DefinitionError,
        `field '${field}': must be ${what}`,
      );
    for (const field of ['InputPath', 'OutputPath', 'ResultPath']) {
      for (const value of [[], {}, true, 1]) wrongType({ Type: 'Pass', [field]: value, End: true }, field, 'a path (a string) or null');
    }
    wrongType({ Type: 'Wait', SecondsPath: null, End: true }, 'SecondsPath', 'a path (a string).');
    wrongType({ Type: 'Fail', CausePath: ['$.c'] }, 'CausePath', 'a path (a string).');
    wrongType({ Type: 'Pass', End: 'true' }, 'End', 'true or false');
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true };
    for (const [field, what] of [['Retry', 'retriers'], ['Catch', 'catchers']] as const) {
      wrongType({ ...task, [field]: [null] }, field, `an array of ${what} (objects)`);
      wrongType({ ...task, [field]: true }, field, `an array of ${what} (objects)`);
    }
    wrongType({ Type: 'Choice', Choices: 'x', Default: 'H' }, 'Choices', 'an array of rules (objects)');
    const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } };
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter']) wrongType({ Type: 'Map', ItemProcessor: processor, [field]: null, End: true }, field, 'an object');
    wrongType({ Type: 'Map', ItemProcessor: processor, ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: 'x' }, End: true }, 'ItemReader.ReaderConfig', 'an object');
    wrongType({ Type: 'Fail', Error: 1 }, 'Error', 'a string');
    wrongType({ Type: 'Fail', Cause: { why: 'x' } }, 'Cause', 'a string');
    wrongType({ Type: 'Pass', Comment: [], End: true }, 'Comment', 'a string');
    wrongType({ ...task, Retry: [{ ErrorEquals: [1] }] }, 'Retry[0].ErrorEquals', 'a non-empty array of error names (strings)');
    wrongType({ ...task, Catch: [{ ErrorEquals: ['X', null], Next: 'H' }] }, 'Catch[0].ErrorEquals', 'a non-empty array of error names (strings)');
    wrongType({ Type: 'Parallel', Branches: [null], End: true }, 'Branches', 'an array of state machines (objects)');
    wrongType({ ...task, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: {}, Next: 'H' }] }, 'Catch[0].ResultPath', 'a path (a string) or null');
    for (const options of [{}, { QueryLanguage: 'JSONata' }]) {
      wrongType({ Type: 'Pass', Assign: null, End: true }, 'Assign', 'an object', options);
      wrongType({ ...task, Catch: [{ ErrorEquals: ['States.ALL'], Assign: [], Next: 'H' }] }, 'Catch[0].Assign', 'an object', options);
    }
    wrongType({ Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Assign: 'x', Next: 'H' }] }, 'Choices[0].Assign', 'an object');
    // What each field may hold is still taken: null paths, false End, empty lists.
    expect(() => checkDefinition(machine({ Type: 'Pass', InputPath: null, OutputPath: null, ResultPath: null, End: true }))).not.to.throw();
    expect(() => checkDefinition(machine({ ...task, End: true, Retry: [], Catch: [] }))).not.to.throw();
  });

  it("refuses a literal number of seconds, attempts or items of another type or out of AWS's range; a JSONata state may give an expression", () => {
    const refused = (state: Record<string, unknown>, field: string, what: string, options = {}) =>
      expect(() => checkDefinition(machine(state, {}, options)), JSON.stringify(state)).to.throw(DefinitionError, `field '${field}': must be ${what}`);
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true };
    const retry = (fields: Record<string, unknown>) => ({ ...task, Retry: [{ ErrorEquals: ['States.ALL'], ...fields }] });
    for (const value of [0, 1.5, 100_000_000, '1']) refused(retry({ IntervalSeconds: value }), 'Retry[0].IntervalSeconds', 'an integer from 1 to 99999999');
    for (const value of [-1, 0.5, 100_000_000, 'x']) refused(retry({ MaxAttempts: value }), 'Retry[0].MaxAttempts', 'an integer from 0 to 99999999');
    for (const value of [0, 31_622_402]) refused(retry({ MaxDelaySeconds: value }), 'Retry[0].MaxDelaySeconds', 'an integer from 1 to 31622401');
    for (const value of [0.5, '2']) refused(retry({ BackoffRate: value }), 'Retry[0].BackoffRate', 'a number of at least 1.0');
    refused(retry({ JitterStrategy: 'HALF' }), 'Retry[0].JitterStrategy', 'FULL or NONE');
    expect(() => checkDefinition(machine(retry({ IntervalSeconds: 99_999_999, MaxAttempts: 0, MaxDelaySeconds: 31_622_401, BackoffRate: 1, JitterStrategy: 'NONE' })))).not.to.throw();
    refused({ Type: 'Wait', Seconds: -1, End: true }, 'Seconds', 'a non-negative integer');
    refused({ Type: 'Wait', Seconds: '5', End: true }, 'Seconds', 'a non-negative integer');
    refused({ ...task, TimeoutSeconds: 0 }, 'TimeoutSeconds', 'a positive integer');
    for (const value of ['tomorrow', '2026-01-31 12:00:00', '2026-01-31T12:00:00', 5]) {
      refused({ Type: 'Wait', Timestamp: value, End: true }, 'Timestamp', 'an ISO-8601 extended offset date-time');
    }
    expect(() => checkDefinition(machine({ Type: 'Wait', Timestamp: '2026-01-31T12:00:00.5+01:00', End: true }))).not.to.throw();
    refused({ ...task, HeartbeatSeconds: 1.5 }, 'HeartbeatSeconds', 'a positive integer');
    const map = { Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true };
    refused({ ...map, MaxConcurrency: -1 }, 'MaxConcurrency', 'a non-negative integer');
    for (const value of [0, -5, '60', 1.5]) {
      expect(() => checkDefinition(machine({ Type: 'Pass', End: true }, {}, { TimeoutSeconds: value }))).to.throw(DefinitionError, "Top-level field 'TimeoutSeconds': must be a positive integer");
    }
    expect(() => checkDefinition(machine({ Type: 'Pass', End: true }, {}, { Version: 1 }))).to.throw(DefinitionError, "Top-level field 'Version': must be a string");
    refused({ ...map, ToleratedFailurePercentage: '5' }, 'ToleratedFailurePercentage', 'a number');
    const jsonata = { QueryLanguage: 'JSONata' };
    refused({ Type: 'Wait', Seconds: '5', End: true }, 'Seconds', 'a non-negative integer or a JSONata expression', jsonata);
    expect(() => checkDefinition(machine({ Type: 'Wait', Seconds: '{% 5 %}', End: true }, {}, jsonata))).not.to.throw();
    expect(() => checkDefinition(machine({ ...task, TimeoutSeconds: '{% $states.input.t %}' }, {}, jsonata))).not.to.throw();
  });

  it("refuses, by name, a field the state's type does not take, as AWS does at creation", () => {
    const notSupported = (definition: unknown, field: string) =>
      expect(() => checkDefinition(definition), JSON.stringify(definition)).to.throw(DefinitionError, new RegExp(`field '${field.replace(/[[\].]/g, '\\$&')}': not supported`));
    const handler = { H: { Type: 'Pass', End: true } };
    const rest: Record<string, Record<string, unknown>> = {
      Pass: { End: true },
      Wait: { Seconds: 1, End: true },
      Choice: { Choices: [{ Variable: '$.a', IsPresent: true, Next: 'H' }] },
      Succeed: {},
      Fail: {},
      Map: { ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true },
      Parallel: { Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], End: true },
    };
    // AWS refuses TimeoutSeconds on every type but Task, Retry and Catch on Pass, Wait, Choice,
    // Succeed and Fail, Assign on Succeed and Fail, End on Choice, Next on Succeed and Fail.
    for (const [type, fields] of Object.entries(rest)) {
      notSupported(machine({ Type: type, ...fields, TimeoutSeconds: 5 }, handler), 'TimeoutSeconds');
      notSupported(machine({ Type: type, ...fields, Bogus: 1 }, handler), 'Bogus');
    }
    for (const type of ['Pass', 'Wait', 'Choice', 'Succeed', 'Fail']) {
      notSupported(machine({ Type: type, ...rest[type], Retry: [{ ErrorEquals: ['States.ALL'] }] }, handler), 'Retry');
      notSupported(machine({ Type: type, ...rest[type], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }] }, handler), 'Catch');
    }
    for (const type of ['Succeed', 'Fail']) {
      notSupported(machine({ Type: type, Assign: { x: 1 } }), 'Assign');
      notSupported(machine({ Type: type, Next: 'H' }, handler), 'Next');
    }
    notSupported(machine({ Type: 'Choice', ...rest.Choice, End: true }, handler), 'End');
    notSupported(machine({ Type: 'Fail', End: true }), 'End');
    // The machine's own fields, a retrier's and a catcher's, and a query language on a Map's processor.
    notSupported({ ...(machine({ Type: 'Pass', End: true }) as object), Coment: 'typo' }, 'Coment');
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true };
    notSupported(machine({ ...task, Retry: [{ ErrorEquals: ['X'], MaxAttempt: 2 }] }), 'Retry[0].MaxAttempt');
    notSupported(machine({ ...task, Catch: [{ ErrorEquals: ['X'], Next: 'H', ResultSelector: {} }] }, handler), 'Catch[0].ResultSelector');
    notSupported(machine({ Type: 'Map', ItemProcessor: { QueryLanguage: 'JSONPath', StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true }), 'ItemProcessor.QueryLanguage');
  });

  it('refuses, as AWS does at creation, a machine no state ends and a state no path reaches, in branches and processors too', () => {
    const pass = (next: string) => ({ Type: 'Pass', Next: next });
    expect(() => checkDefinition({ StartAt: 'A', States: { A: pass('B'), B: pass('A') } })).to.throw(DefinitionError, 'no state ends the workflow');
    // The loop with an end nothing reaches: the unreachable state is named instead.
    expect(() => checkDefinition({ StartAt: 'A', States: { A: pass('B'), B: pass('A'), C: { Type: 'Pass', End: true } } })).to.throw(DefinitionError, "State 'C' is not reachable");
    const branch = { StartAt: 'B', States: { B: { Type: 'Succeed' }, Orphan: { Type: 'Succeed' } } };
    expect(() => checkDefinition(machine({ Type: 'Parallel', Branches: [branch], End: true }))).to.throw(DefinitionError, "State 'Orphan' is not reachable from the StartAt of State 'S', a branch");
    const processor = { StartAt: 'I', States: { I: pass('I') } };
    expect(() => checkDefinition(machine({ Type: 'Map', ItemProcessor: processor, End: true }))).to.throw(DefinitionError, "State 'S', its ItemProcessor: no state ends the workflow");
    // Reached through a Choice rule, a Default and a catcher; ended by End, Succeed and Fail.
    const reached = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'T' }], Default: 'D' },
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }], End: true },
        D: { Type: 'Succeed' },
        F: { Type: 'Fail' },
      },
    };
    expect(() => checkDefinition(reached)).not.to.throw();
    expect(() => checkDefinition({ StartAt: 'A', States: { A: pass('F'), F: { Type: 'Fail', Error: 'E' } } })).not.to.throw();
  });

  it('accepts every field AWS documents on each state type', () => {
    const map = { ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } } };
    const jsonPath = [
      { Type: 'Pass', Comment: 'c', InputPath: '$', Parameters: {}, Result: 1, ResultPath: '$.r', OutputPath: '$', Assign: { a: 1 }, Next: 'H' },
      { Type: 'Task', Comment: 'c', Resource: 'arn:aws:states:::lambda:invoke', InputPath: '$', Parameters: {}, ResultSelector: {}, ResultPath: '$.r', OutputPath: '$', Assign: { a: 1 }, TimeoutSecondsPath: '$.t', HeartbeatSecondsPath: '$.h', Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 5, JitterStrategy: 'FULL', Comment: 'c' }], Catch: [{ ErrorEquals: ['X'], Next: 'H', ResultPath: '$.e', Assign: { a: 1 }, Comment: 'c' }], End: true },
      { Type: 'Choice', Comment: 'c', InputPath: '$', OutputPath: '$', Assign: { a: 1 }, Choices: [{ Variable: '$.a', IsPresent: true, Next: 'H' }], Default: 'H' },
      { Type: 'Wait', Comment: 'c', InputPath: '$', OutputPath: '$', Assign: { a: 1 }, SecondsPath: '$.s', End: true },
      { Type: 'Succeed', Comment: 'c', InputPath: '$', OutputPath: '$' },
      { Type: 'Fail', Comment: 'c', ErrorPath: '$.e', CausePath: '$.c' },
      { Type: 'Parallel', Comment: 'c', InputPath: '$', Parameters: {}, ResultSelector: {}, ResultPath: '$.r', OutputPath: '$', Assign: { a: 1 }, Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], Retry: [{ ErrorEquals: ['X'] }], Catch: [{ ErrorEquals: ['X'], Next: 'H' }], End: true },
      { Type: 'Map', Comment: 'c', Label: 'L', InputPath: '$', ItemsPath: '$.items', ItemSelector: {}, ItemBatcher: { MaxItemsPerBatch: 2 }, ResultSelector: {}, ResultPath: '$.r', OutputPath: '$', Assign: { a: 1 }, MaxConcurrencyPath: '$.m', ToleratedFailurePercentagePath: '$.p', ToleratedFailureCountPath: '$.c', Retry: [{ ErrorEquals: ['X'] }], Catch: [{ ErrorEquals: ['X'], Next: 'H' }], ...map, End: true },
    ];
    const jsonata = [
      { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: {}, Output: {}, Assign: { a: 1 }, TimeoutSeconds: 10, HeartbeatSeconds: 5, Catch: [{ ErrorEquals: ['X'], Next: 'H', Output: {} }], End: true },
      { Type: 'Pass', Output: {}, End: true },
      { Type: 'Succeed', Output: {} },
      { Type: 'Fail', Error: 'E', Cause: 'C' },
      { Type: 'Parallel', Arguments: {}, Output: {}, Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], End: true },
      { Type: 'Map', Items: [1], MaxConcurrency: 2, ToleratedFailurePercentage: 5, ToleratedFailureCount: 1, Output: {}, ...map, End: true },
    ];
    // The handler H only where a state goes to it: AWS refuses a state nothing reaches.
    const handler = (state: object) => (JSON.stringify(state).includes('"H"') ? { H: { Type: 'Pass', End: true } } : {});
    for (const state of jsonPath) expect(() => checkDefinition(machine({ ...state, Comment: 'c', QueryLanguage: 'JSONPath' }, handler(state))), state.Type).not.to.throw();
    for (const state of jsonata) expect(() => checkDefinition(machine(state, handler(state), { QueryLanguage: 'JSONata', Comment: 'c', TimeoutSeconds: 60, Version: '1.0' })), state.Type).not.to.throw();
  });

  it('accepts .sync (the host runs the job, or refuses it), activities and .waitForTaskToken', () => {
    const task = (Resource: string) => machine({ Type: 'Task', Resource, End: true });
    expect(() => checkDefinition(task('arn:aws:states:::states:startExecution.sync:2'))).not.to.throw();
    expect(() => checkDefinition(task('arn:aws:states:us-east-1:123456789012:activity:a'))).not.to.throw();
    expect(() => checkDefinition(task('arn:aws:states:::lambda:invoke.waitForTaskToken'))).not.to.throw();
  });

  it('refuses Task Credentials, and distributed-only Map fields on an inline Map', () => {
    expect(() => checkDefinition(machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Credentials: { RoleArn: 'r' }, End: true }))).to.throw(
      UnsupportedFeature,
      "field 'Credentials'",
    );
    const inline = machine({ Type: 'Map', ItemBatcher: { MaxItemsPerBatch: 2 }, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true });
    expect(() => checkDefinition(inline)).to.throw(DefinitionError, "field 'ItemBatcher'");
  });

  it('refuses expressions AWS refuses at creation: paths, intrinsics, Choice rules, JSONata', () => {
    expect(() => checkDefinition(machine({ Type: 'Pass', InputPath: '$.a[', End: true }))).to.throw(DefinitionError, "state 'S', field 'InputPath'");
    expect(() => checkDefinition(machine({ Type: 'Pass', Parameters: { 'x.$': 'States.Nope(1)' }, End: true }))).to.throw(DefinitionError, "field 'Parameters': The value of 'x.$' is not valid");
    const badRule = machine({ Type: 'Choice', Choices: [{ Variable: '$.a', NumericEquals: 'one', Next: 'P' }] }, { P: { Type: 'Pass', End: true } });
    expect(() => checkDefinition(badRule)).to.throw(DefinitionError, "field 'Choices[0]'");
    const jsonata = (state: Record<string, unknown>) => machine(state, {}, { QueryLanguage: 'JSONata' });
    expect(() => checkDefinition(jsonata({ Type: 'Pass', Output: '{% $states.input.( %}', End: true }))).to.throw(DefinitionError, 'INVALID_JSONATA_EXPRESSION');
    // $states.result exists only for a state with a result (Task, Parallel, Map).
    expect(() => checkDefinition(jsonata({ Type: 'Pass', Output: '{% $states.result %}', End: true }))).to.throw(DefinitionError, "field 'Output'");
    expect(() => checkDefinition(jsonata({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Output: '{% $states.result %}', End: true }))).not.to.throw();
  });

  it('refuses States.ALL that is not alone in the last retrier or catcher, and HeartbeatSeconds not below TimeoutSeconds', () => {
    const task = (extra: Record<string, unknown>) => machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, ...extra }, { H: { Type: 'Pass', End: true } });
    expect(() => checkDefinition(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }))).to.throw(DefinitionError, "field 'Retry[0].ErrorEquals'");
    expect(() => checkDefinition(task({ Catch: [{ ErrorEquals: ['States.ALL', 'X'], Next: 'H' }] }))).to.throw(DefinitionError, "field 'Catch[0].ErrorEquals'");
    expect(() => checkDefinition(task({ Catch: [{ ErrorEquals: [], Next: 'H' }] }))).to.throw(DefinitionError, 'non-empty');
    expect(() => checkDefinition(task({ TimeoutSeconds: 10, HeartbeatSeconds: 10 }))).to.throw(DefinitionError, "field 'HeartbeatSeconds'");
  });

  it('refuses a literal ToleratedFailurePercentage outside 0..100, as AWS refuses it at creation', () => {
    const map = (ToleratedFailurePercentage: unknown) =>
      machine({ Type: 'Map', ToleratedFailurePercentage, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true });
    expect(() => checkDefinition(map(101))).to.throw(DefinitionError, "state 'S', field 'ToleratedFailurePercentage': ToleratedFailurePercentage must be between 0 and 100.");
    expect(() => checkDefinition(map(-1))).to.throw(DefinitionError, 'must be between 0 and 100.');
    expect(() => checkDefinition(map(100))).not.to.throw();
    expect(() => checkDefinition(map(0))).not.to.throw();
  });

  it('checks the states inside Parallel branches and Map processors', () => {
    const nested = machine({ Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Next: 'X' } } }, End: true });
    expect(() => checkDefinition(nested)).to.throw(DefinitionError, "state 'I', field 'Next'");
  });
});

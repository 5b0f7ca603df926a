// Issue 15, part 2: one expression cannot hang the process. Each example of the issue, run as an
// execution: it ends, with the outcome AWS would give (mocha's timeout is the guard).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { testState } from '../../engine/test-state.ts';
import { machine, run, types } from './run.ts';

const A40 = 'a'.repeat(40);
const JSONATA = { QueryLanguage: 'JSONata' };
// A StringMatches pattern of `stars` wildcards and a b, which 40 a's do not match.
const wildcards = (stars: number) => `${'*'.repeat(stars)}b`;
const ENDLESS_RECURSION = '{% ($f := function($n){ 1 + $f($n + 1) }; $f(0)) %}';
const ENDLESS_LOOP = '{% ($f := function($n){ $f($n + 1) }; $f(0)) %}';

function choice(pattern: string): unknown {
  return machine(
    { Type: 'Choice', Choices: [{ Variable: '$.s', StringMatches: pattern, Next: 'Matched' }], Default: 'Other' },
    { Matched: { Type: 'Pass', Result: 'matched', End: true }, Other: { Type: 'Pass', Result: 'other', End: true } },
  );
}

describe('engine: one expression cannot hang the process', function () {
  this.timeout(10_000);
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it("a JSONata Pass Output $contains('aaa…a!', /^(a+)+$/) on 40 a's, under TimeoutSeconds 30, succeeds with false", async () => {
    const definition = machine({ Type: 'Pass', Output: `{% $contains('${A40}!', /^(a+)+$/) %}`, End: true }, {}, { ...JSONATA, TimeoutSeconds: 30 });
    expect(await run(definition)).to.include({ status: 'SUCCEEDED', output: false });
  });

  it('a JSONPath filter $.items[?(@.s =~ /(a+)+b/)] over 40 a selects only the items that match', async () => {
    const definition = machine({ Type: 'Pass', Parameters: { 'm.$': '$.items[?(@.s =~ /(a+)+b/)]' }, End: true });
    const result = await run(definition, { items: [{ s: `${A40}c` }, { s: 'aab' }] });
    expect(result).to.deep.include({ status: 'SUCCEEDED', output: { m: [{ s: 'aab' }] } });
  });

  it('a JSONata function that calls itself forever fails the execution with States.QueryEvaluationError', async () => {
    const result = await run(machine({ Type: 'Pass', Output: ENDLESS_RECURSION, End: true }, {}, JSONATA));
    expect(result).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(result.cause).to.contain("specified for the field 'Output' threw an error during evaluation: Expression evaluation depth limit");
    expect(types(result)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'EvaluationFailed', 'ExecutionFailed']);
  });

  it("a Choice StringMatches with 10 * against 40 a's takes the Default, and still matches what it should", async () => {
    expect(await run(choice(wildcards(10)), { s: A40 })).to.include({ status: 'SUCCEEDED', output: 'other' });
    expect(await run(choice(wildcards(10)), { s: `${A40}b` })).to.include({ status: 'SUCCEEDED', output: 'matched' });
  });

  it("TimeoutSeconds 5 with 8 * against 40 a's: the Choice is decided long before the timeout", async function () {
    this.timeout(4_000);
    const definition = { ...(choice(wildcards(8)) as object), TimeoutSeconds: 5 };
    expect(await run(definition, { s: A40 })).to.include({ status: 'SUCCEEDED', output: 'other' });
  });

  it("an execution's TimeoutSeconds ends an endless JSONata loop: TIMED_OUT", async () => {
    const result = await run(machine({ Type: 'Pass', Output: ENDLESS_LOOP, End: true }, {}, { ...JSONATA, TimeoutSeconds: 1 }));
    expect(result).to.include({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(types(result).at(-1)).to.equal('ExecutionTimedOut');
  });

  it('StopExecution (the abort signal) ends an endless JSONata loop: ABORTED', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 100);
    try {
      const result = await run(machine({ Type: 'Pass', Output: ENDLESS_LOOP, End: true }, {}, JSONATA), {}, { signal: controller.signal });
      expect(result.status).to.equal('ABORTED');
    } finally {
      clearTimeout(timer);
    }
  });

  it('Ctrl-C (SIGINT) stops a process in the middle of an endless JSONata loop: ABORTED', async () => {
    // The child says "ready" from a timer, which fires only if the loop lets the event loop turn;
    // its SIGINT handler aborts the execution, as the CLI's does.
    const spawned = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
        import { runExecution } from ${JSON.stringify(new URL('../../engine/index.ts', import.meta.url).href)};
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        setTimeout(() => process.stdout.write('ready\\n'), 200);
        const definition = ${JSON.stringify(machine({ Type: 'Pass', Output: ENDLESS_LOOP, End: true }, {}, JSONATA))};
        const context = { executionArn: 'arn', executionName: 'n', stateMachineArn: 'arn', stateMachineName: 'm', roleArn: 'arn', startTime: new Date() };
        const result = await runExecution(definition, {}, context, { dispatch: async () => ({}), signal: controller.signal });
        process.stdout.write(result.status + '\\n');
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = spawned;
    let stdout = '';
    spawned.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout === 'ready\n') spawned.kill('SIGINT');
    });
    const [code] = (await once(spawned, 'exit')) as [number | null];
    expect({ code, stdout }).to.deep.equal({ code: 0, stdout: 'ready\nABORTED\n' });
  });

  it("a failing Parallel branch cancels its sibling's endless JSONata loop", async () => {
    const branch = (state: Record<string, unknown>) => ({ StartAt: 'B', States: { B: state } });
    const definition = machine(
      {
        Type: 'Parallel',
        Branches: [branch({ Type: 'Pass', Output: ENDLESS_LOOP, End: true }), branch({ Type: 'Fail', Error: 'Boom', Cause: 'sibling failed' })],
        End: true,
      },
      {},
      JSONATA,
    );
    expect(await run(definition)).to.include({ status: 'FAILED', error: 'Boom' });
  });

  it('TestState of a Pass with that regex answers at once, and of an endless recursion answers FAILED', async () => {
    const regex = await testState({ definition: { Type: 'Pass', QueryLanguage: 'JSONata', Output: `{% $contains('${A40}!', /^(a+)+$/) %}`, End: true }, input: {} });
    expect(regex).to.include({ status: 'SUCCEEDED', output: false });
    const recursion = await testState({ definition: { Type: 'Pass', QueryLanguage: 'JSONata', Output: ENDLESS_RECURSION, End: true }, input: {} });
    expect(recursion).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  });
});

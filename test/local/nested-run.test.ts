// Nested executions on the CLI (local/run.ts): a Task that starts an execution of one of the
// description's workflows runs it as a child of its own (its ARN, its history), under that
// workflow's role; the parent's role needs what the description grants it (nestedExecutionGrants);
// a child the run does not know fails at run time as on AWS; a mock configuration answers such a
// Task without starting anything. Needs `make build`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../local/cli/cli.ts';
import { parseMockConfig } from '../../local/host/mock-config.ts';
import { runLocal } from '../../local/run.ts';
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { workflowNames } from '../../workflow/names.ts';
import { namePrefix, region } from '../../workflow/settings.ts';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { NESTING_GRANTS, nestingApp } from '../fixtures/nested/nesting.ts';
import { rejection } from '../helpers.ts';

const PREFIX = 'nested-run';

/** The command line names its resources from NAME_PREFIX. */
async function withPrefix<T>(run: () => Promise<T>): Promise<T> {
  const before = process.env.NAME_PREFIX;
  process.env.NAME_PREFIX = PREFIX;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.NAME_PREFIX;
    else process.env.NAME_PREFIX = before;
  }
}

const transferRecordsArn = () =>
  arns.stateMachine({ ...OFFLINE_SCOPE, region: region() }, workflowNames(namePrefix({ NAME_PREFIX: PREFIX }), TRANSFER_RECORDS).stateMachine);

describe('local/run: nested executions (states:startExecution)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nested-run-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function definitionFile(name: string, state: Record<string, unknown>): Promise<string> {
    const path = join(dir, `${name}.asl.json`);
    await writeFile(path, JSON.stringify({ StartAt: 'Nest', States: { Nest: { Type: 'Task', ...state, End: true } } }));
    return path;
  }

  it('runs a description workflow as a .sync:2 child under the grants the description gives: its own ARN and history, its output parsed', async () => {
    const run = await runLocal({ app: nestingApp(), workflow: 'nesting', input: { count: 2 }, prefix: PREFIX });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    const output = run.record.output as { child: string; output: unknown };
    expect(output.output).to.deep.equal({ List: ['DONE'] });
    expect(run.children).to.have.length(1);
    const [child] = run.children!;
    expect(child).to.include({ executionArn: output.child, stateMachineArn: transferRecordsArn(), status: 'SUCCEEDED' });
    expect(child!.history[0]).to.deep.include({ type: 'ExecutionStarted' });
    expect(child!.history.filter((event) => event.type === 'TaskStateEntered')).to.have.length.greaterThan(2);
    expect(run.history.map((event) => event.type)).to.include('TaskSubmitted');
  });

  it('refuses before running a .sync Task whose role may not create the managed rule, as AWS refuses the state machine', async () => {
    const withoutRule = NESTING_GRANTS.slice(0, 2);
    const error = await rejection(runLocal({ app: nestingApp(withoutRule), workflow: 'nesting', input: { count: 2 }, prefix: PREFIX }));
    expect(error).to.include({ name: 'AccessDeniedException' });
    expect(error.message).to.match(/^'arn:aws:iam::\d{12}:role\/nested-run-nesting-role' is not authorized to create managed-rule\.$/);
  });

  it('fails a Task whose role may not start the child at run time, as AWS does, starting nothing', async () => {
    const withoutStart = NESTING_GRANTS.slice(1);
    const run = await runLocal({ app: nestingApp(withoutStart), workflow: 'nesting', input: { count: 2 }, prefix: PREFIX });
    expect(run.record).to.include({ status: 'FAILED', error: 'StepFunctions.AWSStepFunctionsException' });
    expect(run.record.cause).to.include(`is not authorized to perform: states:StartExecution on resource: ${transferRecordsArn()}`);
    expect(run.children).to.deep.equal([]);
  });

  it('--definition: a child the run does not know fails at run time as on AWS (StepFunctions.StateMachineDoesNotExistException)', async () => {
    const missing = transferRecordsArn().replace(/state-machine$/, 'absent');
    const definitionPath = await definitionFile('absent', { Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: missing } });
    const run = await runLocal({ definitionPath, input: {}, prefix: PREFIX });
    expect(run.record.status).to.equal('FAILED');
    expect(run.record.error).to.equal('StepFunctions.StateMachineDoesNotExistException');
    expect(run.record.cause).to.include(`State Machine Does Not Exist: '${missing}'`);
    expect(run.children).to.deep.equal([]);
  });

  it('--definition: the child\'s input carries AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID; a child that fails fails the .sync Task (States.TaskFailed)', async () => {
    const definitionPath = await definitionFile('started-by', {
      Resource: 'arn:aws:states:::states:startExecution.sync',
      Parameters: { StateMachineArn: transferRecordsArn(), Input: { count: 1, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } },
    });
    const run = await runLocal({ definitionPath, input: {}, prefix: PREFIX });
    const [child] = run.children!;
    const started = child!.history[0]!.executionStartedEventDetails as { input: string };
    expect(JSON.parse(started.input)).to.deep.equal({ count: 1, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: run.record.executionArn });
    // transfer-records' seed function takes count or messages only: it refuses the field.
    expect(child!.status).to.equal('FAILED');
    expect(run.record).to.include({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(run.record.cause!)).to.include({ ExecutionArn: child!.executionArn, Status: 'FAILED', Error: 'InvalidInput' });
  });

  it('--definition with aws-sdk:sfn: startExecution starts a child of the description, its role granted it from the definition; a made-up token is Sfn.InvalidTokenException', async () => {
    const definitionPath = await definitionFile('sdk-start', {
      Resource: 'arn:aws:states:::aws-sdk:sfn:startExecution',
      Parameters: { StateMachineArn: transferRecordsArn(), Input: { count: 1 } },
    });
    const run = await runLocal({ definitionPath, input: {}, prefix: PREFIX });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    const output = run.record.output as { ExecutionArn: string; StartDate: string };
    expect(run.children!.map((child) => child.executionArn)).to.deep.equal([output.ExecutionArn]);
    expect(output.StartDate).to.match(/^\d{4}-\d\d-\d\dT/);

    const answers = await definitionFile('sdk-answer', {
      Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskFailure',
      Parameters: { 'TaskToken.$': '$.token' },
    });
    const refused = await runLocal({ definitionPath: answers, input: { token: 'NoSuchTaskToken' }, prefix: PREFIX });
    expect(refused.record).to.include({ status: 'FAILED', error: 'Sfn.InvalidTokenException' });
  });

  it('the command line reports each child with its status and history, in text and in --json', async () => {
    const definitionPath = await definitionFile('cli', { Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: transferRecordsArn(), Input: { count: 1 } } });
    const run = async (json: boolean) => {
      const out: string[] = [];
      const io = {
        stdout: { write: (text: string) => out.push(text) },
        stderr: { isTTY: false, write: () => true },
        untilStopped: async () => undefined,
        interrupts: () => ({ signal: new AbortController().signal, dispose: () => undefined }),
        writeReport: async () => '',
      };
      const status = await withPrefix(() => main(['--definition', definitionPath, '--input', '{}', '--no-report', ...(json ? ['--json'] : [])], io));
      return { status, out: out.join('') };
    };
    const text = await run(false);
    expect(text.status).to.equal(0);
    expect(text.out).to.match(new RegExp(`^Child execution ${transferRecordsArn().replace(':stateMachine:', ':execution:')}:[0-9a-f-]{36}: SUCCEEDED, \\d+ history events$`, 'm'));
    const json = JSON.parse((await run(true)).out) as { children: { status: string; stateMachineArn: string }[] };
    expect(json.children).to.have.length(1);
    expect(json.children[0]).to.include({ status: 'SUCCEEDED', stateMachineArn: transferRecordsArn() });
  });

  it('--definition under a mock configuration: the mocked Task starts nothing and answers from the file', async () => {
    const definitionPath = await definitionFile('mocked', { Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: transferRecordsArn() } });
    const answer = { ExecutionArn: 'arn:aws:states:us-east-1:000000000000:execution:child:mocked', Status: 'SUCCEEDED', Output: { List: ['DONE'] } };
    const config = parseMockConfig(
      JSON.stringify({ StateMachines: { Nesting: { TestCases: { NoChild: { Nest: 'ChildDone' } } } }, MockedResponses: { ChildDone: { '0': { Return: answer } } } }),
      join(dir, 'mocks.json'),
    );
    const run = await runLocal({ definitionPath, input: {}, prefix: PREFIX, mock: { config, testCase: 'NoChild' } });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    expect(run.record.output).to.deep.equal(answer);
    expect(run.children).to.equal(undefined);
    expect(run.record.mocks!.states).to.deep.equal([{ state: 'Nest', response: 'ChildDone', answered: 1 }]);
  });
});

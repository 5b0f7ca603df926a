// A definition with a callback (`.waitForTaskToken`) and a Task on a service no emulator runs
// (Glue), through the CLI's run (local/run.ts with --definition): refused before running, naming
// the state and suggesting a mock configuration; under a test case, the mock answers both, the
// callback's token as SendTaskSuccess/SendTaskFailure would (TaskSubmitted, then its end).
import { expect } from 'chai';
import { runCli } from './cli-run.ts';
import { TaskTokenRegistry } from '../../local/api/task-tokens.ts';
import { loadMockConfig } from '../../local/host/mock-config.ts';
import { runLocal } from '../../local/run.ts';

const DEFINITION = 'test/fixtures/mocks/approval.asl.json';
const MOCKS = 'test/fixtures/mocks/approval-mocks.json';

const cli = runCli;

describe('local run: a mocked callback, and a service no emulator runs', function () {
  this.timeout(60_000);

  it('refuses the Glue Task before running, naming the state and the resource and suggesting a mock configuration', async () => {
    const { status, err } = await cli(['--definition', DEFINITION, '--input', '{"order": 7}', '--json']);
    expect(status).to.equal(2);
    expect(err).to.match(/^UnsupportedResource: state "Run Job": resource "arn:aws:states:::glue:startJobRun" is not supported offline; supported: /);
    expect(err).to.include('; answer the state from a mock configuration instead: --mock-config FILE --test-case NAME on the CLI');
  });

  it('under a test case: the mock answers the callback (TaskSubmitted, then TaskSucceeded) and the Glue Task', async () => {
    const run = await runLocal({
      definitionPath: DEFINITION,
      input: { order: 7 },
      mock: { config: await loadMockConfig(MOCKS), testCase: 'Approved' },
      taskTokens: new TaskTokenRegistry(),
    });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    expect(run.record.output).to.deep.equal({ order: 7, approval: { approved: true, by: 'Ada' }, job: { JobRunId: 'jr_0123456789abcdef' } });
    const types = run.history.map((event) => event.type);
    const asked = types.indexOf('TaskSubmitted');
    expect(types.slice(asked - 2, asked + 2)).to.deep.equal(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    expect(run.record.mocks?.states.map((state) => state.state)).to.deep.equal(['Ask For Approval', 'Run Job']);
  });

  it('a mocked Throw fails the callback as SendTaskFailure does', async () => {
    const run = await runLocal({
      definitionPath: DEFINITION,
      input: { order: 8 },
      mock: { config: await loadMockConfig(MOCKS), testCase: 'Rejected' },
      taskTokens: new TaskTokenRegistry(),
    });
    expect(run.record).to.include({ status: 'FAILED', error: 'Approval.Rejected', cause: 'Bob said no' });
    const types = run.history.map((event) => event.type);
    expect(types).to.include.members(['TaskSubmitted', 'TaskFailed']);
    expect(types.indexOf('TaskSubmitted')).to.be.below(types.indexOf('TaskFailed'));
  });

  it('through the command line: the test case runs to its end', async () => {
    const { status, out } = await cli(['--definition', DEFINITION, '--input', '{"order": 9}', '--mock-config', MOCKS, '--test-case', 'Approved', '--json', '--no-report']);
    expect(JSON.parse(out)).to.include({ status: 'SUCCEEDED' });
    expect(status).to.equal(0);
  });
});

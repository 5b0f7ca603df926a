// make test-state's helpers: the MOCK forms it accepts, and the data flow it prints.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { checkStateName, exitStatus, formatTestState, InvalidTestStateArguments, mockOf } from '../../../local/api/test-state-cli.ts';
import { TEST_STATE_CLI } from '../../../scripts/build.ts';

const execFileAsync = promisify(execFile);

/** The command's exit code, stdout and stderr, run from its bundle as `make test-state` runs it. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [TEST_STATE_CLI.outfile, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('local/api/test-state-cli', () => {
  it('takes a mock as TestState does, or any other JSON as the result', () => {
    expect(mockOf('{"result": {"a": 1}}')).to.deep.equal({ result: '{"a":1}' });
    expect(mockOf('{"result": "[1]"}')).to.deep.equal({ result: '[1]' });
    expect(mockOf('{"errorOutput": {"error": "E", "cause": "C"}}')).to.deep.equal({ errorOutput: { error: 'E', cause: 'C' } });
    expect(mockOf('{"MessageId": "m"}')).to.deep.equal({ result: '{"MessageId":"m"}' });
    expect(() => mockOf('{')).to.throw(InvalidTestStateArguments);
    expect(() => mockOf(`{"result":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).to.throw(InvalidTestStateArguments, 'MOCK: the JSON is nested more than 1000 levels deep');
  });

  it('prints each step of the data flow, the retry decision and the next state', () => {
    const text = formatTestState('S', {
      status: 'RETRIABLE',
      error: 'E',
      cause: 'C',
      inspectionData: { input: '{}', afterParameters: '{"a":1}', errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 2 } },
    });
    expect(text.split('\n')).to.deep.equal([
      'State "S": RETRIABLE',
      '  input                 {}',
      '  after Parameters      {"a":1}',
      '  error                 E: C',
      '  retry                 Retry[0] after 2 s',
      '  next state            (none)',
    ]);
  });

  it('exits 0 for any answer of TestState; with --fail-on-error, 1 for RETRIABLE and FAILED', () => {
    expect(['SUCCEEDED', 'CAUGHT_ERROR', 'RETRIABLE', 'FAILED'].map((status) => exitStatus(status, false))).to.deep.equal([0, 0, 0, 0]);
    expect(['SUCCEEDED', 'CAUGHT_ERROR', 'RETRIABLE', 'FAILED'].map((status) => exitStatus(status, true))).to.deep.equal([0, 0, 1, 1]);
  });

  it("a STATE the workflow lacks is refused with the workflow's state names, nested ones included", () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], End: true } } };
    expect(() => checkStateName(definition, 'B', 'w')).not.to.throw();
    expect(() => checkStateName(definition, 'Nope', 'w')).to.throw(InvalidTestStateArguments, 'STATE "Nope" is not a state of w; its states are: "A", "B"');
  });

  it('names a bad option and an unknown state of WORKFLOW=transfer-records-at-scale (exit 2), before any emulator starts', async function () {
    this.timeout(60_000);
    const bogus = await cli('--state', 'Succeed', '--bogus');
    expect(bogus.code).to.equal(2);
    expect(bogus.stderr).to.match(/^InvalidTestStateArguments: Unknown option '--bogus'/);
    const nope = await cli('--state', 'Nope', '--workflow', 'transfer-records-at-scale');
    expect(nope.code).to.equal(2);
    expect(nope.stderr).to.match(/^InvalidTestStateArguments: STATE "Nope" is not a state of transfer-records-at-scale; its states are: "/);
  });

  it("tests the workflow's first state, which reads $$.Execution.Id, and exits 0 for a RETRIABLE answer", async function () {
    this.timeout(60_000);
    const mock = '{"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "slow down"}}';
    const { code, stdout } = await cli('--state', 'Seed the DynamoDB Table', '--input', '{"count":2}', '--mock', mock, '--json');
    expect(code).to.equal(0);
    const response = JSON.parse(stdout) as { status: string; inspectionData: { afterParameters: string } };
    expect(response.status).to.equal('RETRIABLE');
    expect((JSON.parse(response.inspectionData.afterParameters) as { Payload: { executionId: string } }).Payload.executionId).to.match(/:express:/);
    const given = await cli('--state', 'Seed the DynamoDB Table', '--input', '{"count":2}', '--mock', mock, '--context', '{"Execution": {"Id": "arn:given"}}', '--fail-on-error', '--json');
    expect(given.code).to.equal(1);
    expect(given.stdout).to.include('\\"executionId\\":\\"arn:given\\"');
  });

  it('runs a Pass state of the workflow from the command line and exits 0', async function () {
    this.timeout(60_000);
    const { stdout } = await execFileAsync(process.execPath, [
      TEST_STATE_CLI.outfile,
      '--state',
      'Pop Element from List',
      '--input',
      '{"List": ["a", "b", "DONE"]}',
    ]);
    expect(stdout).to.include('State "Pop Element from List": SUCCEEDED');
    expect(stdout).to.include('output                {"List":["b","DONE"]}');
    expect(stdout).to.include('next state            For Loop Condition');
  });
});

// make test-state's helpers: the MOCK forms it accepts, and the data flow it prints.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { formatTestState, InvalidTestStateArguments, mockOf } from '../../../local/api/test-state-cli.ts';

const execFileAsync = promisify(execFile);

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

  it('runs a Pass state of the workflow from the command line and exits 0', async function () {
    this.timeout(60_000);
    const { stdout } = await execFileAsync(process.execPath, [
      '--import',
      'tsx',
      'local/api/test-state-cli.ts',
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

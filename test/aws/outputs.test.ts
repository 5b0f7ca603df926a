import { expect } from 'chai';
import sinon from 'sinon';
import { parseOutputs, readStackOutputs, StackNotDeployed, TerraformMissing } from '../../aws/outputs.ts';
import { terraformDataDir } from '../../stacks/paths.ts';
import { DLQ_URL, QUEUE_URL, STATE_MACHINE_ARN, TABLE_NAME } from './fixtures.ts';
import { rejection } from '../helpers.ts';

const output = (value: string) => ({ sensitive: false, type: 'string', value });

const DEPLOYED = {
  state_machine_arn: output(STATE_MACHINE_ARN),
  table_name: output(TABLE_NAME),
  queue_url: output(QUEUE_URL),
  dead_letter_queue_url: output(DLQ_URL),
  seed_function_name: output('transfer-records-seed'),
};

function failure(props: { code: string | number; stderr?: string }) {
  return Object.assign(new Error('Command failed'), props);
}

describe('cli/outputs', () => {
  it('reads the stack outputs with terraform output -json in the stack folder', async () => {
    const run = sinon.fake.resolves(JSON.stringify(DEPLOYED));
    const outputs = await readStackOutputs(run, '/repo/cdktf.out/stacks/transfer-records');
    expect(outputs).to.deep.equal({
      stateMachineArn: STATE_MACHINE_ARN,
      tableName: TABLE_NAME,
      queueUrl: QUEUE_URL,
    });
    const [file, args] = run.firstCall.args as [string, string[]];
    expect(file).to.equal('terraform');
    expect(args).to.include.members(['-chdir=/repo/cdktf.out/stacks/transfer-records', 'output', '-json']);
  });

  it("reads them through the deployment's own terraform data folder, which make clean keeps", async () => {
    const run = sinon.fake.resolves(JSON.stringify(DEPLOYED));
    const env = { NAME_PREFIX: 'second-copy', AWS_REGION: 'eu-west-1', AWS_CONFIG_FILE: '/nonexistent', PATH: '/usr/bin' };
    await readStackOutputs(run, '/repo/stack', undefined, env);
    const passed = run.firstCall.args[2] as NodeJS.ProcessEnv;
    expect(passed.TF_DATA_DIR).to.equal(terraformDataDir('second-copy', 'eu-west-1'));
    expect(passed.PATH).to.equal('/usr/bin');
  });

  it('says terraform is missing when the program cannot be found', async () => {
    const enoent = Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' });
    const error = await rejection(readStackOutputs(sinon.fake.rejects(enoent), '/repo/stack'));
    expect(error).to.be.instanceOf(TerraformMissing);
    expect(error.name).to.equal('TerraformMissing');
    expect(error.message).to.contain('make deploy');
  });

  it('says the stack is not deployed when terraform fails, quoting its error line', async () => {
    const stderr = '\n╷\n│ Warning: Unable to open CLI configuration file\n╵\n╷\n│ Error: Backend initialization required, please run "terraform init"\n╵\n';
    const error = await rejection(readStackOutputs(sinon.fake.rejects(failure({ code: 1, stderr })), '/repo/stack'));
    expect(error).to.be.instanceOf(StackNotDeployed);
    expect(error.message).to.contain('Error: Backend initialization required');
    expect(error.message).to.contain('run make deploy first');
  });

  it('says the stack is not deployed when there is no state, so no outputs', () => {
    expect(() => parseOutputs('{}\n')).to.throw(StackNotDeployed, /no outputs.*make deploy/);
  });

  it('names the outputs that are missing or empty', () => {
    const { queue_url: _queue, ...partial } = DEPLOYED;
    const json = JSON.stringify({ ...partial, table_name: output('') });
    expect(() => parseOutputs(json)).to.throw(StackNotDeployed, /table_name, queue_url/);
  });

  it('rejects output that is not JSON', () => {
    expect(() => parseOutputs('No outputs found')).to.throw(StackNotDeployed);
  });
});

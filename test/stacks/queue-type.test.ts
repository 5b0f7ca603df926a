// The queues' type as a Terraform variable (QUEUE at synth gives its default): both queues
// become .fifo queues with their FIFO settings, and the state machines' templates get the FIFO
// parameters the offline run renders, only when var.queue_type is fifo.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderTemplate } from '../../workflow/template.ts';
import { FIFO_ENTRY_FIELDS, TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';
import { FIFO_SEND_PARAMETERS, HIGH_THROUGHPUT_FIFO, TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { REPO_ROOT } from '../../stacks/paths.ts';
import { all, leavesNoTempFolder, newStack, synth, type Block } from './synth.ts';

const FIFO = '(var.queue_type == "fifo")';

/** The HCL `make synth` writes for these settings. */
const hclOf = (env: NodeJS.ProcessEnv = {}) => String((newStack(env).toHclTerraform() as { hcl: string }).hcl);

/** The `locals` block of the HCL. */
const localsOf = (hcl: string) => /^locals \{\n[\s\S]*?\n\}$/m.exec(hcl)![0];

/** `terraform`, when it is installed: the tests that run it say so and skip otherwise. */
const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0 ? 'terraform' : undefined;

describe('stacks: the queue type', () => {
  leavesNoTempFolder();
  it('is a validated variable whose default is QUEUE at synth, standard without it', () => {
    const variable = (env: NodeJS.ProcessEnv) => (JSON.parse(synth(env).json) as { variable: Record<string, Block> }).variable.queue_type!;
    expect(variable({})).to.include({ type: 'string', default: 'standard' });
    expect(variable({ QUEUE: 'fifo' })).to.include({ default: 'fifo' });
    expect(variable({}).validation).to.deep.equal([
      { condition: '${contains(["standard","fifo"], var.queue_type)}', error_message: 'queue_type must be standard or fifo.' },
    ]);
    expect(() => newStack({ QUEUE: 'fast' })).to.throw().with.property('name', 'InvalidConfiguration');
  });

  it('makes both queues .fifo queues with high-throughput settings and no content-based deduplication, only when fifo', () => {
    const queues = all(synth().resource, 'aws_sqs_queue');
    expect([...queues.keys()]).to.have.members(['aws_sqs_queue.queue', 'aws_sqs_queue.dead_letter_queue']);
    for (const queue of queues.values()) {
      expect(queue.name).to.match(/^transfer-records-(queue|dlq)\$\{\(var\.queue_type == "fifo"\) \? "\.fifo" : ""\}$/);
      expect(queue).to.include({
        fifo_queue: `\${${FIFO}}`,
        content_based_deduplication: `\${${FIFO} ? false : null}`,
        deduplication_scope: `\${${FIFO} ? "${HIGH_THROUGHPUT_FIFO.deduplicationScope}" : null}`,
        fifo_throughput_limit: `\${${FIFO} ? "${HIGH_THROUGHPUT_FIFO.throughputLimit}" : null}`,
      });
    }
  });

  it('hands each template its FIFO splice as an escaped local, empty for a Standard queue', () => {
    const hcl = hclOf();
    const locals = localsOf(hcl);
    expect(locals).to.contain(`= ${JSON.stringify(FIFO_SEND_PARAMETERS.fifo)}`).and.contain(`= ${JSON.stringify(FIFO_ENTRY_FIELDS.fifo)}`);
    expect(hcl).to.match(/"FifoSendParameters" = \(var\.queue_type == "fifo"\) \? local\.fifo_[0-9a-f]{8} : ""/);
    expect(hcl).to.match(/"FifoEntryFields" = \(var\.queue_type == "fifo"\) \? local\.fifo_[0-9a-f]{8} : ""/);
  });

  it('renders, in Terraform\'s own templatefile(), the very definitions the offline run renders', function () {
    if (terraform === undefined) this.skip();
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'queue-type-'));
    try {
      writeFileSync(join(dir, 'main.tf'), `${localsOf(hclOf())}\n`);
      const hcl = hclOf();
      const local = (placeholder: string) => new RegExp(`"${placeholder}" = \\(var\\.queue_type == "fifo"\\) \\? (local\\.fifo_[0-9a-f]{8})`).exec(hcl)![1]!;
      const cases: { workflow: typeof TRANSFER_RECORDS; vars: Record<string, string>; splice: string; fifo: string }[] = [
        { workflow: TRANSFER_RECORDS, vars: { SeedFunctionArn: 'arn:seed', TableName: 't', QueueUrl: 'https://q/1/q.fifo', Partition: 'aws' }, splice: 'FifoSendParameters', fifo: FIFO_SEND_PARAMETERS.fifo },
        {
          workflow: TRANSFER_RECORDS_AT_SCALE,
          vars: { SeedFunctionArn: 'arn:seed', TableName: 't', QueueUrl: 'https://q/1/q.fifo', BucketName: 'b', MaxConcurrency: '100', Partition: 'aws' },
          splice: 'FifoEntryFields',
          fifo: FIFO_ENTRY_FIELDS.fifo,
        },
      ];
      for (const { workflow, vars, splice, fifo } of cases) {
        copyFileSync(join(REPO_ROOT, workflow.definition), join(dir, `${workflow.id}.json`));
        const args = Object.entries(vars).map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join(', ');
        const expression = `base64encode(templatefile("${workflow.id}.json", { ${args}, ${splice} = ${local(splice)} }))`;
        const result = spawnSync('terraform', ['console'], { cwd: dir, input: expression, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' } });
        expect(result.status, result.stderr).to.equal(0);
        const rendered = Buffer.from(JSON.parse(result.stdout.trim()) as string, 'base64').toString('utf8');
        const template = readFileSync(join(REPO_ROOT, workflow.definition), 'utf8');
        expect(JSON.parse(rendered)).to.deep.equal(JSON.parse(renderTemplate(template, { ...vars, [splice]: fifo })));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

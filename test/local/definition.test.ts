import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { forEachState, loadDefinition, renderDefinition, validateDefinition, DefinitionError } from '../../local/definition.ts';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import type { TemplateVars } from '../../workflow/template.ts';
import { rejection } from '../helpers.ts';

const VARS: TemplateVars = {
  SeedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:seed',
  TableName: 'the-table',
  QueueUrl: 'http://127.0.0.1:4567/000000000000/the-queue',
  FifoSendParameters: '',
  Partition: 'aws',
};

describe('local/definition', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'definition-test-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('loads the deployed template and renders it with the local values', async () => {
    const template = await loadDefinition(TRANSFER_RECORDS.definition);
    const definition = renderDefinition(template, VARS);
    const send = definition.States['Send Message to SQS'] as unknown as { Parameters: { QueueUrl: string } };
    expect(send.Parameters.QueueUrl).to.equal(VARS.QueueUrl);
    expect(JSON.stringify(definition)).not.to.contain('${');
    expect(template.preview.StartAt).to.equal(definition.StartAt);
  });

  it('names a missing file', async () => {
    const error = await rejection(loadDefinition(join(dir, 'nope.asl.json')));
    expect(error).to.be.instanceOf(DefinitionError);
    expect(error.name).to.equal('DefinitionError');
    expect(error.message).to.contain('nope.asl.json does not exist');
  });

  it('names an unreadable file', async () => {
    // A directory cannot be read as a file, whoever runs the test (root reads any file).
    const error = await rejection(loadDefinition(dir));
    expect(error.name).to.equal('DefinitionError');
    expect(error.message).to.contain(`cannot read ${dir}`);
  });

  it('refuses a file that is not JSON', async () => {
    const error = await rejection(loadDefinition(await file('broken.json', '{ "StartAt": ')));
    expect(error.name).to.equal('DefinitionError');
    expect(error.message).to.contain('is not valid JSON');
  });

  it('refuses a placeholder that has no local value', async () => {
    const text = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: '${BucketName}', End: true } } });
    const error = await rejection(loadDefinition(await file('unknown.json', text)));
    expect(error.name).to.equal('DefinitionError');
    expect(error.message).to.contain('BucketName');
  });

  it('refuses JSON that is not a state machine', async () => {
    const error = await rejection(loadDefinition(await file('array.json', '[1, 2]')));
    expect(error.name).to.equal('DefinitionError');
    expect(error.message).to.contain('"StartAt"');
  });

  it("refuses invalid ASL with the engine's reason, naming the file", async () => {
    const invalid = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    const template = await loadDefinition(await file('bad.json', invalid));
    expect(() => validateDefinition(template))
      .to.throw(DefinitionError)
      .with.property('message')
      .that.contains('bad.json is not valid ASL')
      .and.contains('Nowhere');
    const deployed = await loadDefinition(TRANSFER_RECORDS.definition);
    expect(() => validateDefinition(deployed)).not.to.throw();
  });
});

describe('local/definition forEachState', () => {
  it('visits each state before the ones nested in it, naming nested ones by their owner, and each machine first', () => {
    const pass = { Type: 'Pass', End: true };
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'A', States: { A: pass } }, { StartAt: 'B', States: { B: pass } }],
          Next: 'Each',
        },
        Each: { Type: 'Map', Iterator: { StartAt: 'C', States: { C: pass, Odd: 'not a state' } }, Next: 'D' },
        D: pass,
      },
    };
    const seen: string[] = [];
    forEachState(
      definition,
      (name, _state, path) => seen.push(`${name} @ ${path}`),
      (machine, owner) => seen.push(`machine ${String(machine.StartAt)} of "${owner}"`),
    );
    expect(seen).to.deep.equal([
      'machine Fan of ""',
      'Fan @ Fan',
      'machine A of "Fan"',
      'A @ Fan › A',
      'machine B of "Fan"',
      'B @ Fan › B',
      'Each @ Each',
      'machine C of "Each"',
      'C @ Each › C',
      'D @ D',
    ]);
  });
});

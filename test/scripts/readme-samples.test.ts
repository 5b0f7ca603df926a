// README.md's sample output and figures against what the code makes now: make test fails when
// they drift (make readme rewrites them).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { comparable, driftedBlocks, generateSamples, maxMessagesInInput, readBlock, README, SAMPLES, writeBlock } from '../../scripts/readme-samples.ts';
import { QUOTAS } from '../../workflow/quotas.ts';

describe('scripts/readme-samples', function () {
  this.timeout(60_000);

  it('finds every sample of README.md as the code makes it now (make readme rewrites them)', () => {
    const readme = readFileSync(README, 'utf8');
    for (const id of Object.keys(SAMPLES)) expect(readBlock(readme, id), id).to.be.a('string');
    expect(driftedBlocks(readme, generateSamples())).to.deep.equal([]);
  });

  const SAMPLE = [
    'Execution SUCCEEDED in 409 ms  (arn:…)',
    '  History events   151 of 25,000 (0.6%)',
    '  Largest payload  1,699 of 262,144 bytes (0.6%), in "Send Message to SQS"',
    '  Seed the DynamoDB Table               1 ×     2.87 s',
  ].join('\n');
  const readme = (text: string) => `# t\n<!-- readme:make-local -->\n${text}\n<!-- /readme:make-local -->\nafter <!-- readme:max-messages -->65,532<!-- /readme:max-messages --> words\n`;

  it('ignores what changes from run to run: times, and a largest payload a few bytes off', () => {
    const rerun = SAMPLE.replace('409 ms', '1.02 s').replace('1,699', '1,701').replace('    2.87 s', '     12 ms');
    expect(driftedBlocks(readme(SAMPLE), { 'make-local': rerun, 'max-messages': '65,532' })).to.deep.equal([]);
    expect(comparable(SAMPLE)).to.not.contain('409');
  });

  it('names a block whose figures drifted, or that is missing', () => {
    const drifted = SAMPLE.replace('151 of', '152 of');
    expect(driftedBlocks(readme(SAMPLE), { 'make-local': drifted, 'max-messages': '65,532' })).to.deep.equal(['make-local']);
    expect(driftedBlocks(readme(SAMPLE), { 'make-local': SAMPLE.replace('1,699', '1,900'), 'max-messages': '65,533' })).to.deep.equal(['make-local', 'max-messages']);
    expect(driftedBlocks('# no markers\n', { 'make-local': SAMPLE })).to.deep.equal(['make-local']);
  });

  it('rewrites a block in place, inline or on its own lines', () => {
    const written = writeBlock(writeBlock(readme('old'), 'make-local', 'new\ntext'), 'max-messages', '7');
    expect(written).to.contain('<!-- readme:make-local -->\nnew\ntext\n<!-- /readme:make-local -->');
    expect(written).to.contain('after <!-- readme:max-messages -->7<!-- /readme:max-messages --> words');
  });

  it('bounds the one-character messages an execution input holds by its 256 KiB quota', () => {
    const count = maxMessagesInInput();
    const size = (n: number) => Buffer.byteLength(JSON.stringify({ messages: Array.from({ length: n }, () => 'a') }));
    expect(size(count)).to.be.at.most(QUOTAS.payloadBytes);
    expect(size(count + 1)).to.be.above(QUOTAS.payloadBytes);
  });
});

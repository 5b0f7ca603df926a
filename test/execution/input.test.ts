import { expect } from 'chai';
import sinon from 'sinon';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExecutionInput, executionInput, expectedItems, InvalidInput, InvalidMessagesFile } from '../../execution/input.ts';
import { LOOP } from '../../workflow/transfer-records.ts';
import { rejection } from '../helpers.ts';

async function withTempDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'input-test-'));
  try {
    await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('cli/input buildExecutionInput', () => {
  it('is {} without options, so the seed function seeds its default items', async () => {
    expect(await buildExecutionInput({})).to.deep.equal({});
  });

  it('passes a count on', async () => {
    expect(await buildExecutionInput({ count: 7 })).to.deep.equal({ count: 7 });
  });

  it('reads the messages from a JSON array of strings', async () => {
    const read = sinon.fake.resolves('["first", "segunda mensagem", "{\\"json\\": true}"]');
    const input = await buildExecutionInput({ messagesFile: 'messages.json' }, read);
    expect(input).to.deep.equal({ messages: ['first', 'segunda mensagem', '{"json": true}'] });
    expect(read.firstCall.args[0]).to.equal('messages.json');
  });

  for (const [label, text, pattern] of [
    ['invalid JSON', '["a", ', /not valid JSON/],
    ['an object', '{"messages": ["a"]}', /non-empty JSON array/],
    ['an empty array', '[]', /non-empty JSON array/],
    ['a number element', '["a", 2]', /element 1/],
    ['an empty string', '["a", ""]', /element 1/],
    ['an input over 256 KiB', JSON.stringify(['x'.repeat(200_000), 'y'.repeat(70_000)]), /at most 262144/],
  ] as const) {
    it(`rejects a file holding ${label} with InvalidMessagesFile`, async () => {
      const error = await rejection(buildExecutionInput({ messagesFile: 'm.json' }, sinon.fake.resolves(text)));
      expect(error).to.be.instanceOf(InvalidMessagesFile);
      expect(error.name).to.equal('InvalidMessagesFile');
      expect(error.message).to.match(pattern);
    });
  }

  it('reads a UTF-8 file from disk, with or without a byte order mark', async () => {
    await withTempDir(async (dir) => {
      const file = `${dir}/m.json`;
      await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('["olá", "😀"]', 'utf8')]));
      expect(await buildExecutionInput({ messagesFile: file })).to.deep.equal({ messages: ['olá', '😀'] });
    });
  });

  for (const [label, bytes, pattern] of [
    ['invalid UTF-8 (ED A0 80, an encoded surrogate)', Buffer.concat([Buffer.from('["a', 'utf8'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"]', 'utf8')]), /not valid UTF-8/],
    ['UTF-16LE with its byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('["a"]', 'utf16le')]), /must be UTF-8 JSON/],
    ['UTF-16BE with its byte order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('["a"]', 'utf16le').swap16()]), /must be UTF-8 JSON/],
    ['UTF-16LE without a byte order mark', Buffer.from('["a"]', 'utf16le'), /must be UTF-8 JSON/],
  ] as const) {
    it(`refuses a file holding ${label} with InvalidInput, saying it must be UTF-8 JSON`, async () => {
      await withTempDir(async (dir) => {
        const file = `${dir}/m.json`;
        await writeFile(file, bytes);
        const error = await rejection(buildExecutionInput({ messagesFile: file }));
        expect(error).to.be.instanceOf(InvalidInput).and.instanceOf(InvalidMessagesFile);
        expect(error.name).to.equal('InvalidInput');
        expect(error.message).to.contain(file).and.match(pattern).and.contain('UTF-8 JSON');
      });
    });
  }

  it('rejects a file it cannot read with InvalidMessagesFile', async () => {
    const missing = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    const error = await rejection(buildExecutionInput({ messagesFile: 'gone.json' }, sinon.fake.rejects(missing)));
    expect(error).to.be.instanceOf(InvalidMessagesFile);
    expect(error.message).to.contain('gone.json');
  });

  describe('executionInput and expectedItems', () => {
    it('builds the input from a raw input, a count or messages, and counts the items the loop will go through', () => {
      expect(executionInput({ input: [1] })).to.deep.equal([1]);
      expect(executionInput({ count: 3 })).to.deep.equal({ count: 3 });
      expect(executionInput({ messages: ['a', 'b'] })).to.deep.equal({ messages: ['a', 'b'] });
      expect(executionInput({})).to.deep.equal({});
      expect(expectedItems({ count: 3 }, LOOP)).to.equal(3);
      expect(expectedItems({ messages: ["a", "b"] }, LOOP)).to.equal(2);
      expect(expectedItems({}, LOOP)).to.equal(LOOP.defaultCount);
      expect(expectedItems("not an object", LOOP)).to.equal(LOOP.defaultCount);
    });

    it('counts no items for a workflow without a loop', () => {
      expect(expectedItems({ count: 3 }, undefined)).to.equal(0);
    });
  });
});

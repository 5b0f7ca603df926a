import { expect } from 'chai';
import sinon from 'sinon';
import { buildExecutionInput, InvalidMessagesFile } from '../../execution/input.ts';
import { rejection } from '../helpers.ts';

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

  it('rejects a file it cannot read with InvalidMessagesFile', async () => {
    const missing = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    const error = await rejection(buildExecutionInput({ messagesFile: 'gone.json' }, sinon.fake.rejects(missing)));
    expect(error).to.be.instanceOf(InvalidMessagesFile);
    expect(error.message).to.contain('gone.json');
  });
});

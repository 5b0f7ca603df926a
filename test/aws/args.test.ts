import { expect } from 'chai';
import { DEFAULT_TIMEOUT_SECONDS, InvalidArguments, parseRunArgs, USAGE } from '../../aws/args.ts';
import { QUEUE } from '../../workflow/transfer-records.ts';

describe('cli/args parseRunArgs', () => {
  it('defaults to no seed options, text output, the default timeout and no peek at the queue', () => {
    expect(parseRunArgs([])).to.deep.equal({ json: false, peek: false, help: false, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS });
  });

  it('reads --peek, whose help says that a peek counts toward the redrive policy', () => {
    expect(parseRunArgs(['--peek']).peek).to.equal(true);
    const help = USAGE.replace(/\s+/g, ' ');
    expect(help).to.contain('--peek also show what the queue holds now (off by default)');
    expect(help).to.contain(`counts toward the queue's redrive policy (maxReceiveCount ${QUEUE.redrive.maxReceiveCount} here)`);
  });

  it('reads --count, --json and --timeout', () => {
    expect(parseRunArgs(['--count', '25', '--json', '--timeout', '60'])).to.deep.equal({
      count: 25,
      json: true,
      peek: false,
      help: false,
      timeoutSeconds: 60,
    });
  });

  it('reads --messages-file', () => {
    expect(parseRunArgs(['--messages-file', 'messages.json']).messagesFile).to.equal('messages.json');
  });

  for (const [label, argv, pattern] of [
    ['both seed options', ['--count', '2', '--messages-file', 'm.json'], /together/],
    ['a count that is not a number', ['--count', 'ten'], /--count must be a positive integer/],
    ['a zero count', ['--count', '0'], /--count must be a positive integer/],
    ['a fractional count', ['--count', '2.5'], /--count must be a positive integer/],
    ['a negative timeout', ['--timeout', '-5'], /--timeout/],
    ['an unknown option', ['--items', '3'], /items/],
    ['a repeated --count', ['--count', '3', '--count', '4'], /--count was given twice \("3" and "4"\); give it once/],
    ['a positional argument', ['3'], /3/],
  ] as const) {
    it(`rejects ${label} with InvalidArguments`, () => {
      expect(() => parseRunArgs([...argv])).to.throw(InvalidArguments, pattern);
    });
  }
});

import { expect } from 'chai';
import { InvalidInput } from '../../../functions/seed/errors.ts';
import { parseEvent } from '../../../functions/seed/input.ts';
import { DEFAULT_COUNT, MAX_ITEMS, MAX_MESSAGE_BYTES } from '../../../functions/seed/limits.ts';
import { BAD_INPUTS } from './cases.ts';

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:transfer-records-state-machine:run-1';

function rejection(event: unknown): Error {
  try {
    parseEvent(event);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('parseEvent accepted the event');
}

describe('seed input validation', () => {
  it('seeds the default number of generated items for {}', () => {
    expect(parseEvent({ input: {}, executionId: EXECUTION_ID })).to.deep.equal({
      request: { kind: 'generated', count: DEFAULT_COUNT },
      executionId: EXECUTION_ID,
    });
    expect(DEFAULT_COUNT).to.equal(10);
  });

  it('takes a count up to the maximum', () => {
    expect(parseEvent({ input: { count: 1 } }).request).to.deep.equal({ kind: 'generated', count: 1 });
    expect(parseEvent({ input: { count: MAX_ITEMS } }).request).to.deep.equal({ kind: 'generated', count: MAX_ITEMS });
  });

  it('takes messages as given, including the largest allowed and every allowed kind of character', () => {
    const largest = 'x'.repeat(MAX_MESSAGE_BYTES);
    const mixed = 'tab\tline\ncarriage\r ascii ü \uD7FF \uE000 \uFFFD 😀 \u{10FFFF}';
    expect(parseEvent({ input: { messages: ['one', largest, mixed] } }).request).to.deep.equal({
      kind: 'messages',
      messages: ['one', largest, mixed],
    });
  });

  it('leaves the execution id out when the function is invoked directly', () => {
    expect(parseEvent({ input: {} })).to.not.have.property('executionId');
  });

  for (const { title, event, mentions } of BAD_INPUTS) {
    it(`rejects ${title} with InvalidInput naming the rule`, () => {
      const error = rejection(event);
      expect(error).to.be.instanceOf(InvalidInput);
      expect(error.name).to.equal('InvalidInput');
      expect(error.message).to.contain(mentions);
    });
  }
});

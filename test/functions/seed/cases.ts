// Every kind of bad event the seed function must reject, with the field its error must name.
import { MAX_ITEMS, MAX_MESSAGE_BYTES } from '../../../functions/seed/limits.ts';

export interface BadInputCase {
  title: string;
  event: unknown;
  /** Text the InvalidInput message must contain. */
  mentions: string;
}

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:transfer-records-state-machine:bad';

function withInput(input: unknown): unknown {
  return { input, executionId: EXECUTION_ID };
}

export const BAD_INPUTS: BadInputCase[] = [
  { title: 'an event that is not an object', event: 'seed', mentions: 'event must be a JSON object' },
  { title: 'a null event', event: null, mentions: 'event must be a JSON object' },
  { title: 'an event with an unknown field', event: { count: 3 }, mentions: '"count"' },
  { title: 'an event without input', event: { executionId: EXECUTION_ID }, mentions: '"input"' },
  { title: 'an empty executionId', event: { input: {}, executionId: '' }, mentions: 'executionId' },
  { title: 'a numeric executionId', event: { input: {}, executionId: 7 }, mentions: 'executionId' },
  { title: 'an input that is an array', event: withInput([]), mentions: 'input must be a JSON object' },
  { title: 'an input that is a string', event: withInput('{}'), mentions: 'input must be a JSON object' },
  { title: 'a null input', event: withInput(null), mentions: 'input must be a JSON object' },
  { title: 'an unknown input field', event: withInput({ cnt: 3 }), mentions: '"cnt"' },
  {
    title: 'count and messages together',
    event: withInput({ count: 1, messages: ['a'] }),
    mentions: 'either count or messages',
  },
  { title: 'a fractional count', event: withInput({ count: 1.5 }), mentions: 'input.count must be an integer' },
  { title: 'a count given as a string', event: withInput({ count: '5' }), mentions: 'input.count must be an integer' },
  { title: 'a null count', event: withInput({ count: null }), mentions: 'input.count must be an integer' },
  { title: 'a zero count', event: withInput({ count: 0 }), mentions: `input.count must be between 1 and ${MAX_ITEMS}` },
  // 1e400 in the JSON text: JSON.parse gives Infinity.
  { title: 'a count too large for a double', event: withInput({ count: JSON.parse('1e400') }), mentions: `input.count is out of range: it must be between 1 and ${MAX_ITEMS}` },
  { title: 'a negative count', event: withInput({ count: -2 }), mentions: 'input.count must be between 1' },
  {
    title: 'a count above the maximum',
    event: withInput({ count: MAX_ITEMS + 1 }),
    mentions: `input.count must be between 1 and ${MAX_ITEMS}`,
  },
  { title: 'messages that are a string', event: withInput({ messages: 'hello' }), mentions: 'input.messages must be an array' },
  { title: 'no messages', event: withInput({ messages: [] }), mentions: 'input.messages must hold at least one' },
  {
    title: 'more messages than the maximum',
    event: withInput({ messages: Array.from({ length: MAX_ITEMS + 1 }, () => 'm') }),
    mentions: `input.messages must hold at most ${MAX_ITEMS}`,
  },
  { title: 'a message that is a number', event: withInput({ messages: ['a', 3] }), mentions: 'input.messages[1] must be a string' },
  { title: 'a message that is null', event: withInput({ messages: [null] }), mentions: 'input.messages[0] must be a string' },
  { title: 'an empty message', event: withInput({ messages: ['a', 'b', ''] }), mentions: 'input.messages[2] must not be empty' },
  {
    title: 'a message over 256 KiB',
    event: withInput({ messages: ['x'.repeat(MAX_MESSAGE_BYTES + 1)] }),
    mentions: `input.messages[0] is ${MAX_MESSAGE_BYTES + 1} bytes`,
  },
  {
    // Fewer characters than the limit, but two bytes each in UTF-8.
    title: 'a message over 256 KiB only in UTF-8',
    event: withInput({ messages: ['é'.repeat(MAX_MESSAGE_BYTES / 2 + 1)] }),
    mentions: `input.messages[0] is ${MAX_MESSAGE_BYTES + 2} bytes`,
  },
  { title: 'a message holding NUL', event: withInput({ messages: ['ab\u0000'] }), mentions: 'U+0000 at index 2' },
  { title: 'a message holding a control character', event: withInput({ messages: ['\u001b[0m'] }), mentions: 'U+001B' },
  { title: 'a message holding a lone surrogate', event: withInput({ messages: ['a\uD800b'] }), mentions: 'U+D800' },
  { title: 'a message holding U+FFFE', event: withInput({ messages: ['\uFFFE'] }), mentions: 'U+FFFE' },
];

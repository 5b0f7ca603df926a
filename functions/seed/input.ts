// Validates the invocation event before anything is written: every rule names its field.
import { InvalidInput } from './errors.ts';
import { DEFAULT_COUNT, MAX_ITEMS, MAX_MESSAGE_BYTES } from './limits.ts';
import { isObject } from '../../workflow/json.ts';

/** The fields the state machine's `Payload` sets: the execution input and `$$.Execution.Id`. */
export const EVENT_FIELDS = ['input', 'executionId'] as const;
const INPUT_FIELDS = ['count', 'messages'];

export type SeedRequest =
  | { kind: 'generated'; count: number }
  | { kind: 'messages'; messages: string[] };

export interface ParsedEvent {
  request: SeedRequest;
  /** Absent when the function is invoked directly rather than by the state machine. */
  executionId?: string;
}

// SQS accepts only the XML 1.0 character set (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
// #x10000-#x10FFFF) and rejects or rewrites anything else, so such a body could not arrive intact.
// With the u flag a lone surrogate is one code point, outside every allowed range.
const DISALLOWED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function rejectUnknownFields(object: Record<string, unknown>, known: readonly string[], where: string): void {
  const unknown = Object.keys(object).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new InvalidInput(
      `${where} has unknown field(s) ${unknown.map((key) => `"${key}"`).join(', ')}; allowed: ${known.join(', ')}`,
    );
  }
}

function parseCount(count: unknown, maxItems: number): number {
  // JSON.parse reads a number past ±1.8e308 (1e400) as ±Infinity, which JSON.stringify writes as null.
  if (count === Infinity || count === -Infinity) {
    throw new InvalidInput(`input.count is out of range: it must be between 1 and ${maxItems}, got a number too large for a double`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count)) {
    throw new InvalidInput(`input.count must be an integer, got ${JSON.stringify(count)}`);
  }
  if (count < 1 || count > maxItems) {
    throw new InvalidInput(`input.count must be between 1 and ${maxItems}, got ${count}`);
  }
  return count;
}

function checkMessage(message: unknown, field: string): string {
  if (typeof message !== 'string') {
    throw new InvalidInput(`${field} must be a string, got ${message === null ? 'null' : typeof message}`);
  }
  if (message.length === 0) {
    throw new InvalidInput(`${field} must not be empty`);
  }
  const disallowed = DISALLOWED_CHARACTER.exec(message);
  if (disallowed) {
    const codePoint = disallowed[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidInput(
      `${field} holds U+${codePoint} at index ${disallowed.index}, a character SQS does not accept ` +
        '(allowed: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF)',
    );
  }
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InvalidInput(
      `${field} is ${bytes} bytes in UTF-8; the limit is ${MAX_MESSAGE_BYTES} (the SQS message and Step Functions payload limit)`,
    );
  }
  return message;
}

function parseMessages(messages: unknown, maxItems: number): string[] {
  if (!Array.isArray(messages)) {
    throw new InvalidInput(`input.messages must be an array of strings, got ${messages === null ? 'null' : typeof messages}`);
  }
  if (messages.length === 0) {
    throw new InvalidInput('input.messages must hold at least one message');
  }
  if (messages.length > maxItems) {
    throw new InvalidInput(`input.messages must hold at most ${maxItems} messages, got ${messages.length}`);
  }
  return messages.map((message: unknown, index) => checkMessage(message, `input.messages[${index}]`));
}

/** Checks the execution input against the rules, with the workflow's largest count. */
export function parseRequest(input: unknown, maxItems: number = MAX_ITEMS): SeedRequest {
  if (!isObject(input)) {
    throw new InvalidInput('input must be a JSON object: {}, {"count": n} or {"messages": [...]}');
  }
  rejectUnknownFields(input, INPUT_FIELDS, 'input');
  if ('count' in input && 'messages' in input) {
    throw new InvalidInput('input must give either count or messages, not both');
  }
  if ('messages' in input) return { kind: 'messages', messages: parseMessages(input.messages, maxItems) };
  if ('count' in input) return { kind: 'generated', count: parseCount(input.count, maxItems) };
  return { kind: 'generated', count: DEFAULT_COUNT };
}

/** Checks the whole event; throws InvalidInput naming the first broken rule. */
export function parseEvent(event: unknown): ParsedEvent {
  if (!isObject(event)) {
    throw new InvalidInput('the event must be a JSON object {"input": ..., "executionId": ...}');
  }
  rejectUnknownFields(event, EVENT_FIELDS, 'the event');
  if (!('input' in event)) {
    throw new InvalidInput('the event must carry the seed input in its "input" field');
  }
  const executionId = parseExecutionId(event.executionId);
  const request = parseRequest(event.input);
  return executionId === undefined ? { request } : { request, executionId };
}

/** The execution id the ids derive from: absent, or a non-empty string. */
export function parseExecutionId(executionId: unknown): string | undefined {
  if (executionId !== undefined && (typeof executionId !== 'string' || executionId.length === 0)) {
    throw new InvalidInput('executionId must be a non-empty string when given');
  }
  return executionId;
}

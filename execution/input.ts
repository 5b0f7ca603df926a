// Builds the execution input from the command-line options, before anything starts: the same
// for the offline run and the AWS run client.
import { readFile } from 'node:fs/promises';
import { nestingMessage, tooDeep } from '../engine/index.ts';
import type { LoopContract } from '../workflow/description.ts';
import { QUOTAS } from '../workflow/quotas.ts';

export type ExecutionInput = Record<string, never> | { count: number } | { messages: string[] };

export class InvalidMessagesFile extends Error {
  override name = 'InvalidMessagesFile';
}

/** An execution input the engine would refuse: nested deeper than MAX_JSON_DEPTH. */
export class InvalidExecutionInput extends Error {
  override name = 'InvalidExecutionInput';
}

/** Refuses, before anything starts, an input nested deeper than the engine takes; `what` names it. */
export function checkInputDepth(input: unknown, what = 'The execution input'): void {
  if (tooDeep(input)) throw new InvalidExecutionInput(nestingMessage(what));
}

export type ReadText = (path: string) => Promise<string>;

const readText: ReadText = (path) => readFile(path, 'utf8');

export async function buildExecutionInput(
  options: { count?: number; messagesFile?: string },
  read: ReadText = readText,
): Promise<ExecutionInput> {
  if (options.count !== undefined) return { count: options.count };
  if (options.messagesFile === undefined) return {};
  const file = options.messagesFile;
  let text: string;
  try {
    text = await read(file);
  } catch (error) {
    throw new InvalidMessagesFile(`cannot read ${file}: ${(error as Error).message}`);
  }
  let messages: unknown;
  try {
    // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse refuses.
    messages = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvalidMessagesFile(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidMessagesFile(`${file} must hold a non-empty JSON array of strings`);
  }
  const bad = messages.findIndex((message) => typeof message !== 'string' || message === '');
  if (bad !== -1) {
    throw new InvalidMessagesFile(`${file}: element ${bad} must be a non-empty string`);
  }
  const input = { messages: messages as string[] };
  // StartExecution rejects a larger input; saying so here names the file instead of an SDK error.
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > QUOTAS.payloadBytes) {
    throw new InvalidMessagesFile(
      `${file} makes an execution input of ${bytes} bytes; Step Functions accepts at most ${QUOTAS.payloadBytes}`,
    );
  }
  return input;
}

/**
 * The execution input of the runner's options: a raw input, a count, the messages, or none
 * (`{}`); InvalidExecutionInput for a raw input nested too deep.
 */
export function executionInput(options: { count?: number; messages?: string[]; input?: unknown }): unknown {
  if (options.input !== undefined) {
    checkInputDepth(options.input);
    return options.input;
  }
  if (options.count !== undefined) return { count: options.count };
  if (options.messages !== undefined) return { messages: options.messages };
  return {};
}

/** The items a loop will go through for this input, for the progress line; 0 for a workflow without a loop. */
export function expectedItems(input: unknown, loop: LoopContract | undefined): number {
  if (loop === undefined) return 0;
  if (typeof input !== 'object' || input === null) return loop.defaultCount;
  const { count, messages } = input as { count?: unknown; messages?: unknown };
  if (typeof count === 'number') return count;
  if (Array.isArray(messages)) return messages.length;
  return loop.defaultCount;
}

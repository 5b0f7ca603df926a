// What an emulator's fast path (dynalite-fast-path.ts, sqs-fast-path.ts) is given and gives back:
// the request's head with its body whole (and its JSON value, parsed once), and the answer the
// emulator itself would write.
import type { RequestHead, WrittenAnswer } from './in-process-transport.ts';

/** A request as a fast path reads it: its method, URL and headers, and its body whole. */
export interface FastRequest extends Pick<RequestHead, 'method' | 'url' | 'headers'> {
  body: Buffer;
}

/** An answer as the emulator would write it: status, headers in its order, body. */
export type FastAnswer = WrittenAnswer;

// The IAM door (emulators.ts) parses a JSON body before the fast path behind it does: it leaves
// the value here and that path takes it, so that a body is parsed once. A value is taken once,
// and only for the very body it was parsed from: a retried request's body is parsed again.
let leftBody: Buffer | undefined;
let leftValue: unknown;

/** Leaves `value`, JSON.parse's reading of `body`, for the fast path that reads the same request next. */
export function leaveParsedBody(body: Buffer, value: unknown): void {
  leftBody = body;
  leftValue = value;
}

/** A request body's JSON value: the one the door left for this very body, or JSON.parse's (which throws as it does). */
export function parsedBody(body: Buffer): unknown {
  const left = leftBody === body;
  const value = leftValue;
  leftBody = undefined;
  leftValue = undefined;
  return left ? value : JSON.parse(body.toString());
}

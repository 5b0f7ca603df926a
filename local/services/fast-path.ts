// What an emulator's fast path (dynalite-fast-path.ts, sqs-fast-path.ts) is given and gives back:
// the request's head with its body whole, and the answer the emulator itself would write.
import type { RequestHead } from './in-process-transport.ts';

/** A request as a fast path reads it: its method, URL and headers, and its body whole. */
export interface FastRequest extends Pick<RequestHead, 'method' | 'url' | 'headers'> {
  body: Buffer;
}

/** An answer as the emulator would write it: status, headers in its order, body. */
export interface FastAnswer {
  statusCode: number;
  headers: [string, string][];
  body: string;
}

// One self-rewriting line on stderr while a long local run sends its messages: a person at a
// terminal sees it move; pipes, CI logs and --json output never receive it.

/** Runs with fewer items finish before a progress line would be worth reading. */
export const PROGRESS_MIN_ITEMS = 300;
const REDRAW_EVERY_MS = 100;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLine {
  update(delivered: number): void;
  /** Erases the line, leaving the terminal as it was. */
  done(): void;
}

/**
 * Messages a successful service call put on a queue: one for SendMessage, and for
 * SendMessageBatch the entries its result lists as Successful (a batch's failed entries are in
 * Failed, the call itself succeeding). The SDK integration's result names members as the optimized one does.
 */
export function messagesSent(service: string, action: string, output: unknown): number {
  if (service !== 'sqs') return 0;
  const name = action.toLowerCase();
  if (name === 'sendmessage') return 1;
  if (name !== 'sendmessagebatch') return 0;
  const successful = (output as { Successful?: unknown } | null | undefined)?.Successful;
  return Array.isArray(successful) ? successful.length : 0;
}

export function shouldShowProgress(options: { stream: ProgressStream; json: boolean; total: number }): boolean {
  return options.stream.isTTY === true && !options.json && options.total >= PROGRESS_MIN_ITEMS;
}

export function formatProgress(delivered: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round((delivered * 1000) / elapsedMs) : 0;
  const percent = total > 0 ? Math.floor((delivered * 100) / total) : 0;
  return `delivered ${delivered}/${total} (${percent}%), ${rate} msg/s`;
}

export function createProgressLine(
  stream: ProgressStream,
  total: number,
  now: () => number = () => performance.now(),
): ProgressLine {
  const started = now();
  let lastDrawn = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(delivered) {
      const at = now();
      if (at - lastDrawn < REDRAW_EVERY_MS && delivered < total) return;
      lastDrawn = at;
      drawn = true;
      // \r returns to the line's start, \x1b[K clears what a longer previous line left.
      stream.write(`\r${formatProgress(delivered, total, at - started)}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/**
 * The line that replaces the progress line (and the terminal's ^C) when the user interrupts the
 * run. A workflow without a loop contract (the at-scale one) has no expected total: 0, left out.
 */
export function interruptedLine(stream: ProgressStream, delivered: number, total: number): string {
  const erase = stream.isTTY === true ? '\r\x1b[K' : '';
  const of = total > 0 ? ` of ${total}` : '';
  return `${erase}Interrupted after ${delivered}${of} messages delivered; the emulators are stopped.\n`;
}

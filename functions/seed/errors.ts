/** The invocation's input breaks a rule; nothing has been written. */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
}

/** Some items could not be written; the message says how many were and were not. */
export class SeedWriteIncomplete extends Error {
  override name = 'SeedWriteIncomplete';

  constructor(
    readonly written: number,
    readonly notWritten: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`wrote ${written} item(s) and could not write ${notWritten}: ${reason}`, options);
  }
}

// The errors an execution can fail with, named as Step Functions names them. Every part of the
// engine throws StatesError; its name is the ASL error name that Retry and Catch match.

export class StatesError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }

  get error(): string {
    return this.name;
  }

  override get cause(): string {
    return this.message;
  }
}

/** A definition the engine refuses before running, naming the state and the field. */
export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

/** A feature of the ASL the engine does not implement, refused before running. */
export class UnsupportedFeature extends Error {
  override name = 'UnsupportedFeature';
}

/** The `{Error, Cause}` object a Catch passes on: both always there, empty when the error named none. */
export function errorOutput(error: StatesError): Record<string, string> {
  return { Error: error.name, Cause: error.message };
}

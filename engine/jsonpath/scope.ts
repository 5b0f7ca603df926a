// What a JSONPath expression can read: the state's input (`$`), the context object (`$$`) and
// the workflow variables (`$name`), as Step Functions resolves them in JSONPath mode.

export interface PathScope {
  input: unknown;
  context: unknown;
  variables: Readonly<Record<string, unknown>>;
}

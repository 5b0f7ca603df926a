// What the path and filter parsers share: the syntax error, and quoted names.

/** A path that is not valid JSONPath syntax. */
export class InvalidPath extends Error {
  override name = 'InvalidPath';

  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Invalid JSONPath '${path}': ${reason}`);
  }
}

/** The index after the quote that closes the quoted text at `start`; a backslash keeps the next character from closing it. */
export function quotedEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new InvalidPath(text, 'unterminated quoted name');
  return i + 1;
}

/** Reads a quoted string at `start`; `\'`, `\"` and `\\` escape. Returns the string and the index after the quote. */
export function readQuoted(text: string, start: number): [string, number] {
  const end = quotedEnd(text, start);
  return [text.slice(start + 1, end - 1).replace(/\\([\s\S])/g, '$1'), end];
}

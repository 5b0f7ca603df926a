// The syntax of JSONPath-mode intrinsic calls: `States.Name(arg, …)` with nested calls, single-
// quoted strings (with escapes), numbers, true/false/null and paths (`$…`, `$$…`, `$name…`) as
// arguments. Parsed calls are cached by their text.

export type Argument =
  | { kind: 'literal'; value: unknown }
  /** A quoted string; `raw` keeps `\{` and `\}` so that States.Format can tell them from `{}`. */
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: Call };

export interface Call {
  name: string;
  args: Argument[];
}

/** An intrinsic call that does not parse. */
export class InvalidIntrinsic extends Error {
  override name = 'InvalidIntrinsic';

  constructor(text: string, reason: string) {
    super(`Invalid intrinsic function '${text}': ${reason}`);
  }
}

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(text: string): boolean {
  return text.startsWith('States.');
}

const cache = new Map<string, Call>();

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

/** Parses an intrinsic call, cached by its text. */
export function parseIntrinsic(text: string): Call {
  let call = cache.get(text);
  if (call === undefined) {
    const parser = new CallParser(text);
    call = parser.parseCall();
    parser.expectEnd();
    cache.set(text, call);
  }
  return call;
}

class CallParser {
  private i = 0;

  constructor(private readonly text: string) {}

  private fail(reason: string): never {
    throw new InvalidIntrinsic(this.text, reason);
  }

  private skip(): void {
    while (/\s/.test(this.text[this.i] ?? '')) this.i += 1;
  }

  expectEnd(): void {
    this.skip();
    if (this.i !== this.text.length) this.fail(`unexpected '${this.text.slice(this.i)}' after the call`);
  }

  parseCall(): Call {
    this.skip();
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.i));
    if (name === null) this.fail(`expected a States.* function at position ${this.i}`);
    this.i += name[0].length;
    this.skip();
    if (this.text[this.i] !== '(') this.fail(`expected '(' after ${name[0]}`);
    this.i += 1;
    const args: Argument[] = [];
    this.skip();
    if (this.text[this.i] === ')') {
      this.i += 1;
      return { name: name[0], args };
    }
    for (;;) {
      args.push(this.parseArgument());
      this.skip();
      const c = this.text[this.i];
      this.i += 1;
      if (c === ')') return { name: name[0], args };
      if (c !== ',') this.fail(`expected ',' or ')' at position ${this.i - 1}`);
    }
  }

  private parseArgument(): Argument {
    this.skip();
    const rest = this.text.slice(this.i);
    if (rest.startsWith("'")) return this.parseString();
    if (rest.startsWith('States.')) return { kind: 'call', call: this.parseCall() };
    if (rest.startsWith('$')) return { kind: 'path', path: this.readPath() };
    const word = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_.])/.exec(rest);
    if (word === null) this.fail(`unexpected argument at position ${this.i}`);
    this.i += word[0].length;
    return { kind: 'literal', value: JSON.parse(word[0]) };
  }

  /**
   * A single-quoted string: `\'`, `\\`, `\{` and `\}` are the escapes AWS documents; `\n`, `\t`
   * and `\r` stand for the control characters, and any other escaped character for itself.
   */
  private parseString(): Argument {
    let value = '';
    let raw = '';
    this.i += 1;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail('unterminated string');
      if (c === "'") break;
      if (c === '\\') {
        const next = this.text[this.i + 1];
        if (next === undefined) this.fail('unterminated string');
        const char = CONTROL_ESCAPES[next] ?? next;
        value += char;
        raw += next === '{' || next === '}' || next === '\\' ? `\\${next}` : char;
        this.i += 2;
        continue;
      }
      value += c;
      raw += c;
      this.i += 1;
    }
    this.i += 1;
    return { kind: 'string', value, raw };
  }

  /** A path argument runs to the next `,` or `)` outside brackets and quotes. */
  private readPath(): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === "'" || c === '"') {
        const close = this.text.indexOf(c, this.i + 1);
        if (close === -1) this.fail('unterminated quoted name in a path');
        this.i = close + 1;
        continue;
      }
      if (c === '[' || c === '(') depth += 1;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === ',' && depth === 0) break;
      this.i += 1;
    }
    return this.text.slice(start, this.i).trim();
  }
}

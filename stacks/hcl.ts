// cdktf 0.21 renders every reference as an interpolation-only string ("${aws_x.y.arn}") and
// every depends_on entry as a quoted string. `terraform fmt` rewrites the first, and terraform
// warns "Quoted references are deprecated" on the second. These rewrites give the same
// configuration in the form both tools accept as is.

/**
 * Index of the `}` closing the interpolation whose `${` starts at `start`, or -1.
 * Tracks nested quoted strings and their own interpolations, e.g. `${f("${x}")}`.
 */
export function interpolationEnd(text: string, start: number): number {
  const frames: { kind: 'expression' | 'string'; braces: number }[] = [{ kind: 'expression', braces: 0 }];
  let i = start + 2;
  while (i < text.length) {
    const frame = frames[frames.length - 1]!;
    const char = text[i];
    if (frame.kind === 'string') {
      if (char === '\\') i += 2;
      else if (text.startsWith('$${', i)) i += 3;
      else if (text.startsWith('${', i)) {
        frames.push({ kind: 'expression', braces: 0 });
        i += 2;
      } else {
        if (char === '"') frames.pop();
        i += 1;
      }
      continue;
    }
    if (char === '"') frames.push({ kind: 'string', braces: 0 });
    else if (char === '{') frame.braces += 1;
    else if (char === '}') {
      if (frame.braces > 0) frame.braces -= 1;
      else {
        frames.pop();
        if (frames.length === 0) return i;
      }
    }
    i += 1;
  }
  return -1;
}

// An optional `key =`, then one quoted string starting with `${`, then an optional comma.
const QUOTED_VALUE = /^(\s*(?:[^\s=]+\s*=\s*)?)"(\$\{.*\})"(,?)$/;
const QUOTED_REFERENCE = /^(\s*)"([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+)"(,?)$/;
const HEREDOC_START = /<<-?([A-Za-z_][A-Za-z0-9_]*)$/;

/** Unwraps `"${expr}"` when the interpolation is the whole string. */
export function unwrapInterpolation(line: string): string {
  const match = QUOTED_VALUE.exec(line);
  if (!match) return line;
  const [, lead, template, comma] = match as unknown as [string, string, string, string];
  if (interpolationEnd(template, 0) !== template.length - 1) return line;
  return `${lead}${template.slice(2, -1).trim()}${comma}`;
}

export function tidyHcl(hcl: string): string {
  const lines = hcl.split('\n');
  let heredocEnd: string | undefined;
  let inDependsOn = false;
  return lines
    .map((line) => {
      if (heredocEnd !== undefined) {
        if (line.trim() === heredocEnd) heredocEnd = undefined;
        return line;
      }
      const heredoc = HEREDOC_START.exec(line);
      if (heredoc) {
        heredocEnd = heredoc[1];
        return line;
      }
      if (/^\s*depends_on\s*=\s*\[$/.test(line)) {
        inDependsOn = true;
        return line;
      }
      if (inDependsOn) {
        if (/^\s*\]$/.test(line)) inDependsOn = false;
        return unwrapInterpolation(line).replace(QUOTED_REFERENCE, '$1$2$3');
      }
      return unwrapInterpolation(line);
    })
    .join('\n');
}

/** A configuration without the top-level `terraform {` block the version constraint goes in. */
export class MissingTerraformBlock extends Error {
  override name = 'MissingTerraformBlock';
}

/** Adds `required_version = "<constraint>"` as the first setting of the top-level terraform block. */
export function requireTerraformVersion(hcl: string, constraint: string): string {
  const lines = hcl.split('\n');
  const block = lines.findIndex((line) => line === 'terraform {');
  if (block === -1) throw new MissingTerraformBlock('the configuration has no top-level terraform block');
  lines.splice(block + 1, 0, `required_version = ${JSON.stringify(constraint)}`);
  return lines.join('\n');
}

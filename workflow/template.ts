// Renders ASL templates the way Terraform's templatefile() does for the subset we use:
// `${Name}` interpolates a variable and `$${` escapes a literal `${`. Both the stack
// (through templatefile itself) and the offline runtime fill the same placeholders.

/** A template's values, by placeholder name; each workflow's placeholders are in the description. */
export type TemplateVars = Record<string, string>;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const INTERPOLATION = /(\$?)\$\{([^}]*)\}/g;

/** Names of the placeholders a template uses, in order of first use. */
export function placeholdersIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(INTERPOLATION)) {
    if (match[1] === '') names.add(match[2]!.trim());
  }
  return [...names];
}

export function renderTemplate(text: string, vars: Record<string, string>): string {
  if (/(^|[^%])%\{/.test(text)) {
    throw new TemplateError('template directives (%{...}) are not supported in ASL templates');
  }
  return text.replace(INTERPOLATION, (whole, escape: string, expression: string) => {
    if (escape) return whole.slice(1);
    const name = expression.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TemplateError(`unsupported template expression "\${${expression}}": only plain variable names are allowed`);
    }
    const value = vars[name];
    if (value === undefined) {
      throw new TemplateError(`template variable "${name}" has no value (known: ${Object.keys(vars).join(', ')})`);
    }
    return value;
  });
}

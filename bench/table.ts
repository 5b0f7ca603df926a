// A Markdown table of figures, every column right-aligned and padded to its widest cell, as
// `make bench` prints its tables (local.ts, warm-endpoint.ts).

/** The header, the alignment row and the rows, as lines. */
export function figuresTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => `${'-'.repeat(width + 1)}:`).join('|')}|`, ...rows.map(line)];
}

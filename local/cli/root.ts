// The repository's folders the CLI writes to and serves from, found from where its code runs, so
// that the command works from any working folder.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder up with a package.json (this file sits two levels down, its bundle in dist/ one). */
function repositoryRoot(from: string): string {
  const parent = dirname(from);
  return existsSync(join(from, 'package.json')) || parent === from ? from : repositoryRoot(parent);
}

export const ROOT = repositoryRoot(dirname(fileURLToPath(import.meta.url)));

/** The repository's reports/ folder. */
export const REPORTS_DIR = join(ROOT, 'reports');

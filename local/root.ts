// The repository's folder, wherever a command runs from: the nearest folder up with a
// package.json. The same from a source file (one or two folders down) and from a chunk of a
// command's bundle in dist/ (one down), so a bundled command finds the ASL files, reports/ and
// dist/ where its sources would.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repositoryRoot(from: string): string {
  const parent = dirname(from);
  return existsSync(join(from, 'package.json')) || parent === from ? from : repositoryRoot(parent);
}

export const ROOT = repositoryRoot(dirname(fileURLToPath(import.meta.url)));

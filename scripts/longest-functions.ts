// Prints the longest functions of the sources (declarations, methods, arrow functions), longest
// first, with their line counts: `npx tsx scripts/longest-functions.ts [root] [--top N]`. The
// README's figure is this script's output.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { REPO_ROOT } from '../stacks/paths.ts';

const SOURCE_FOLDERS = ['workflow', 'engine', 'functions', 'execution', 'viz', 'stacks', 'local', 'aws', 'scripts', 'bench'];

export interface FunctionLength {
  file: string;
  name: string;
  lines: number;
}

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

/** Every function of one source text with its length in lines, from its first line to its last. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, name: nameOf(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function longestFunctions(root: string, top: number): FunctionLength[] {
  return SOURCE_FOLDERS.flatMap((folder) => {
    let files: string[];
    try {
      files = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' });
    } catch {
      return [];
    }
    return files
      .filter((file) => file.endsWith('.ts') && !file.includes('node_modules'))
      .flatMap((file) => functionLengths(relative(root, join(root, folder, file)), readFileSync(join(root, folder, file), 'utf8')));
  })
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file))
    .slice(0, top);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt === -1 ? 10 : Number(args[topAt + 1]);
  const root = args.find((arg, i) => !arg.startsWith('--') && i !== topAt + 1) ?? REPO_ROOT;
  for (const { file, name, lines } of longestFunctions(root, top)) console.log(`${String(lines).padStart(5)}  ${file}  ${name}`);
}

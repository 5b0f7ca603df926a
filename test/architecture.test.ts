// The folders depend one way (docs/architecture.md): every relative import of every source file
// is read and checked against the table below. A new import against the order fails here,
// naming the file, the import and the rule.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../stacks/paths.ts';
import { APP } from '../workflow/app.ts';

/**
 * What each top-level folder may import besides itself. A function's folder (functions/<name>)
 * counts as its own folder: one function never imports another.
 */
export const MAY_IMPORT: Record<string, string[]> = {
  // The bottom: the description, names, quotas, grants as data; and the ASL engine, which knows no workflow.
  workflow: [],
  engine: [],
  // A Lambda ships its own folder and the description it reads (its loop contract, its table's settings).
  functions: ['workflow'],
  // What both runners share: argument parsing, input building, the history fold, the execution record, the SDK
  // clients, the queue peek, the text and JSON report.
  execution: ['workflow', 'engine'],
  // Above the record they draw.
  viz: ['workflow', 'execution'],
  stacks: ['workflow'],
  // The two runners, side by side: neither imports the other.
  local: ['workflow', 'engine', 'execution', 'viz'],
  aws: ['workflow', 'execution', 'viz', 'stacks'],
  // Tooling at the top.
  scripts: ['workflow', 'engine', 'execution', 'viz', 'stacks', 'local', 'aws'],
  bench: ['workflow', 'engine', 'execution', 'viz', 'stacks', 'local', 'functions', 'scripts'],
};

const SOURCE_FOLDERS = Object.keys(MAY_IMPORT);
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sourceFiles(folder: string): string[] {
  const dir = join(REPO_ROOT, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** The unit a file belongs to: its top folder, or functions/<name> for a Lambda's sources. */
function unitOf(file: string): string {
  const [top, second] = file.split('/');
  return top === 'functions' ? `functions/${second}` : top!;
}

function folderOf(unit: string): string {
  return unit.split('/')[0]!;
}

export interface Violation {
  from: string;
  to: string;
}

/** Every relative import, resolved to the repository-relative file it names. */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2]!;
    if (!specifier.startsWith('.')) continue;
    found.push(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)));
  }
  return found;
}

export function violations(files: { file: string; text: string }[]): Violation[] {
  const found: Violation[] = [];
  for (const { file, text } of files) {
    const unit = unitOf(file);
    for (const target of importsOf(file, text)) {
      const targetUnit = unitOf(target);
      if (targetUnit === unit) continue;
      if (MAY_IMPORT[folderOf(unit)]!.includes(folderOf(targetUnit)) && folderOf(targetUnit) !== 'functions') continue;
      // Only tooling may reach into a Lambda's sources; a Lambda reaches into no other.
      if (folderOf(targetUnit) === 'functions' && folderOf(unit) === 'bench') continue;
      found.push({ from: file, to: target });
    }
  }
  return found;
}

/**
 * The import circles between files: each strongly connected group of two or more files (or a
 * file importing itself), its files sorted, as Tarjan's algorithm finds them.
 */
export function importCircles(files: { file: string; text: string }[]): string[][] {
  const graph = new Map(files.map(({ file, text }) => [file, importsOf(file, text)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || graph.get(file)!.includes(file)) circles.push(group.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

/**
 * Imports that reach into another folder's internals where that folder has an index.ts: from
 * outside a folder with one, only its index.ts may be imported (engine/index.ts is the engine's).
 */
export function internalImports(files: { file: string; text: string }[]): Violation[] {
  const indexed = new Set(files.filter(({ file }) => file.endsWith('/index.ts')).map(({ file }) => dirname(file)));
  // A Lambda's index.ts is its handler, not a folder's front door.
  for (const folder of indexed) if (folder.startsWith('functions/')) indexed.delete(folder);
  const found: Violation[] = [];
  for (const { file, text } of files) {
    for (const target of importsOf(file, text)) {
      const folder = [...indexed].find((candidate) => target.startsWith(`${candidate}/`));
      if (folder === undefined || file.startsWith(`${folder}/`) || target === `${folder}/index.ts`) continue;
      found.push({ from: file, to: target });
    }
  }
  return found;
}

/** The folders that may import a workflow's own module: its Lambdas, the description, the benchmarks and the tests. */
export const MAY_IMPORT_A_WORKFLOW = ['functions', 'workflow', 'bench', 'test'];

/**
 * Imports of a workflow's own module (`workflow/<workflow name>.ts`, its entries) from a folder
 * that must go through the description instead: everything but MAY_IMPORT_A_WORKFLOW.
 */
export function workflowImports(files: { file: string; text: string }[], workflowModules: ReadonlySet<string>): Violation[] {
  const found: Violation[] = [];
  for (const { file, text } of files) {
    if (MAY_IMPORT_A_WORKFLOW.includes(folderOf(unitOf(file)))) continue;
    for (const target of importsOf(file, text)) if (workflowModules.has(target)) found.push({ from: file, to: target });
  }
  return found;
}

describe('architecture: the folders depend one way', () => {
  const files = SOURCE_FOLDERS.flatMap(sourceFiles).map((file) => ({ file, text: readFileSync(join(REPO_ROOT, file), 'utf8') }));
  const found = violations(files);

  it('finds the imports of every source folder', () => {
    expect(files.length).to.be.greaterThan(100);
    expect(importsOf('local/run.ts', readFileSync(join(REPO_ROOT, 'local/run.ts'), 'utf8'))).to.include('execution/history.ts');
  });

  it('has no import against the order', () => {
    expect(found).to.deep.equal([]);
  });

  it('has no import circle between files', () => {
    expect(importCircles(files)).to.deep.equal([]);
  });

  it('imports a folder that has an index.ts through its index.ts only', () => {
    expect(internalImports(files)).to.deep.equal([]);
  });

  it("imports a workflow's own module only from functions/, workflow/, bench/ and test/: the rest read the description", () => {
    const modules = new Set(APP.workflows.map((workflow) => `workflow/${workflow.name}.ts`));
    for (const module of modules) expect(files.map(({ file }) => file), 'one module per workflow, named after it').to.include(module);
    expect(workflowImports(files, modules)).to.deep.equal([]);
    expect(
      workflowImports(
        [
          { file: 'aws/seeded.ts', text: "import { TABLE } from '../workflow/transfer-records.ts';" },
          { file: 'local/services/provision.ts', text: "import { QUEUE } from '../../workflow/transfer-records-at-scale.ts';\nimport { APP } from '../../workflow/app.ts';" },
          { file: 'functions/seed/write.ts', text: "import { TABLE } from '../../workflow/transfer-records.ts';" },
          { file: 'bench/local.ts', text: "import { TABLE } from '../workflow/transfer-records.ts';" },
        ],
        modules,
      ),
    ).to.deep.equal([
      { from: 'aws/seeded.ts', to: 'workflow/transfer-records.ts' },
      { from: 'local/services/provision.ts', to: 'workflow/transfer-records-at-scale.ts' },
    ]);
  });

  it('finds a circle, however long, and an import of another folder\'s internals', () => {
    expect(
      importCircles([
        { file: 'local/a.ts', text: "import { b } from './b.ts';" },
        { file: 'local/b.ts', text: "import type { c } from './sub/c.ts';" },
        { file: 'local/sub/c.ts', text: "export { a } from '../a.ts';" },
        { file: 'local/d.ts', text: "import { a } from './a.ts';" },
      ]),
    ).to.deep.equal([['local/a.ts', 'local/b.ts', 'local/sub/c.ts']]);
    expect(
      internalImports([
        { file: 'engine/index.ts', text: '' },
        { file: 'engine/states/task.ts', text: "import { x } from '../machine.ts';" },
        { file: 'execution/history.ts', text: "import { y } from '../engine/machine.ts';\nimport { z } from '../engine/index.ts';" },
      ]),
    ).to.deep.equal([{ from: 'execution/history.ts', to: 'engine/machine.ts' }]);
  });

  it('fails on an import against the order: the AWS client importing the offline runtime, workflow/ importing anything, one Lambda another', () => {
    expect(
      violations([
        { file: 'aws/record.ts', text: "import { runLocal } from '../local/run.ts';" },
        { file: 'workflow/app.ts', text: "import { OUTPUTS } from '../stacks/outputs.ts';" },
        { file: 'functions/seed/index.ts', text: "import { x } from '../other/index.ts';\nimport { y } from './own.ts';" },
        { file: 'local/run.ts', text: "const m = await import('../aws/run.ts');" },
        { file: 'viz/report.ts', text: "import type { ExecutionRecord } from '../execution/execution-record.ts';" },
      ]),
    ).to.deep.equal([
      { from: 'aws/record.ts', to: 'local/run.ts' },
      { from: 'workflow/app.ts', to: 'stacks/outputs.ts' },
      { from: 'functions/seed/index.ts', to: 'functions/other/index.ts' },
      { from: 'local/run.ts', to: 'aws/run.ts' },
    ]);
  });
});

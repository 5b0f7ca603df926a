// `make diagram`: renders each workflow of the description (workflow/app.ts), its ASL file
// <name>.asl.json, to docs/<name>.svg; with --asl-dir, every *.asl.json of that folder instead.
// `--check` writes nothing and fails when a committed SVG no longer matches its ASL.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArguments } from '../execution/args.ts';
import { APP } from '../workflow/app.ts';
import type { Application } from '../workflow/description.ts';
import { InvalidDefinition } from './dot.ts';
import { renderDiagram } from './diagram.ts';

const SUFFIX = '.asl.json';

export { InvalidArguments };

export interface DiagramOptions {
  /** Render every *.asl.json of this folder; the description's workflows when absent. */
  aslDir?: string;
  outDir: string;
  app?: Application;
}

/** The ASL files to render: the folder's, or each workflow's of the description, in name order. */
async function definitionFiles(options: DiagramOptions): Promise<string[]> {
  if (options.aslDir === undefined) return (options.app ?? APP).workflows.map((workflow) => workflow.definition).sort();
  const { aslDir } = options;
  const entries = await readdir(aslDir).catch((error: Error) => {
    throw new InvalidArguments(`cannot read the ASL folder ${aslDir}: ${error.message}`);
  });
  const files = entries.filter((file) => file.endsWith(SUFFIX)).sort();
  if (files.length === 0) throw new InvalidArguments(`no *${SUFFIX} files in ${aslDir}`);
  return files.map((file) => join(aslDir, file));
}

export interface RenderedDiagram {
  asl: string;
  svgPath: string;
  svg: string;
  ms: number;
}

/** Renders every ASL file in aslDir, in name order, without writing anything. */
async function renderAll(options: DiagramOptions): Promise<RenderedDiagram[]> {
  const rendered: RenderedDiagram[] = [];
  for (const asl of await definitionFiles(options)) {
    let definition: unknown;
    try {
      definition = JSON.parse(await readFile(asl, 'utf8'));
    } catch (error) {
      throw new InvalidDefinition(`${asl} is not valid JSON: ${(error as Error).message}`);
    }
    const started = performance.now();
    let svg: string;
    try {
      svg = await renderDiagram(definition);
    } catch (error) {
      if (error instanceof InvalidDefinition) error.message = `${asl}: ${error.message}`;
      throw error;
    }
    rendered.push({ asl, svgPath: join(options.outDir, `${basename(asl, SUFFIX)}.svg`), svg, ms: performance.now() - started });
  }
  return rendered;
}

/** Renders every ASL file and writes its SVG; nothing is written unless every file renders. */
export async function writeDiagrams(options: DiagramOptions): Promise<RenderedDiagram[]> {
  const rendered = await renderAll(options);
  await mkdir(options.outDir, { recursive: true });
  for (const diagram of rendered) {
    // Write then rename, so a reader never sees half an SVG.
    await writeFile(`${diagram.svgPath}.tmp`, diagram.svg);
    await rename(`${diagram.svgPath}.tmp`, diagram.svgPath);
  }
  return rendered;
}

/** The SVG paths that are missing or differ from what their ASL renders to today. */
export async function staleDiagrams(options: DiagramOptions): Promise<string[]> {
  const stale: string[] = [];
  for (const diagram of await renderAll(options)) {
    const committed = await readFile(diagram.svgPath, 'utf8').catch(() => undefined);
    if (committed !== diagram.svg) stale.push(diagram.svgPath);
  }
  return stale;
}

export interface CliArguments extends DiagramOptions {
  check: boolean;
}

export function parseArguments(argv: string[]): CliArguments {
  const parsed: CliArguments = { outDir: 'docs', check: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--check') parsed.check = true;
    else if (argument === '--asl-dir' || argument === '--out-dir') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new InvalidArguments(`${argument} needs a directory`);
      parsed[argument === '--asl-dir' ? 'aslDir' : 'outDir'] = value;
      index += 1;
    } else throw new InvalidArguments(`unknown argument "${argument}" (usage: diagram-cli [--check] [--asl-dir asl] [--out-dir docs])`);
  }
  return parsed;
}

/** Runs the command; returns the process exit code. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const args = parseArguments(argv);
  if (args.check) {
    const stale = await staleDiagrams(args);
    for (const path of stale) log(`${path} is stale: it no longer matches its ASL. Run \`make diagram\` and commit it.`);
    if (stale.length === 0) log(`diagrams in ${args.outDir} match their ASL`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const diagram of await writeDiagrams(args)) {
    log(`${diagram.asl} -> ${diagram.svgPath} (${diagram.ms.toFixed(0)} ms)`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(`${error.name}: ${error.message}`);
      process.exitCode = 2;
    },
  );
}

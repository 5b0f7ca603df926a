// `make build`: bundles every function of the description (workflow/app.ts), its <source>/index.ts,
// with esbuild into dist/<name>/index.mjs and zips it into dist/<name>.zip, byte-for-byte the
// same for the same sources, so Terraform sees a changed hash only when the code changed. It
// also bundles the offline runtime's CLI.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';
import { REPO_ROOT as ROOT } from '../stacks/paths.ts';
import { APP } from '../workflow/app.ts';
import type { Application } from '../workflow/description.ts';
import { BUNDLE_FILE, bundlePaths, DIST_DIR } from '../workflow/names.ts';
import { REPORT_WORKER_BUNDLE } from '../local/cli/report-writer.ts';
import { LAMBDA_SANDBOX_BUNDLE } from '../local/services/lambda-container.ts';

const FUNCTIONS_DIR = 'functions';
const ENTRY_FILE = 'index.ts';
const MAP_FILE = `${BUNDLE_FILE}.map`;

// Zip timestamps are the earliest a zip can hold (local time, as the format stores it),
// so the archive does not change with the build time.
const ZIP_MTIME = new Date(1980, 0, 1);
// Unix regular file, rw-r--r--: Lambda's runtime user must be able to read every file.
const ZIP_FILE_ATTRS = 0o100644 * 2 ** 16;
const ZIP_OS_UNIX = 3;

// esbuild's stand-in for a CommonJS require() it could not resolve; in an ES module it throws
// at the first call, long after the import succeeded.
const DYNAMIC_REQUIRE_SHIM = 'Dynamic require of "';

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface FunctionPaths {
  bundleDir: string;
  bundleFile: string;
  zipFile: string;
}

export interface FunctionBuild extends FunctionPaths {
  name: string;
  bundleBytes: number;
  mapBytes: number;
  /** The bytes of the chunks the bundle loads when a mode needs them (source maps aside). */
  chunkBytes: number;
  zipBytes: number;
  zipSha256: string;
}

/** Where a function's bundle and zip go, relative to the directory they are built under. */
export function functionPaths(name: string, outDir: string = DIST_DIR): FunctionPaths {
  return bundlePaths(name, outDir);
}

/** The folders under functions/ that hold an index.ts, sorted. */
export function listFunctions(root: string = ROOT): string[] {
  const dir = join(root, FUNCTIONS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, ENTRY_FILE)))
    .map((entry) => entry.name)
    .sort();
}

/** A zip whose bytes depend only on the files' names and contents. */
export function deterministicZip(files: Record<string, Uint8Array>): Uint8Array {
  const archive: Zippable = {};
  for (const name of Object.keys(files).sort()) {
    archive[name] = [files[name]!, { mtime: ZIP_MTIME, os: ZIP_OS_UNIX, attrs: ZIP_FILE_ATTRS }];
  }
  return zipSync(archive, { level: 9 });
}

/**
 * Node's HTTP modules as they are (process.getBuiltinModule, Node 22.3 and later), not as ES
 * modules: an ES module import of node:http builds its facade by reading every export, and one of
 * them (WebSocket) loads undici, HTTP/2 and TLS, about 30 ms of every cold start: the seed
 * Lambda's on AWS and offline, and the CLI's. The bundles' own imports of node:http and
 * node:https get the module's exports object instead.
 */
const HTTP_AS_IS: Plugin = {
  name: 'http-as-is',
  setup(esbuild) {
    const NAMESPACE = 'node-http';
    esbuild.onResolve({ filter: /^(node:)?https?$/ }, (args) => ({ path: args.path.replace(/^node:/, ''), namespace: NAMESPACE }));
    esbuild.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = process.getBuiltinModule('node:${args.path}');`,
      loader: 'js',
    }));
  },
};

/** A function's chunks, beside its bundle: code it imports only when a mode needs it (`chunk-<hash>.mjs`). */
const FUNCTION_CHUNK_NAMES = 'chunk-[hash]';

async function bundle(root: string, source: string, bundleDir: string): Promise<Record<string, Uint8Array>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [basename(BUNDLE_FILE, '.mjs')]: join(source, ENTRY_FILE) },
    outdir: bundleDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: FUNCTION_CHUNK_NAMES,
    // A dynamic import() becomes a chunk loaded when it runs, not code evaluated at every cold start.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Prefer the AWS SDK's ES module builds: they tree-shake far better than its CommonJS ones.
    mainFields: ['module', 'main'],
    plugins: [HTTP_AS_IS],
    minify: true,
    sourcemap: 'linked',
    // Line mappings are all Node's --enable-source-maps needs; the sources would triple the map.
    sourcesContent: false,
    logLevel: 'silent',
    write: false,
  });
  const files: Record<string, Uint8Array> = {};
  for (const output of result.outputFiles) files[basename(output.path)] = output.contents;
  if (!files[BUNDLE_FILE] || !files[MAP_FILE]) {
    throw new BuildError(`esbuild wrote no ${BUNDLE_FILE} and ${MAP_FILE} for ${source}`);
  }
  if (Object.entries(files).some(([file, contents]) => file.endsWith('.mjs') && Buffer.from(contents).includes(DYNAMIC_REQUIRE_SHIM))) {
    throw new BuildError(
      `${source} bundles a CommonJS dependency that calls require(), which fails in an ES module: ` +
        'give esbuild a createRequire banner',
    );
  }
  return files;
}

export interface BuildOptions {
  root?: string;
  outDir?: string;
  /** The application whose functions are built; the repository's by default. */
  app?: Application;
}

/**
 * Bundles and zips one function, replacing its previous outputs. Its source is the
 * description's, or functions/<name> for a function the description does not hold.
 */
export async function buildFunction(name: string, options: BuildOptions = {}): Promise<FunctionBuild> {
  const root = options.root ?? ROOT;
  const source = (options.app ?? APP).functions.find((fn) => fn.name === name)?.source ?? join(FUNCTIONS_DIR, name);
  const paths = functionPaths(name, resolve(root, options.outDir ?? DIST_DIR));
  const files = await bundle(root, source, paths.bundleDir);
  const zip = deterministicZip(files);
  rmSync(paths.bundleDir, { recursive: true, force: true });
  mkdirSync(paths.bundleDir, { recursive: true });
  for (const [file, contents] of Object.entries(files)) writeFileSync(join(paths.bundleDir, file), contents);
  writeFileSync(paths.zipFile, zip);
  return {
    name,
    ...paths,
    bundleBytes: files[BUNDLE_FILE]!.byteLength,
    mapBytes: files[MAP_FILE]!.byteLength,
    chunkBytes: Object.entries(files).reduce((sum, [file, contents]) => (file !== BUNDLE_FILE && file.endsWith('.mjs') ? sum + contents.byteLength : sum), 0),
    zipBytes: zip.byteLength,
    zipSha256: createHash('sha256').update(zip).digest('base64'),
  };
}

export const LOCAL_CLI = {
  entry: 'local/cli/start.ts',
  outfile: join(DIST_DIR, 'local-cli.mjs'),
  reportWorker: 'local/cli/report-worker.ts',
  lambdaSandbox: 'local/services/lambda-sandbox.ts',
};

/** `make test-state`'s, `make serve`'s and `make run TARGET=local`'s commands, bundled with the CLI (sharing its chunks). */
export const TEST_STATE_CLI = { entry: 'local/api/test-state-start.ts', outfile: join(DIST_DIR, 'local-test-state.mjs') };
export const SERVE_CLI = { entry: 'local/api/serve-start.ts', outfile: join(DIST_DIR, 'local-serve.mjs') };
export const RUN_LOCAL_CLI = { entry: 'scripts/run-on-local-endpoint-start.ts', outfile: join(DIST_DIR, 'local-run.mjs') };

/** The CLI's chunks, beside its entry: `local-cli-<hash>.mjs`, each with its source map. */
const CLI_CHUNK = /^local-cli-[A-Z0-9]+\.mjs(\.map)?$/;

// A bundled CommonJS module (local-aws-sqs, dynalite) requires Node's own modules through
// `require`, which an ES module lacks.
const CLI_REQUIRE_BANNER = "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);";

/**
 * dynalite requires each action's module by name (`require('./actions/' + action)`). esbuild
 * bundles every file that pattern can reach, under its name with `.js`: the plugin adds the
 * extension to the two requires, and fails the build if dynalite no longer has them.
 */
const DYNALITE_ACTIONS: Plugin = {
  name: 'dynalite-actions',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]node_modules[\\/]dynalite[\\/]index\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const folder of ['actions', 'validations']) {
        const call = `require('./${folder}/' + action)`;
        if (!contents.includes(call)) throw new BuildError(`${args.path} no longer has ${call}: see DYNALITE_ACTIONS in scripts/build.ts`);
        contents = contents.replace(call, `require('./${folder}/' + action + '.js')`);
      }
      return { contents, loader: 'js' };
    });
  },
};

/**
 * dynalite requires `level`, a LevelDB database on disk behind a native binding, for its `path`
 * option, which the offline runtime never gives (its data lives in dynalite-store.ts). The
 * bundle carries a stand-in that refuses to open one, rather than loading the binding and its
 * thirty files at every start.
 */
const NO_LEVELDB: Plugin = {
  name: 'no-leveldb',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^level$/ }, (args) => ({ path: args.path, namespace: 'no-leveldb' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'no-leveldb' }, () => ({
      contents:
        "class LevelDbUnavailable extends Error { name = 'LevelDbUnavailable'; }\n" +
        "exports.Level = class Level { constructor() { throw new LevelDbUnavailable('dynalite on disk (its path option) is not part of the offline runtime'); } };",
      loader: 'js',
    }));
  },
};

/**
 * Bundles the offline runtime's CLI: its entry dist/local-cli.mjs, the entries of the HTML report's
 * thread (dist/local-cli-report.mjs, report-writer.ts) and of a Lambda container's
 * (dist/local-cli-lambda.mjs, lambda-container.ts), and the chunks they load when a run needs
 * them (the report's renderer, the kept endpoint, s3rver at the first S3 request). Start-up is
 * most of a short run, so the npm packages are bundled in too, from their ES module builds: Node
 * then reads a few files instead of resolving and compiling hundreds (and lexing the AWS SDK's
 * CommonJS for its exports). jsonata and re2js, one file each, stay in node_modules, loaded with
 * require() at the first JSONata expression and pattern (engine/jsonata/library.ts,
 * engine/patterns.ts).
 * Every file sits one folder below the root, as its sources do, so paths resolved from
 * import.meta.url stay the same.
 */
async function buildLocalCli(root: string = ROOT): Promise<{ file: string; bytes: number; chunks: number }> {
  const outdir = join(root, DIST_DIR);
  mkdirSync(outdir, { recursive: true });
  // Chunk names change with their contents: the previous build's would pile up.
  for (const name of readdirSync(outdir).filter((file) => CLI_CHUNK.test(file))) rmSync(join(outdir, name));
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      [basename(LOCAL_CLI.outfile, '.mjs')]: LOCAL_CLI.entry,
      [REPORT_WORKER_BUNDLE]: LOCAL_CLI.reportWorker,
      [LAMBDA_SANDBOX_BUNDLE]: LOCAL_CLI.lambdaSandbox,
      [basename(TEST_STATE_CLI.outfile, '.mjs')]: TEST_STATE_CLI.entry,
      [basename(SERVE_CLI.outfile, '.mjs')]: SERVE_CLI.entry,
      [basename(RUN_LOCAL_CLI.outfile, '.mjs')]: RUN_LOCAL_CLI.entry,
    },
    outdir: DIST_DIR,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'local-cli-[hash]',
    bundle: true,
    splitting: true,
    mainFields: ['module', 'main'],
    platform: 'node',
    format: 'esm',
    target: 'node22',
    banner: { js: CLI_REQUIRE_BANNER },
    plugins: [HTTP_AS_IS, DYNALITE_ACTIONS, NO_LEVELDB],
    sourcemap: 'linked',
    logLevel: 'silent',
    metafile: true,
  });
  const output = result.metafile.outputs[LOCAL_CLI.outfile];
  if (!output) throw new BuildError(`esbuild wrote no ${LOCAL_CLI.outfile}`);
  const chunks = Object.keys(result.metafile.outputs).filter((file) => CLI_CHUNK.test(basename(file)) && !file.endsWith('.map'));
  return { file: join(root, LOCAL_CLI.outfile), bytes: output.bytes, chunks: chunks.length };
}

/** The folders under functions/ no function of the description builds: code that would never be deployed. */
export function strayFunctions(root: string = ROOT, app: Application = APP): string[] {
  const described = new Set(app.functions.map((fn) => fn.source));
  return listFunctions(root)
    .map((name) => join(FUNCTIONS_DIR, name))
    .filter((source) => !described.has(source));
}

/** Builds every function of the description. */
export async function buildAll(options: BuildOptions = {}): Promise<FunctionBuild[]> {
  const root = options.root ?? ROOT;
  const app = options.app ?? APP;
  if (app.functions.length === 0) throw new BuildError('the application describes no function');
  const missing = app.functions.filter((fn) => !existsSync(join(root, fn.source, ENTRY_FILE)));
  if (missing.length > 0) throw new BuildError(`no ${missing.map((fn) => join(fn.source, ENTRY_FILE)).join(', ')} under ${root}`);
  return Promise.all(app.functions.map((fn) => buildFunction(fn.name, options)));
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const started = performance.now();
  for (const source of strayFunctions()) {
    console.error(`warning: ${source} is built by no function of workflow/app.ts, so it is never deployed`);
  }
  const [builds, cli] = await Promise.all([buildAll(), buildLocalCli()]);
  for (const built of builds) {
    console.log(
      `${relative(ROOT, built.bundleFile)}  ${kib(built.bundleBytes)} (map ${kib(built.mapBytes)}; chunks ${kib(built.chunkBytes)})  ->  ` +
        `${relative(ROOT, built.zipFile)}  ${kib(built.zipBytes)}  filebase64sha256 ${built.zipSha256}`,
    );
  }
  console.log(`${relative(ROOT, cli.file)}  ${kib(cli.bytes)}, and ${cli.chunks} chunk(s) it loads`);
  console.log(`built ${builds.length} function(s) and the local CLI in ${Math.round(performance.now() - started)} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}

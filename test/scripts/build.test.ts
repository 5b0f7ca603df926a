import { APP } from '../../workflow/app.ts';
import { bundlePaths } from '../../workflow/names.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { SEED_FUNCTION } from '../../workflow/transfer-records.ts';
import { buildAll, buildFunction, BuildError, deterministicZip, functionPaths, listFunctions, strayFunctions } from '../../scripts/build.ts';
import { rejection } from '../helpers.ts';

interface ZipEntry {
  name: string;
  os: number;
  unixMode: number;
  dosDate: number;
  dosTime: number;
}

// Reads the zip's central directory (PKWARE APPNOTE 4.3.12, 4.3.16): what Lambda's unzip sees.
function zipEntries(zip: Uint8Array): ZipEntry[] {
  const view = Buffer.from(zip);
  const end = view.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = view.readUInt16LE(end + 10);
  let offset = view.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const nameLength = view.readUInt16LE(offset + 28);
    entries.push({
      name: view.toString('utf8', offset + 46, offset + 46 + nameLength),
      os: view.readUInt8(offset + 5),
      unixMode: view.readUInt32LE(offset + 38) >>> 16,
      dosTime: view.readUInt16LE(offset + 12),
      dosDate: view.readUInt16LE(offset + 14),
    });
    offset += 46 + nameLength + view.readUInt16LE(offset + 30) + view.readUInt16LE(offset + 32);
  }
  return entries;
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('scripts/build', () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'build-test-'));
  });

  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('puts the seed function where the stack and the offline runtime look for it', () => {
    expect(functionPaths('seed')).to.deep.equal({
      bundleDir: bundlePaths('seed').bundleDir,
      bundleFile: bundlePaths('seed').bundleFile,
      zipFile: bundlePaths('seed').zipFile,
    });
  });

  it('finds every folder under functions/ that has an index.ts', () => {
    writeFiles(scratch, {
      'functions/b/index.ts': '',
      'functions/a/index.ts': '',
      'functions/notes/README.md': '',
      'functions/loose.ts': '',
    });
    expect(listFunctions(scratch)).to.deep.equal(['a', 'b']);
    expect(listFunctions()).to.include('seed');
  });

  it('zips the same files into the same bytes, dated 1980-01-01 and readable by everyone', () => {
    const files = { 'index.mjs': Buffer.from('export const handler = 1;'), 'index.mjs.map': Buffer.from('{}') };
    const zip = deterministicZip(files);
    expect(Buffer.from(deterministicZip({ 'index.mjs.map': files['index.mjs.map'], 'index.mjs': files['index.mjs'] })).equals(zip)).to.equal(true);
    const dosDate1980January1 = (1 << 5) | 1;
    expect(zipEntries(zip)).to.deep.equal(
      ['index.mjs', 'index.mjs.map'].map((name) => ({ name, os: 3, unixMode: 0o100644, dosDate: dosDate1980January1, dosTime: 0 })),
    );
    expect(Buffer.from(unzipSync(zip)['index.mjs']!).toString()).to.equal('export const handler = 1;');
  });

  it('builds the seed function into the same zip twice, with a bundle that exports handler', async () => {
    const first = await buildFunction('seed', { outDir: scratch });
    const firstZip = readFileSync(first.zipFile);
    const second = await buildFunction('seed', { outDir: scratch });
    expect(readFileSync(second.zipFile).equals(firstZip)).to.equal(true);
    expect(second.zipSha256).to.equal(first.zipSha256);
    expect(second).to.include({
      bundleFile: join(scratch, 'seed', 'index.mjs'),
      zipFile: join(scratch, 'seed.zip'),
      bundleBytes: readFileSync(second.bundleFile).byteLength,
      zipBytes: firstZip.byteLength,
    });
    const bundled = (await import(pathToFileURL(second.bundleFile).href)) as { handler?: unknown };
    expect(bundled.handler).to.be.a('function');
    expect(readFileSync(second.bundleFile, 'utf8')).to.match(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  });

  it('builds every function of the description, from its source, and removes its stale outputs', async () => {
    writeFiles(scratch, {
      'functions/hello/index.ts': "import { greet } from './greet.ts';\nexport const handler = async () => greet('world');\n",
      'functions/hello/greet.ts': 'export const greet = (name: string): string => `hello ${name}`;\n',
      'dist/hello/stale.js': 'old',
    });
    const app = { ...APP, functions: [{ ...SEED_FUNCTION, name: 'hello', source: 'functions/hello' }] };
    const [built, ...others] = await buildAll({ root: scratch, app });
    expect(others).to.deep.equal([]);
    expect(built).to.include({ name: 'hello', bundleFile: join(scratch, 'dist', 'hello', 'index.mjs') });
    expect(existsSync(join(scratch, 'dist', 'hello', 'stale.js'))).to.equal(false);
    const bundled = (await import(pathToFileURL(built!.bundleFile).href)) as { handler: () => Promise<string> };
    expect(await bundled.handler()).to.equal('hello world');
  });

  it('refuses a bundle whose CommonJS code would call require() in an ES module', async () => {
    writeFiles(scratch, {
      'functions/legacy/index.ts': "import exists from './lib.cjs';\nexport const handler = async () => exists('/');\n",
      'functions/legacy/lib.cjs': "module.exports = require('node:fs').existsSync;\n",
    });
    const error = await rejection(buildFunction('legacy', { root: scratch }));
    expect(error).to.be.instanceOf(BuildError);
    expect(error.message).to.contain('functions/legacy').and.contain('require()');
  });

  it('names each folder under functions/ that no function of the description builds', () => {
    writeFiles(scratch, { 'functions/seed/index.ts': '', 'functions/orphan/index.ts': '' });
    expect(strayFunctions(scratch)).to.deep.equal(['functions/orphan']);
    expect(strayFunctions()).to.deep.equal([]);
  });

  it('fails when there is no function to build', async () => {
    const error = await rejection(buildAll({ root: scratch }));
    expect(error).to.be.instanceOf(BuildError);
  });
});

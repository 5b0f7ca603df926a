import { APP } from '../../workflow/app.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { InvalidDefinition } from '../../viz/dot.ts';
import { InvalidArguments, main, parseArguments, staleDiagrams, writeDiagrams } from '../../viz/diagram-cli.ts';

const run = promisify(execFile);

describe('viz/diagram-cli', () => {
  let dir: string;
  let aslDir: string;
  let outDir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'diagram-cli-'));
    aslDir = join(dir, 'asl');
    outDir = join(dir, 'docs');
    await mkdir(aslDir);
    await copyFile(TRANSFER_RECORDS.definition, join(aslDir, 'transfer-records.asl.json'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the committed docs/ SVGs in step with each workflow's ASL", async () => {
    expect(await staleDiagrams({ outDir: 'docs' })).to.deep.equal([]);
  });

  it('renders every workflow of the description and nothing else', async () => {
    const second = { ...TRANSFER_RECORDS, name: 'second', definition: join(aslDir, 'second.asl.json') };
    await copyFile(TRANSFER_RECORDS.definition, second.definition);
    const written = await writeDiagrams({ outDir, app: { ...APP, workflows: [TRANSFER_RECORDS, second] } });
    expect(written.map((diagram) => diagram.svgPath).sort()).to.deep.equal(
      [join(outDir, 'second.svg'), join(outDir, 'transfer-records.svg')],
    );
  });

  it('writes docs/<name>.svg for each ASL file', async () => {
    const written = await writeDiagrams({ aslDir, outDir });
    expect(written.map((diagram) => diagram.svgPath)).to.deep.equal([join(outDir, 'transfer-records.svg')]);
    expect(await readdir(outDir)).to.deep.equal(['transfer-records.svg']);
    expect(await readFile(join(outDir, 'transfer-records.svg'), 'utf8')).to.contain('Seed the DynamoDB Table');
  });

  it('finds an SVG stale once its ASL changes, and a missing SVG stale too', async () => {
    await writeDiagrams({ aslDir, outDir });
    expect(await staleDiagrams({ aslDir, outDir })).to.deep.equal([]);
    const asl = join(aslDir, 'transfer-records.asl.json');
    await writeFile(asl, (await readFile(asl, 'utf8')).replaceAll('"Pop Element from List"', '"Drop the First Entry"'));
    await copyFile(TRANSFER_RECORDS.definition, join(aslDir, 'second.asl.json'));
    expect(await staleDiagrams({ aslDir, outDir })).to.deep.equal([join(outDir, 'second.svg'), join(outDir, 'transfer-records.svg')]);
  });

  it('--check exits 1 naming the stale SVG, and writes nothing', async () => {
    await writeDiagrams({ aslDir, outDir });
    const svg = join(outDir, 'transfer-records.svg');
    await writeFile(svg, (await readFile(svg, 'utf8')).replace('Reject Invalid Input', 'Something Else'));
    const before = await readFile(svg, 'utf8');
    const lines: string[] = [];
    expect(await main(['--check', '--asl-dir', aslDir, '--out-dir', outDir], (line) => lines.push(line))).to.equal(1);
    expect(lines).to.deep.equal([`${svg} is stale: it no longer matches its ASL. Run \`make diagram\` and commit it.`]);
    expect(await readFile(svg, 'utf8')).to.equal(before);
  });

  it('exits non-zero from the command line when an SVG is stale', async () => {
    await writeDiagrams({ aslDir, outDir });
    await writeFile(join(outDir, 'transfer-records.svg'), '<svg/>');
    const failure = await run(process.execPath, ['--import', 'tsx', 'viz/diagram-cli.ts', '--check', '--asl-dir', aslDir, '--out-dir', outDir]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stdout).to.contain(`${join(outDir, 'transfer-records.svg')} is stale`);
  });

  it('writes nothing when one ASL file cannot be drawn, and names it', async () => {
    await writeFile(join(aslDir, 'broken.asl.json'), '{ "StartAt": "A", "States": {');
    const error = await writeDiagrams({ aslDir, outDir }).catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(InvalidDefinition);
    expect((error as Error).message).to.contain(join(aslDir, 'broken.asl.json'));
    expect(await readdir(dir)).to.deep.equal(['asl']);
  });

  it('rejects bad arguments and an empty ASL folder with InvalidArguments', async () => {
    expect(() => parseArguments(['--out-dir'])).to.throw(InvalidArguments, '--out-dir needs a directory');
    expect(() => parseArguments(['docs'])).to.throw(InvalidArguments, 'unknown argument "docs"');
    expect(parseArguments([])).to.deep.equal({ outDir: 'docs', check: false });
    await mkdir(outDir);
    expect(await writeDiagrams({ aslDir: outDir, outDir }).catch((caught: Error) => caught.name)).to.equal('InvalidArguments');
  });

  it('refuses an ASL folder that does not exist with InvalidArguments, naming it', async () => {
    const absent = join(dir, 'absent');
    const error = await writeDiagrams({ aslDir: absent, outDir }).catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(InvalidArguments);
    expect((error as Error).message).to.contain(`cannot read the ASL folder ${absent}`);
  });
});

// The deployed artifact itself: dist/seed/index.mjs and its chunks as `make build` (run first by
// `npm test`) writes them, run against an in-process DynamoDB emulator.
import { bundlePaths } from '../../../workflow/names.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { TABLE } from '../../../workflow/transfer-records.ts';
import type { SeedHandler } from '../../../functions/seed/index.ts';
import { rejection } from '../../helpers.ts';

// dynalite ships no type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = `${ROOT}${bundlePaths('seed').bundleFile}`;
const BUNDLE_DIR = `${ROOT}${bundlePaths('seed').bundleDir}`;
// The schemas' namespaces, which each client's code spells out.
const S3_NAMESPACE = 'com.amazonaws.s3';
const DYNAMODB_NAMESPACE = 'com.amazonaws.dynamodb';
const ZIP = `${ROOT}${bundlePaths('seed').zipFile}`;
const TABLE_NAME = 'bundle-test-table';
const ENV = {
  TABLE_NAME,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: '',
};
const CONTEXT = { awsRequestId: 'bundle-test-request' };
const TABLE_DEFINITION = {
  TableName: TABLE_NAME,
  KeySchema: [{ AttributeName: TABLE.hashKey, KeyType: 'HASH' as const }],
  AttributeDefinitions: TABLE.attributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
  BillingMode: TABLE.billingMode,
};
// Lambda sets none of these: a host's profile (missing, or an expired SSO session) must not reach the bundle's SDK.
const HOST_PROFILE = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

describe('seed bundle (dist/seed/index.mjs)', () => {
  let server: Server;
  let dynamodb: DynamoDBClient;
  let saved: Record<string, string | undefined>;
  let bundled: { handler?: unknown };

  before(async function () {
    if (!existsSync(BUNDLE)) throw new Error(`${bundlePaths('seed').bundleFile} is missing: run \`npm run build\` (npm test does)`);
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    saved = Object.fromEntries([...Object.keys(ENV), ...HOST_PROFILE].map((key) => [key, process.env[key]]));
    for (const key of HOST_PROFILE) delete process.env[key];
    Object.assign(process.env, { ...ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint });
    dynamodb = new DynamoDBClient({ endpoint });
    await dynamodb.send(new CreateTableCommand(TABLE_DEFINITION));
    // A query of its own gives this suite a fresh module, whose client reads the environment above.
    bundled = (await import(`${pathToFileURL(BUNDLE).href}?bundle-test`)) as { handler?: unknown };
  });

  after(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    dynamodb?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function tableItems(): Promise<{ id: string; body: string }[]> {
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true }));
    return Items.map((item) => ({ id: item[TABLE.hashKey]?.S ?? '', body: item[TABLE.messageAttribute]?.S ?? '' }));
  }

  it('exports a handler function', () => {
    expect(bundled.handler).to.be.a('function');
  });

  it('rejects bad input with an error named InvalidInput and writes nothing', async () => {
    const handler = bundled.handler as SeedHandler;
    const error = await rejection(handler({ input: { count: 0 } }, CONTEXT));
    expect(error).to.have.property('name', 'InvalidInput');
    expect(await tableItems()).to.deep.equal([]);
  });

  it('seeds the table through the endpoint in the environment and returns the ids then DONE', async () => {
    const handler = bundled.handler as SeedHandler;
    const result = await handler({ input: { count: 30 }, executionId: 'bundle-test-execution' }, CONTEXT);
    const items = await tableItems();
    expect(result).to.have.length(31);
    expect(result.at(-1)).to.equal('DONE');
    expect(items.map((item) => item.id).sort()).to.deep.equal(result.slice(0, -1).sort());
    expect(items.every((item) => item.body.length > 0)).to.equal(true);
  });

  it("keeps a container's client in the entry: a container started after the endpoint moved writes there, sharing the chunks", async () => {
    // A second emulator; the offline runtime starts a container as a module instance of the entry.
    const other = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const otherClient = new DynamoDBClient({ endpoint });
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    try {
      await otherClient.send(new CreateTableCommand(TABLE_DEFINITION));
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      const second = (await import(`${pathToFileURL(BUNDLE).href}?bundle-test-second-container`)) as { handler: SeedHandler };
      const [first] = await second.handler({ input: { count: 1 }, executionId: 'bundle-test-second' }, CONTEXT);
      const { Items = [] } = await otherClient.send(new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true }));
      expect(Items.map((item) => item[TABLE.hashKey]?.S)).to.deep.equal([first]);
      expect((await tableItems()).map((item) => item.id)).to.not.include(first);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
      otherClient.destroy();
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("loads cold without undici: Node's HTTP modules come as they are, not through their ES module facades", () => {
    // An ES module import of node:http reads every export, WebSocket's included, which loads undici.
    const undiciAfter = (specifier: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)}); console.log(process.moduleLoadList.some((name) => name.includes('undici')))`], {
        encoding: 'utf8',
      }).stdout.trim();
    expect(undiciAfter('node:http')).to.equal('true');
    expect(undiciAfter(pathToFileURL(BUNDLE).href)).to.equal('false');
  });

  it('is what the zip holds: the bundle and its chunks, each beside its source map', () => {
    const files = unzipSync(readFileSync(ZIP));
    const names = readdirSync(BUNDLE_DIR).sort();
    expect(Object.keys(files).sort()).to.deep.equal(names);
    expect(names).to.include.members(['index.mjs', 'index.mjs.map']);
    for (const name of names) {
      expect(Buffer.from(files[name]!).equals(readFileSync(join(BUNDLE_DIR, name))), name).to.equal(true);
      if (name.endsWith('.mjs')) expect(names, name).to.include(`${name}.map`);
    }
  });

  it("loads the S3 client only for the at-scale mode: a classic cold start does not evaluate its chunks", () => {
    // The files a cold start evaluates: the bundle and the chunks it imports statically, in turn.
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      const text = readFileSync(join(BUNDLE_DIR, name), 'utf8');
      for (const [, chunk] of text.matchAll(/(?:^|[;}\s])(?:import|export)(?:[^;'"()]*?from)?\s*["']\.\/([\w-]+\.mjs)["']/g)) visit(chunk!);
    };
    visit('index.mjs');
    const all = readdirSync(BUNDLE_DIR).filter((name) => name.endsWith('.mjs'));
    const holdsS3 = (name: string) => readFileSync(join(BUNDLE_DIR, name), 'utf8').includes(S3_NAMESPACE);
    expect(all.filter(holdsS3), 'some chunk holds the S3 client').to.not.be.empty;
    expect([...loaded].filter(holdsS3)).to.deep.equal([]);
    expect([...loaded].some((name) => readFileSync(join(BUNDLE_DIR, name), 'utf8').includes(DYNAMODB_NAMESPACE)), 'the DynamoDB client loads').to.equal(true);
  });
});

import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import type { PolicyStatement } from '../../../workflow/permissions.ts';
import type { LocalResources } from '../../../local/contracts.ts';
import type { CallContext } from '../../../local/bridge/context.ts';
import type { MapRunExecution } from '../../../engine/index.ts';
import { s3ItemReader, s3ListReader, s3Permission, s3ResultWriter } from '../../../local/bridge/s3.ts';
import { InvalidWriterConfig } from '../../../local/bridge/s3-objects.ts';
import { startS3Emulator, type S3Emulator } from '../../../local/services/s3-emulator.ts';
import { createAtScaleHandler } from '../../../functions/seed/at-scale-handler.ts';
import { KEY_LIST_PART_BYTES } from '../../../functions/seed/at-scale-limits.ts';
import { rejection } from '../../helpers.ts';
import { sessionToken } from '../../../local/services/iam.ts';
import { s3RequestPermission } from '../../../local/services/s3-door.ts';

const BUCKET = 'at-scale-test-bucket';
const ACCOUNT = '000000000000';
const MAP_RUN_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:mapRun:transfer-records-at-scale/SendEveryRecord:0b7c3a52-run`;

function allow(actions: string[], resources: string[]): PolicyStatement[] {
  return [{ Sid: 'Granted', Effect: 'Allow', Action: actions, Resource: resources }];
}

describe('local/bridge S3: the ItemReader and ResultWriter against the S3 emulator', () => {
  let emulator: S3Emulator;
  let client: S3Client;
  let faults: [string, string][];

  const context = (policy: PolicyStatement[]): CallContext => ({
    resources: { region: 'us-east-1', accountId: ACCOUNT } as LocalResources,
    policy,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/at-scale-role/at-scale`,
    injectFault: (service, action) => {
      faults.push([service, action]);
    },
  });
  const text = async (key: string) =>
    (await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString('utf8'));

  before(async () => {
    emulator = await startS3Emulator([BUCKET]);
    client = new S3Client({ region: 'us-east-1', endpoint: emulator.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'key-lists/run.jsonl', Body: '{"MessageId":"a-0001"}\n{"MessageId":"a-0002"}\n\n' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lists/run.json', Body: '[1, {"two": 2}]' }));
  });

  beforeEach(() => {
    faults = [];
  });

  after(async () => {
    client.destroy();
    await emulator.stop();
  });

  describe('ItemReader (arn:aws:states:::s3:getObject)', () => {
    const reader = (policy = allow(['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/key-lists/*`, `arn:aws:s3:::${BUCKET}/lists/*`])) =>
      s3ItemReader(client, context(policy));

    it('reads a JSONL object into one item per line, blank lines skipped', async () => {
      const items = await reader()({ Bucket: BUCKET, Key: 'key-lists/run.jsonl', ReaderConfig: { InputType: 'JSONL' } });
      expect(items).to.deep.equal([{ MessageId: 'a-0001' }, { MessageId: 'a-0002' }]);
      expect(faults).to.deep.equal([['s3', 'getObject']]);
    });

    it('reads a JSON array object into its elements', async () => {
      expect(await reader()({ Bucket: BUCKET, Key: 'lists/run.json', ReaderConfig: { InputType: 'JSON' } })).to.deep.equal([1, { two: 2 }]);
    });

    it('fails as S3.AmazonS3Exception, the code NoSuchKey and status 404 in the cause, for a missing object', async () => {
      const error = await rejection(reader()({ Bucket: BUCKET, Key: 'key-lists/absent.jsonl', ReaderConfig: { InputType: 'JSONL' } }));
      expect(error.name).to.equal('S3.AmazonS3Exception');
      expect(error.message).to.match(/\(Service: Amazon S3; Status Code: 404; Error Code: NoSuchKey; Request ID: .+; Proxy: null\)$/);
    });

    it('refuses an object outside the role\'s grant with AccessDenied, before reaching the emulator', async () => {
      const error = await rejection(
        reader(allow(['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/lists/*`]))({ Bucket: BUCKET, Key: 'key-lists/run.jsonl', ReaderConfig: { InputType: 'JSONL' } }),
      );
      expect(error.name).to.equal('S3.AmazonS3Exception');
      expect(error.message).to.include('s3:GetObject');
      expect(error.message).to.include(`arn:aws:s3:::${BUCKET}/key-lists/run.jsonl`);
      expect(error.message).to.match(/Status Code: 403; Error Code: AccessDenied/);
      expect(faults).to.deep.equal([]);
    });

    it('names a line that is not JSON', async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'key-lists/bad.jsonl', Body: '{"MessageId":"a"}\nnot json\n' }));
      const error = await rejection(reader()({ Bucket: BUCKET, Key: 'key-lists/bad.jsonl', ReaderConfig: { InputType: 'JSONL' } }));
      expect(error.message).to.equal(`Line 2 of s3://${BUCKET}/key-lists/bad.jsonl is not valid JSON.`);
    });

    it('fails with States.ItemReaderFailed for a ReaderConfig it does not read (PARQUET)', async () => {
      const error = await rejection(reader()({ Bucket: BUCKET, Key: 'lists/run.json', ReaderConfig: { InputType: 'PARQUET' } }));
      expect(error.name).to.equal('States.ItemReaderFailed');
      expect(error.message).to.include('PARQUET is not read offline');
    });
  });

  describe('ItemReader: CSV and S3 inventory objects', () => {
    const reader = () => s3ItemReader(client, context(allow(['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/data/*`])));

    it('reads a CSV object with its CSVDelimiter, the header from its first row or the definition', async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/ratings.csv', Body: 'userId;rating\n1;3.5\n2;"4;5"\n' }));
      const params = { Bucket: BUCKET, Key: 'data/ratings.csv' };
      expect(await reader()({ ...params, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'SEMICOLON' } })).to.deep.equal([
        { userId: '1', rating: '3.5' },
        { userId: '2', rating: '4;5' },
      ]);
      const given = await reader()({ ...params, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['u', 'r'], CSVDelimiter: 'SEMICOLON' } });
      expect(given).to.have.length(3);
      expect((given as unknown[])[0]).to.deep.equal({ u: 'userId', r: 'rating' });
    });

    it('reads an S3 inventory: its manifest.json, then each gzipped CSV file it lists, each checked against the role', async () => {
      const manifest = {
        sourceBucket: 'source-bucket',
        destinationBucket: `arn:aws:s3:::${BUCKET}`,
        fileFormat: 'CSV',
        fileSchema: 'Bucket, Key, Size',
        files: [{ key: 'data/inventory/a.csv.gz' }, { key: 'inventory-elsewhere/b.csv.gz' }],
      };
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/inventory/manifest.json', Body: JSON.stringify(manifest) }));
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/inventory/a.csv.gz', Body: gzipSync('"source-bucket","x/1.csv","10"\n"source-bucket","x/2.csv","20"\n') }));
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inventory-elsewhere/b.csv.gz', Body: gzipSync('"source-bucket","x/3.csv","30"\n') }));
      const params = { Bucket: BUCKET, Key: 'data/inventory/manifest.json', ReaderConfig: { InputType: 'MANIFEST' } };
      // The role reads data/* only: the second file is refused, naming it.
      const denied = await rejection(reader()(params));
      expect(denied.message).to.include(`arn:aws:s3:::${BUCKET}/inventory-elsewhere/b.csv.gz`);
      const items = await s3ItemReader(client, context(allow(['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/*`])))(params);
      expect(items).to.deep.equal([
        { Bucket: 'source-bucket', Key: 'x/1.csv', Size: '10' },
        { Bucket: 'source-bucket', Key: 'x/2.csv', Size: '20' },
        { Bucket: 'source-bucket', Key: 'x/3.csv', Size: '30' },
      ]);
    });
  });

  describe('ItemReader (arn:aws:states:::s3:listObjectsV2)', () => {
    const listing = (policy = allow(['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`])) => s3ListReader(client, context(policy));

    it('lists every object under the Prefix, each as AWS hands it to a child', async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'listed/file_0.txt', Body: '0HelloWorld!' }));
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'listed/file_1.txt', Body: '1HelloWorld!' }));
      const items = (await listing()({ Bucket: BUCKET, Prefix: 'listed/' })) as Record<string, unknown>[];
      expect(items.map((item) => Object.keys(item).sort())).to.deep.equal([
        ['Etag', 'Key', 'LastModified', 'Size', 'StorageClass'],
        ['Etag', 'Key', 'LastModified', 'Size', 'StorageClass'],
      ]);
      expect(items.map(({ Key, Size, StorageClass }) => ({ Key, Size, StorageClass }))).to.deep.equal([
        { Key: 'listed/file_0.txt', Size: 12, StorageClass: 'STANDARD' },
        { Key: 'listed/file_1.txt', Size: 12, StorageClass: 'STANDARD' },
      ]);
      expect(items[0]!.Etag).to.match(/^"[0-9a-f]{32}"$/);
      expect(Math.abs((items[0]!.LastModified as number) - Date.now() / 1000)).to.be.below(600);
      expect(faults).to.deep.equal([['s3', 'listObjectsV2']]);
    });

    it('lists past the first page of 1,000 objects (S3 pages its listing), in the order of their keys', async function () {
      this.timeout(60_000);
      const keys = Array.from({ length: 1_001 }, (_, i) => `paged/${String(1_000 - i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }))));
      }
      const items = (await listing()({ Bucket: BUCKET, Prefix: 'paged/' })) as { Key: string }[];
      expect(items.map((item) => item.Key)).to.deep.equal([...keys].sort());
    });

    it('refuses a bucket the role may not list with AccessDenied on s3:ListBucket', async () => {
      const error = await rejection(listing(allow(['s3:ListBucket'], ['arn:aws:s3:::another-bucket']))({ Bucket: BUCKET }));
      expect(error.name).to.equal('S3.AmazonS3Exception');
      expect(error.message).to.include(`s3:ListBucket on resource: arn:aws:s3:::${BUCKET}`);
      expect(faults).to.deep.equal([]);
    });

    it('fails as S3.AmazonS3Exception with NoSuchBucket for a bucket that does not exist', async () => {
      const error = await rejection(listing(allow(['s3:ListBucket'], ['*']))({ Bucket: 'no-such-bucket' }));
      expect(error.message).to.match(/Error Code: NoSuchBucket/);
    });
  });

  describe('ResultWriter (arn:aws:states:::s3:putObject)', () => {
    const MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:transfer-records-at-scale/SendEveryRecord`;
    const at = (seconds: number) => new Date(Date.UTC(2026, 10, 29, 12, 0, seconds));
    const child = (index: number, status: MapRunExecution['status'], outcome: Partial<MapRunExecution>): MapRunExecution => ({
      index,
      executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:transfer-records-at-scale/SendEveryRecord:c${index}`,
      name: `c${index}`,
      status,
      startDate: at(index),
      stopDate: at(index + 1),
      inputBytes: 0,
      items: 1,
      input: JSON.stringify({ Items: [{ MessageId: `k${index}` }] }),
      eventCount: 0,
      stateTransitions: 0,
      ...outcome,
    });
    const executions = [
      child(0, 'SUCCEEDED', { output: { Sent: [1] } }),
      child(1, 'FAILED', { error: 'MessagesNotSent', cause: 'left 1 message(s) unsent' }),
      child(2, 'SUCCEEDED', { output: { Sent: [2, 3] } }),
      child(3, 'TIMED_OUT', { error: 'States.Timeout' }),
    ];
    const params = (Prefix: string, extra: Record<string, unknown> = {}) => ({ Bucket: BUCKET, Prefix, MapRunArn: MAP_RUN_ARN, StateMachineArn: MACHINE_ARN, Executions: executions, ...extra });
    const granted = () => s3ResultWriter(client, context(allow(['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/map-run-results/*`])));

    it("writes each child as AWS does, by status, and a manifest under <Prefix>/<Map Run id>/, and returns where the manifest is", async () => {
      const output = await granted()(params('map-run-results'));
      const base = 'map-run-results/0b7c3a52-run/';
      expect(output).to.deep.equal({ MapRunArn: MAP_RUN_ARN, ResultWriterDetails: { Bucket: BUCKET, Key: `${base}manifest.json` } });
      const manifest = JSON.parse(await text(`${base}manifest.json`)) as { DestinationBucket: string; MapRunArn: string; ResultFiles: Record<string, { Key: string; Size: number }[]> };
      expect(manifest).to.deep.include({ DestinationBucket: BUCKET, MapRunArn: MAP_RUN_ARN });
      expect(manifest.ResultFiles).to.have.keys('FAILED', 'PENDING', 'SUCCEEDED');
      expect(manifest.ResultFiles.SUCCEEDED!.map((file) => file.Key)).to.deep.equal([`${base}SUCCEEDED_0.json`]);
      expect(manifest.ResultFiles.FAILED!.map((file) => file.Key)).to.deep.equal([`${base}FAILED_0.json`]);
      expect(manifest.ResultFiles.PENDING).to.deep.equal([]);
      const succeeded = JSON.parse(await text(`${base}SUCCEEDED_0.json`)) as Record<string, unknown>[];
      expect(succeeded.map((entry) => entry.Name)).to.deep.equal(['c0', 'c2']);
      expect(Object.keys(succeeded[0]!)).to.deep.equal([
        'ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', 'OutputDetails', 'RedriveCount', 'RedriveStatus', 'RedriveStatusReason', 'StartDate', 'StateMachineArn', 'Status', 'StopDate',
      ]);
      expect(succeeded[0]).to.deep.include({
        ExecutionArn: executions[0]!.executionArn,
        Input: '{"Items":[{"MessageId":"k0"}]}',
        InputDetails: { Included: true },
        Output: '{"Sent":[1]}',
        OutputDetails: { Included: true },
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
        StartDate: '2026-11-29T12:00:00.000Z',
        StateMachineArn: MACHINE_ARN,
        Status: 'SUCCEEDED',
        StopDate: '2026-11-29T12:00:01.000Z',
      });
      // A FAILED file holds every child that did not succeed, with its Error and Cause and no Output.
      const failed = JSON.parse(await text(`${base}FAILED_0.json`)) as Record<string, unknown>[];
      expect(failed.map((entry) => [entry.Name, entry.Status, entry.Error, entry.Cause])).to.deep.equal([
        ['c1', 'FAILED', 'MessagesNotSent', 'left 1 message(s) unsent'],
        ['c3', 'TIMED_OUT', 'States.Timeout', undefined],
      ]);
      expect(failed[0]).not.to.have.property('Output');
      expect(failed[0]).to.include({ RedriveStatus: 'REDRIVABLE_BY_MAP_RUN', Input: '{"Items":[{"MessageId":"k1"}]}' });
      expect(manifest.ResultFiles.SUCCEEDED![0]!.Size).to.equal(Buffer.byteLength(await text(`${base}SUCCEEDED_0.json`)));
    });

    it('follows WriterConfig: JSON Lines, and the succeeded outputs alone (COMPACT) or flattened (FLATTEN)', async () => {
      const base = 'map-run-results/0b7c3a52-run/';
      await granted()(params('map-run-results', { WriterConfig: { OutputType: 'JSONL', Transformation: 'COMPACT' } }));
      expect(await text(`${base}SUCCEEDED_0.json`)).to.equal('{"Sent":[1]}\n{"Sent":[2,3]}\n');
      // A failed child is written whole whatever the Transformation.
      expect((await text(`${base}FAILED_0.json`)).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { Name: string }).Name)).to.deep.equal(['c1', 'c3']);
      const flatten = [child(0, 'SUCCEEDED', { output: [1, 2] }), child(1, 'SUCCEEDED', { output: 3 })];
      await granted()(params('map-run-results', { Executions: flatten, WriterConfig: { Transformation: 'FLATTEN' } }));
      expect(JSON.parse(await text(`${base}SUCCEEDED_0.json`))).to.deep.equal([1, 2, 3]);
      const refused = await rejection(granted()(params('map-run-results', { WriterConfig: { OutputType: 'CSV' } })));
      expect(refused).to.be.instanceOf(InvalidWriterConfig);
    });

    it('writes nothing when the role may not write one of the objects', async () => {
      const writer = s3ResultWriter(client, context(allow(['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/elsewhere/*`])));
      const error = await rejection(writer(params('denied')));
      expect(error.message).to.match(/Error Code: AccessDenied/);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'denied/' }));
      expect(listed.KeyCount ?? 0).to.equal(0);
    });
  });

  it('reads, as items, the key list the seed function uploads in parts to the emulator', async function () {
    this.timeout(60_000);
    const count = Math.ceil((KEY_LIST_PART_BYTES * 1.2) / 29);
    const dynamodb = { send: async () => ({ UnprocessedItems: {} }) };
    const seed = createAtScaleHandler({ dynamodb, s3: client, tableName: 'any-table', sleep: async () => {} });
    const location = await seed({ input: { count }, executionId: 'run-parts', keyList: { Bucket: BUCKET, Key: 'key-lists/run-parts.jsonl' } }, { awsRequestId: 'r' });
    const items = (await s3ItemReader(client, context(allow(['s3:GetObject'], ['*'])))({ ...location, ReaderConfig: { InputType: 'JSONL' } })) as { MessageId: string }[];
    expect(items).to.have.length(count);
    expect(new Set(items.map((item) => item.MessageId)).size).to.equal(count);
  });

  describe('the IAM door in front of the emulator', () => {
    const roleClient = (policy: PolicyStatement[]) =>
      new S3Client({
        region: 'us-east-1',
        endpoint: emulator.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: sessionToken({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/seed-role/seed`, policy }) },
      });

    it('lets a role write under the prefix it is granted, multipart upload included', async function () {
      this.timeout(60_000);
      const seedClient = roleClient(allow(['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/key-lists/*`]));
      const dynamodb = { send: async () => ({ UnprocessedItems: {} }) };
      const seed = createAtScaleHandler({ dynamodb, s3: seedClient, tableName: 'any-table', sleep: async () => {} });
      const count = Math.ceil((KEY_LIST_PART_BYTES * 1.2) / 29);
      const location = await seed({ input: { count }, executionId: 'run-door', keyList: { Bucket: BUCKET, Key: 'key-lists/run-door.jsonl' } }, { awsRequestId: 'r' });
      seedClient.destroy();
      expect((await text(location.Key)).split('\n').filter(Boolean)).to.have.length(count);
    });

    it('answers AccessDenied to a role writing outside its grant, and the object is not written', async () => {
      const seedClient = roleClient(allow(['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/key-lists/*`]));
      const error = await rejection(seedClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'map-run-results/x.json', Body: '{}' })));
      seedClient.destroy();
      expect(error.name).to.equal('AccessDenied');
      expect(error.message).to.include('s3:PutObject');
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'map-run-results/x' }));
      expect(listed.KeyCount ?? 0).to.equal(0);
    });

    it('names the action and object of each S3 request', () => {
      expect(s3RequestPermission('GET', '/b/key-lists/a%20b.jsonl')).to.deep.equal({ action: 's3:GetObject', resources: ['arn:aws:s3:::b/key-lists/a b.jsonl'] });
      expect(s3RequestPermission('POST', '/b/k?uploads')).to.deep.equal({ action: 's3:PutObject', resources: ['arn:aws:s3:::b/k'] });
      expect(s3RequestPermission('PUT', '/b/k?partNumber=2&uploadId=u')).to.deep.equal({ action: 's3:PutObject', resources: ['arn:aws:s3:::b/k'] });
      expect(s3RequestPermission('DELETE', '/b/k?uploadId=u')).to.deep.equal({ action: 's3:AbortMultipartUpload', resources: ['arn:aws:s3:::b/k'] });
      expect(s3RequestPermission('GET', '/b?list-type=2')).to.deep.equal({ action: 's3:ListBucket', resources: ['arn:aws:s3:::b'] });
    });
  });

  it('authorizes an object as arn:aws:s3:::<bucket>/<key>', () => {
    expect(s3Permission('PutObject', 'b', 'k/1.json')).to.deep.equal({ action: 's3:PutObject', resources: ['arn:aws:s3:::b/k/1.json'] });
  });

  it('the emulator removes its folder when it stops', async () => {
    const other = await startS3Emulator(['another-bucket']);
    expect(existsSync(other.directory)).to.equal(true);
    await other.stop();
    expect(existsSync(other.directory)).to.equal(false);
  });
});

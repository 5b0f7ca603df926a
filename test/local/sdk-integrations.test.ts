// aws-sdk:s3:<action> and aws-sdk:lambda:invoke through the CLI's run (--definition, --s3-bucket,
// --lambda): the user's bucket written, copied, read, listed and deleted from; results in the
// SDK's casing, a GetObject's Body as text; a missing key as S3.NoSuchKeyException; an invocation's
// Payload as the response body's text, a function's failure as FunctionError "Unhandled".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { runCli } from './cli-run.ts';
import { runLocal } from '../../local/run.ts';

const DEFINITION = 'test/fixtures/integrations/sdk-s3-lambda.asl.json';
const GREETER = resolve('test/fixtures/integrations/greeter.mjs');

describe('local run: aws-sdk:s3 and aws-sdk:lambda:invoke', function () {
  this.timeout(60_000);

  it('writes, copies, reads, lists and deletes the user\'s objects, and invokes the user\'s function', async () => {
    const run = await runLocal({
      definitionPath: DEFINITION,
      input: { text: 'Ada' },
      s3Data: { buckets: ['user-data'], objects: [] },
      functions: [{ nameOrArn: 'greeter', modulePath: GREETER }],
    });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    const output = run.record.output as Record<string, Record<string, unknown>>;
    expect(output.put!.ETag).to.match(/^"[0-9a-f]{32}"$/);
    // putObject writes its Body as JSON text, a string with its quotes (as AWS records it).
    expect(output.head).to.deep.equal({ ContentLength: 5, Metadata: { 'author-name': 'ada' } });
    expect(output.get).to.deep.equal({ Body: '"Ada"', ContentLength: 5 });
    expect(output.list).to.deep.equal({ KeyCount: 1, Keys: ['notes/b.txt'] });
    expect(output.missing!.Error).to.equal('S3.NoSuchKeyException');
    // As AWS records it: S3's messages name its Extended Request ID too.
    expect(output.missing!.Cause).to.match(/^The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: [^,]+, Extended Request ID: [A-Za-z0-9+/=]+\)$/);
    expect(output.greet).to.deep.equal({ ExecutedVersion: '$LATEST', Payload: '{"greeting":"Hello, Ada"}', StatusCode: 200 });
    expect(output.badly).to.deep.equal({ FunctionError: 'Unhandled', StatusCode: 200 });
    expect(run.record.warnings.join('\n')).to.not.contain('--lambda');
  });

  it("notes a --lambda stand-in that no Task invoked, naming the workflow's own functions", async () => {
    // The workflow's seed is named with its prefix: a stand-in named `seed` is not the function its Task invokes.
    const run = await runLocal({ input: { count: 2 }, functions: [{ nameOrArn: 'seed', modulePath: GREETER }] });
    expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
    expect(run.record.warnings).to.include(
      "--lambda seed: no Task invoked this function during the run (the workflow's own functions: transfer-records-seed).",
    );
  });

  it('putObject answers as AWS recorded it: the Body\'s JSON text stored, whatever its type, with its checksum and default encryption', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sdk-put-'));
    try {
      const definitionPath = join(dir, 'put.asl.json');
      const put = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: 'user-data', Key: 'k', 'Body.$': '$.Body' }, End: true };
      await writeFile(definitionPath, JSON.stringify({ StartAt: 'Put', States: { Put: put } }));
      // The ETags and CRC32s AWS recorded for these bodies (LocalStack's test_s3_put_object).
      const recorded = [
        { Body: 'text data', ETag: '"2b5df3712557f503a9977a8ea893b2c9"', ChecksumCRC32: 'KUmHvQ==' },
        { Body: { Dict: 'Value' }, ETag: '"49e31cee5aec8faf3345893addb14346"', ChecksumCRC32: 'hnEfWw==' },
        { Body: 0, ETag: '"cfcd208495d565ef66e7dff9f98764da"', ChecksumCRC32: '9NvfIQ==' },
      ];
      for (const { Body, ETag, ChecksumCRC32 } of recorded) {
        const run = await runLocal({ definitionPath, input: { Body }, s3Data: { buckets: ['user-data'], objects: [] } });
        expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
        expect(run.record.output).to.deep.equal({ ChecksumCRC32, ChecksumType: 'FULL_OBJECT', ETag, ServerSideEncryption: 'AES256' });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('getObject of a --s3-object file answers as AWS recorded it: S3\'s default type for an upload without one, and its default encryption', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sdk-get-'));
    try {
      const definitionPath = join(dir, 'get.asl.json');
      const get = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'user-data', Key: 'k' }, End: true };
      await writeFile(definitionPath, JSON.stringify({ StartAt: 'Get', States: { Get: get } }));
      const file = join(dir, 'body.txt');
      await writeFile(file, 'text data');
      const run = await runLocal({ definitionPath, input: {}, s3Data: { buckets: ['user-data'], objects: [{ bucket: 'user-data', key: 'k', file }] } });
      expect(run.record.status, run.record.cause).to.equal('SUCCEEDED');
      // LocalStack's test_s3_get_object[str], LastModified aside.
      expect(run.record.output).to.deep.include({
        AcceptRanges: 'bytes',
        Body: 'text data',
        ContentLength: 9,
        ContentType: 'binary/octet-stream',
        ETag: '"332eec544317a6d340b8e77da7fe54ad"',
        Metadata: {},
        ServerSideEncryption: 'AES256',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without --s3-bucket, the role may not touch the bucket: the first call fails as S3 denies it', async () => {
    const { status, out } = await runCli(['--definition', DEFINITION, '--input', '{"text": "Ada"}', '--lambda', `greeter=${GREETER}`, '--json', '--no-report']);
    expect(status).to.equal(1);
    const summary = JSON.parse(out);
    expect(summary).to.include({ status: 'FAILED', error: 'S3.S3Exception', failedState: 'Put' });
    expect(summary.cause).to.include('is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::user-data/notes/a.txt');
  });
});

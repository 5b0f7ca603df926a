// aws-sdk:s3:<action> and aws-sdk:lambda:invoke through the CLI's run (--definition, --s3-bucket,
// --lambda): the user's bucket written, copied, read, listed and deleted from; results in the
// SDK's casing, a GetObject's Body as text; a missing key as S3.NoSuchKeyException; an invocation's
// Payload as the response body's text, a function's failure as FunctionError "Unhandled".
import { resolve } from 'node:path';
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
    expect(output.head).to.deep.equal({ ContentLength: 3, Metadata: { 'author-name': 'ada' } });
    expect(output.get).to.deep.equal({ Body: 'Ada', ContentLength: 3 });
    expect(output.list).to.deep.equal({ KeyCount: 1, Keys: ['notes/b.txt'] });
    expect(output.missing!.Error).to.equal('S3.NoSuchKeyException');
    expect(output.missing!.Cause).to.match(/^The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: /);
    expect(output.greet).to.deep.equal({ ExecutedVersion: '$LATEST', Payload: '{"greeting":"Hello, Ada"}', StatusCode: 200 });
    expect(output.badly).to.deep.equal({ FunctionError: 'Unhandled', StatusCode: 200 });
  });

  it('without --s3-bucket, the role may not touch the bucket: the first call fails as S3 denies it', async () => {
    const { status, out } = await runCli(['--definition', DEFINITION, '--input', '{"text": "Ada"}', '--lambda', `greeter=${GREETER}`, '--json', '--no-report']);
    expect(status).to.equal(1);
    const summary = JSON.parse(out);
    expect(summary).to.include({ status: 'FAILED', error: 'S3.S3Exception', failedState: 'Put' });
    expect(summary.cause).to.include('is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::user-data/notes/a.txt');
  });
});

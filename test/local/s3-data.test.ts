import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { bucketNameProblem, parseS3Data, parseS3Object, userBuckets } from '../../local/services/s3-data.ts';
import { thrown } from '../helpers.ts';

describe("local/s3-data: the user's buckets and objects", () => {
  let dir: string;
  let file: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-data-test-'));
    file = join(dir, 'items.csv');
    await writeFile(file, 'a,b\n1,2\n');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads BUCKET/KEY=FILE: the bucket before the first /, the file after the last =, the key between', () => {
    expect(parseS3Object(`my-bucket/data/2026/items.csv=${file}`)).to.deep.equal({ bucket: 'my-bucket', key: 'data/2026/items.csv', file });
    expect(parseS3Object(`my-bucket/a=b=${file}`)).to.deep.equal({ bucket: 'my-bucket', key: 'a=b', file });
  });

  it('refuses a malformed spec and a missing file with InvalidArguments', () => {
    for (const spec of ['my-bucket', `/key=${file}`, `my-bucket/=${file}`, 'my-bucket/key=', `my-bucket=${file}`]) {
      const error = thrown(() => parseS3Object(spec));
      expect(error.name, spec).to.equal('InvalidArguments');
      expect(error.message).to.include('must be BUCKET/KEY=FILE');
    }
    const missing = thrown(() => parseS3Object(`my-bucket/key=${join(dir, 'absent.csv')}`));
    expect(missing.name).to.equal('InvalidArguments');
    expect(missing.message).to.match(/--s3-object my-bucket\/key: file .*absent\.csv does not exist/);
    const long = thrown(() => parseS3Object(`my-bucket/${'é'.repeat(513)}=${file}`));
    expect([long.name, long.message]).to.deep.equal(['InvalidArguments', `--s3-object my-bucket/${'é'.repeat(40)}…: S3 refuses this key: it is 1026 bytes long, and S3 takes 1024 at most`]);
    expect(parseS3Object(`my-bucket/${'k'.repeat(1024)}=${file}`).key).to.have.length(1024);
  });

  it('refuses a bucket name S3 refuses with InvalidBucketName, naming the option and the rule', () => {
    const error = thrown(() => parseS3Data(['My_Bucket'], []));
    expect(error.name).to.equal('InvalidBucketName');
    expect(error.message).to.equal('--s3-bucket "My_Bucket": S3 refuses this bucket name: it may hold only lowercase letters, numbers, periods and hyphens');
    expect(thrown(() => parseS3Object(`bucket_name/k=${file}`)).name).to.equal('InvalidBucketName');
  });

  it("knows S3's rules for general purpose bucket names", () => {
    for (const good of ['bucket-name', 'my.data.2026', 'abc', 'a'.repeat(63)]) expect(bucketNameProblem(good), good).to.equal(undefined);
    const bad: [string, string][] = [
      ['ab', '3 to 63'],
      ['a'.repeat(64), '3 to 63'],
      ['-bucket', 'begin and end'],
      ['bucket.', 'begin and end'],
      ['my..bucket', 'two adjacent periods'],
      ['192.168.5.4', 'IP address'],
      ['xn--bucket', 'prefix xn--'],
      ['sthree-bucket', 'prefix sthree-'],
      ['bucket-s3alias', 'suffix -s3alias'],
      ['bucket--x-s3', 'suffix --x-s3'],
    ];
    for (const [name, rule] of bad) expect(bucketNameProblem(name), name).to.include(rule);
  });

  it('gives every bucket once: the objects\' and the empty ones', () => {
    const data = parseS3Data(['results', 'data'], [`data/a.csv=${file}`, `more/b.csv=${file}`]);
    expect(userBuckets(data)).to.deep.equal(['data', 'more', 'results']);
    expect(parseS3Data([], [])).to.equal(undefined);
    expect(userBuckets(undefined)).to.deep.equal([]);
  });
});

import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  csvItems,
  delimitedRecords,
  inventoryFileItems,
  inventoryManifest,
  jsonItems,
  listedItem,
  objectItems,
  readerConfigProblem,
} from '../../../local/bridge/s3-items.ts';
import { thrown } from '../../helpers.ts';

describe('local/bridge s3-items: what an ItemReader makes of S3 data', () => {
  describe('CSV, as AWS parses text delimited files', () => {
    it('keys each row by the first row (FIRST_ROW, the default): missing fields are "", extra fields dropped, empty lines skipped', () => {
      const text = 'Col1,Col2,Col3\nValue1,Value2,Value3\n,,,\n\nNull,None,\n   \n';
      expect(csvItems(text, { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' })).to.deep.equal([
        { Col1: 'Value1', Col2: 'Value2', Col3: 'Value3' },
        { Col1: '', Col2: '', Col3: '' },
        { Col1: 'Null', Col2: 'None', Col3: '' },
        { Col1: '   ', Col2: '', Col3: '' },
      ]);
      expect(csvItems('A,B\n1,2', {})).to.deep.equal([{ A: '1', B: '2' }]);
      expect(csvItems('', {})).to.deep.equal([]);
    });

    it('uses the headers the definition gives (GIVEN): the first row is an item', () => {
      expect(csvItems('1,307\n2,481\n', { CSVHeaderLocation: 'GIVEN', CSVHeaders: ['userId', 'movieId'] })).to.deep.equal([
        { userId: '1', movieId: '307' },
        { userId: '2', movieId: '481' },
      ]);
    });

    it('splits on the CSVDelimiter named: COMMA, PIPE, SEMICOLON, SPACE, TAB', () => {
      const cases: [string, string][] = [
        ['COMMA', 'a,b\n1,2'],
        ['PIPE', 'a|b\n1|2'],
        ['SEMICOLON', 'a;b\n1;2'],
        ['SPACE', 'a b\n1 2'],
        ['TAB', 'a\tb\n1\t2'],
      ];
      for (const [delimiter, text] of cases) {
        expect(csvItems(text, { CSVDelimiter: delimiter }), delimiter).to.deep.equal([{ a: '1', b: '2' }]);
      }
      // A comma is plain text when the delimiter is another.
      expect(csvItems('a|b\n1,5|2', { CSVDelimiter: 'PIPE' })).to.deep.equal([{ a: '1,5', b: '2' }]);
    });

    it('reads quoted fields (delimiters, newlines and doubled quotes inside), backslash escapes and CRLF line ends', () => {
      const text = 'abc,123,"commas, a quote ("") and a newline (\n)",{""MyKey"":""MyValue""}\r\nC:\\\\Program Files\\\\x.exe,\\,,\\"q\\",\\d\r\n';
      expect(delimitedRecords(text, ',')).to.deep.equal([
        ['abc', '123', 'commas, a quote (") and a newline (\n)', '{"MyKey":"MyValue"}'],
        ['C:\\Program Files\\x.exe', ',', '"q"', 'd'],
      ]);
    });

    it('fails with States.ItemReaderFailed for duplicate headers', () => {
      const error = thrown(() => csvItems('a,a\n1,2', {}));
      expect(error.name).to.equal('States.ItemReaderFailed');
      expect(error.message).to.equal('CSV headers cannot contain duplicates.');
    });
  });

  describe('JSON and JSONL', () => {
    it('reads a JSON array; anything else fails with AWS\'s cause', () => {
      expect(jsonItems('[1, {"a": 2}]', 's3://b/k')).to.deep.equal([1, { a: 2 }]);
      const notArray = thrown(() => jsonItems('{"Hello": "world"}', 's3://b/k'));
      expect([notArray.name, notArray.message]).to.deep.equal(['States.ItemReaderFailed', 'Attempting to map over non-iterable node.']);
      const notJson = thrown(() => jsonItems('[1,', 's3://b/k'));
      expect([notJson.name, notJson.message]).to.deep.equal(['States.ItemReaderFailed', 's3://b/k is not valid JSON.']);
    });

    it('reads by InputType: JSONL one item per line, CSV by its header, JSON (also without an InputType) as an array', async () => {
      expect(await objectItems('{"a":1}\n{"a":2}\n', { InputType: 'JSONL' }, 'w')).to.deep.equal([{ a: 1 }, { a: 2 }]);
      expect(await objectItems('a\n1\n', { InputType: 'CSV' }, 'w')).to.deep.equal([{ a: '1' }]);
      expect(await objectItems('[true]', { InputType: 'JSON' }, 'w')).to.deep.equal([true]);
      expect(await objectItems('[true]', {}, 'w')).to.deep.equal([true]);
    });

    it('lets the event loop turn while it reads a long JSON Lines object, at least every 65,536 lines', async () => {
      const lines = 200_000;
      const text = Array.from({ length: lines }, (_, index) => `{"MessageId":{"S":"id-${index}"}}`).join('\n');
      let turns = 0;
      let reading = true;
      const tick = () => {
        if (!reading) return;
        turns += 1;
        setImmediate(tick);
      };
      setImmediate(tick);
      const items = await objectItems(text, { InputType: 'JSONL' }, 's3://b/k');
      reading = false;
      expect(items).to.have.length(lines);
      expect(items[lines - 1]).to.deep.equal({ MessageId: { S: `id-${lines - 1}` } });
      expect(turns).to.be.at.least(Math.floor(lines / 65_536));
    });
  });

  describe('an S3 inventory (MANIFEST)', () => {
    const manifest = {
      sourceBucket: 'source-bucket',
      destinationBucket: 'arn:aws:s3:::inventory-bucket',
      version: '2016-11-30',
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size, LastModifiedDate',
      files: [{ key: 'inv/data/one.csv.gz', size: 10, MD5checksum: 'x' }],
    };

    it('reads manifest.json: the destination bucket by name, the files, the columns of fileSchema', () => {
      expect(inventoryManifest(JSON.stringify(manifest), 's3://m/manifest.json')).to.deep.equal({
        bucket: 'inventory-bucket',
        keys: ['inv/data/one.csv.gz'],
        headers: ['Bucket', 'Key', 'Size', 'LastModifiedDate'],
      });
    });

    it('refuses a manifest that is not a CSV inventory with States.ItemReaderFailed', () => {
      const orc = thrown(() => inventoryManifest(JSON.stringify({ ...manifest, fileFormat: 'ORC' }), 'w'));
      expect(orc.name).to.equal('States.ItemReaderFailed');
      expect(orc.message).to.include('only CSV inventories');
      expect(thrown(() => inventoryManifest('{"fileFormat":"CSV"}', 'w')).message).to.include('is not an S3 inventory manifest');
    });

    it('reads a gzipped (or plain) inventory file into one item per row, keyed by the schema', () => {
      const rows = '"source-bucket","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n';
      const headers = ['Bucket', 'Key', 'Size', 'LastModifiedDate'];
      const item = { Bucket: 'source-bucket', Key: 'csvDataset/titles.csv', Size: '3399671', LastModifiedDate: '2022-11-16T00:29:32.000Z' };
      expect(inventoryFileItems(gzipSync(rows), headers)).to.deep.equal([item]);
      expect(inventoryFileItems(Buffer.from(rows), headers)).to.deep.equal([item]);
    });
  });

  it('hands a listed object to a child as AWS does: Etag with its quotes, LastModified in epoch seconds', () => {
    const listed = { Key: 'file_0.txt', ETag: '"26c6"', LastModified: new Date('2026-12-06T03:00:00.750Z'), Size: 12, StorageClass: 'STANDARD' };
    expect(listedItem(listed)).to.deep.equal({ Etag: '"26c6"', Key: 'file_0.txt', LastModified: 1796526000, Size: 12, StorageClass: 'STANDARD' });
  });

  describe('readerConfigProblem', () => {
    it('accepts what it reads', () => {
      expect(readerConfigProblem({ InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['a'], CSVDelimiter: 'TAB' }, 'getObject')).to.equal(undefined);
      expect(readerConfigProblem({ InputType: 'MANIFEST' }, 'getObject')).to.equal(undefined);
      expect(readerConfigProblem({}, 'getObject')).to.equal(undefined);
      expect(readerConfigProblem({}, 'listObjectsV2')).to.equal(undefined);
    });

    it('names what it does not', () => {
      const problems: [object, 'getObject' | 'listObjectsV2', string][] = [
        [{ InputType: 'XML' }, 'getObject', 'InputType must be one of CSV, JSON, JSONL, PARQUET, MANIFEST'],
        [{ InputType: 'PARQUET' }, 'getObject', 'PARQUET is not read offline'],
        [{ InputType: 'MANIFEST', ManifestType: 'ATHENA_DATA' }, 'getObject', 'ManifestType "ATHENA_DATA" is not read offline'],
        [{ InputType: 'CSV', CSVHeaderLocation: 'LAST_ROW' }, 'getObject', 'CSVHeaderLocation must be FIRST_ROW or GIVEN'],
        [{ InputType: 'CSV', CSVHeaderLocation: 'GIVEN' }, 'getObject', 'CSVHeaders must be a non-empty array of strings'],
        [{ InputType: 'CSV', CSVDelimiter: ',' }, 'getObject', 'CSVDelimiter must be one of COMMA, PIPE, SEMICOLON, SPACE, TAB'],
        [{ InputType: 'JSON' }, 'listObjectsV2', 'InputType is not used with s3:listObjectsV2'],
      ];
      for (const [config, resource, problem] of problems) expect(readerConfigProblem(config, resource)).to.include(problem);
    });
  });
});

import { expect } from 'chai';
import { httpMetadata, optimizedResponse, sdkMemberName, sdkResponse } from '../../../local/bridge/response.ts';

describe('local/bridge response shapes', () => {
  describe('sdkMemberName', () => {
    const cases: [string, string][] = [
      ['MD5OfMessageBody', 'Md5OfMessageBody'],
      ['MD5OfMessageAttributes', 'Md5OfMessageAttributes'],
      ['SSEDescription', 'SseDescription'],
      ['KMSMasterKeyArn', 'KmsMasterKeyArn'],
      ['MessageId', 'MessageId'],
      ['ConsumedCapacity', 'ConsumedCapacity'],
      ['Items', 'Items'],
      ['ETag', 'ETag'],
      ['ChecksumCRC32', 'ChecksumCRC32'],
      ['executionArn', 'ExecutionArn'],
    ];
    for (const [member, expected] of cases) {
      it(`spells ${member} as ${expected}`, () => {
        expect(sdkMemberName(member)).to.equal(expected);
      });
    }
  });

  describe('sdkResponse', () => {
    it('drops $metadata and undefined members, renames members, and leaves the keys of map members alone', () => {
      const output = {
        $metadata: { httpStatusCode: 200 },
        Messages: [
          {
            MD5OfBody: 'abc',
            Body: 'b',
            MessageAttributes: { MD5Tag: { StringValue: 'v', DataType: 'String' } },
            Attributes: { SentTimestamp: '1' },
          },
        ],
        NextToken: undefined,
      };
      expect(sdkResponse(output, new Set(['MessageAttributes', 'Attributes']))).to.deep.equal({
        Messages: [
          {
            Md5OfBody: 'abc',
            Body: 'b',
            MessageAttributes: { MD5Tag: { StringValue: 'v', DataType: 'String' } },
            Attributes: { SentTimestamp: '1' },
          },
        ],
      });
    });

    it('writes binary values as base64 and dates as ISO text', () => {
      const output = { Item: { Data: { B: new Uint8Array([104, 105]) } }, Created: new Date(Date.UTC(2026, 0, 2)) };
      expect(sdkResponse(output, new Set(['Item']))).to.deep.equal({
        Item: { Data: { B: 'aGk=' } },
        Created: '2026-01-02T00:00:00.000Z',
      });
    });

    it('encodes a binary value that is a view into a larger buffer by its own bytes alone', () => {
      const view = new Uint8Array([0, 104, 105, 0]).subarray(1, 3);
      expect(sdkResponse({ Data: view }, new Set())).to.deep.equal({ Data: 'aGk=' });
    });

    it('keeps an item attribute named __proto__ as a member of the item, leaving its prototype alone', () => {
      const item = JSON.parse('{"__proto__": {"S": "x"}, "id": {"S": "1"}}') as Record<string, unknown>;
      const result = sdkResponse({ Item: item }, new Set(['Item'])) as { Item: object };
      expect(Object.getPrototypeOf(result.Item)).to.equal(Object.prototype);
      expect(Object.keys(result.Item)).to.deep.equal(['__proto__', 'id']);
      expect(JSON.stringify(result.Item)).to.equal('{"__proto__":{"S":"x"},"id":{"S":"1"}}');
    });
  });

  describe('httpMetadata', () => {
    it("keeps AWS's headers in AWS's casing, sorted, both as lists and as values", () => {
      const metadata = httpMetadata(
        200,
        { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'R', date: 'D', 'keep-alive': 'timeout=5' },
        'R',
      );
      expect(metadata).to.deep.equal({
        SdkHttpMetadata: {
          AllHttpHeaders: { 'Content-Type': ['application/x-amz-json-1.0'], Date: ['D'], 'x-amzn-RequestId': ['R'] },
          HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0', Date: 'D', 'x-amzn-RequestId': 'R' },
          HttpStatusCode: 200,
        },
        SdkResponseMetadata: { RequestId: 'R' },
      });
    });
  });

  describe('optimizedResponse', () => {
    it('keeps member names as the service sent them and adds the metadata of the call', () => {
      const output = { $metadata: { requestId: 'R' }, MD5OfMessageBody: 'abc', MessageId: 'm' };
      expect(optimizedResponse(output)).to.deep.equal({
        MD5OfMessageBody: 'abc',
        MessageId: 'm',
        SdkHttpMetadata: { AllHttpHeaders: {}, HttpHeaders: {}, HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: 'R' },
      });
    });
  });
});

import { expect } from 'chai';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { PolicyStatement } from '../../../workflow/permissions.ts';
import type { BridgeOptions, TaskCall } from '../../../local/contracts.ts';
import { InvalidFaultSpec, parseFault } from '../../../local/bridge/faults.ts';
import { localPolicies } from '../../../local/services/iam.ts';
import { rejection } from '../../helpers.ts';
import { taskHandler, useLocalEnvironment, type WithMetadata } from './fixture.ts';
import { entriesOf } from '../../fixtures/names.ts';

const TABLE = 'ddb-test-table';
const EVERYTHING: PolicyStatement[] = [{ Sid: 'All', Effect: 'Allow', Action: ['dynamodb:*'], Resource: ['*'] }];

describe('local/bridge DynamoDB integrations', () => {
  const local = useLocalEnvironment('ddb-test');

  before(() =>
    local.clients.dynamodb.send(
      new PutItemCommand({ TableName: TABLE, Item: { MessageId: { S: 'm1' }, Message: { S: 'hello' } } }),
    ),
  );

  const handler = (resource: string, overrides: Partial<BridgeOptions> = {}) => taskHandler(local.env, resource, overrides);

  const getItem = (id: string) => ({ TableName: TABLE, Key: { MessageId: { S: id } }, ConsistentRead: true });

  describe('optimized getItem, putItem, updateItem and deleteItem', () => {
    it("return the service's response with the call's HTTP metadata, as Step Functions does", async () => {
      const output = (await handler('arn:aws:states:::dynamodb:getItem')(getItem('m1'))) as WithMetadata;
      expect(Object.keys(output)).to.deep.equal(['Item', 'SdkHttpMetadata', 'SdkResponseMetadata']);
      expect(output.Item).to.deep.equal({ MessageId: { S: 'm1' }, Message: { S: 'hello' } });
      const { SdkHttpMetadata, SdkResponseMetadata } = output;
      expect(SdkHttpMetadata.HttpStatusCode).to.equal(200);
      expect(SdkHttpMetadata.HttpHeaders).to.include({
        Connection: 'keep-alive',
        // DynamoDB names itself in every answer (recorded).
        Server: 'Server',
        'Content-Type': 'application/x-amz-json-1.0',
        'x-amzn-RequestId': SdkResponseMetadata.RequestId,
      });
      expect(SdkHttpMetadata.HttpHeaders['Content-Length']).to.match(/^\d+$/);
      expect(SdkHttpMetadata.AllHttpHeaders['Content-Type']).to.deep.equal(['application/x-amz-json-1.0']);
      expect(Object.keys(SdkHttpMetadata.AllHttpHeaders)).to.deep.equal(Object.keys(SdkHttpMetadata.HttpHeaders));
      expect(output).to.not.have.property('$metadata');
    });

    it('return the metadata alone when getItem finds no item', async () => {
      const output = (await handler('arn:aws:states:::dynamodb:getItem')(getItem('absent'))) as Record<string, unknown>;
      expect(Object.keys(output)).to.deep.equal(['SdkHttpMetadata', 'SdkResponseMetadata']);
    });

    it('write, update and delete items, returning what the request asks for', async () => {
      const options = { stateMachinePolicy: EVERYTHING };
      const put = (await handler('arn:aws:states:::dynamodb:putItem', options)({
        TableName: TABLE,
        Item: { MessageId: { S: 'm2' }, Message: { S: 'first' } },
      })) as Record<string, unknown>;
      expect(Object.keys(put)).to.deep.equal(['SdkHttpMetadata', 'SdkResponseMetadata']);

      const updated = (await handler('arn:aws:states:::dynamodb:updateItem', options)({
        TableName: TABLE,
        Key: { MessageId: { S: 'm2' } },
        UpdateExpression: 'SET Message = :m',
        ExpressionAttributeValues: { ':m': { S: 'second' } },
        ReturnValues: 'UPDATED_NEW',
      })) as Record<string, unknown>;
      expect(updated.Attributes).to.deep.equal({ Message: { S: 'second' } });

      const deleted = (await handler('arn:aws:states:::dynamodb:deleteItem', options)({
        TableName: TABLE,
        Key: { MessageId: { S: 'm2' } },
        ReturnValues: 'ALL_OLD',
      })) as Record<string, unknown>;
      expect(deleted.Attributes).to.deep.equal({ MessageId: { S: 'm2' }, Message: { S: 'second' } });
      const { Item } = await local.clients.dynamodb.send(new GetItemCommand(getItem('m2')));
      expect(Item).to.equal(undefined);
    });

    it('return binary attributes as base64 text', async () => {
      await local.clients.dynamodb.send(
        new PutItemCommand({ TableName: TABLE, Item: { MessageId: { S: 'bin' }, Data: { B: Buffer.from('hi') } } }),
      );
      const output = (await handler('arn:aws:states:::dynamodb:getItem')(getItem('bin'))) as WithMetadata;
      expect((output.Item as Record<string, unknown>).Data).to.deep.equal({ B: Buffer.from('hi').toString('base64') });
    });
  });

  describe('aws-sdk:dynamodb:<action>', () => {
    it('returns the SDK response alone, without HTTP metadata', async () => {
      const output = await handler('arn:aws:states:::aws-sdk:dynamodb:query', { stateMachinePolicy: EVERYTHING })({
        TableName: TABLE,
        KeyConditionExpression: 'MessageId = :id',
        ExpressionAttributeValues: { ':id': { S: 'm1' } },
      });
      expect(output).to.deep.equal({
        Count: 1,
        Items: [{ MessageId: { S: 'm1' }, Message: { S: 'hello' } }],
        ScannedCount: 1,
      });
    });

    it('scans', async () => {
      const output = (await handler('arn:aws:states:::aws-sdk:dynamodb:scan', { stateMachinePolicy: EVERYTHING })({
        TableName: TABLE,
        FilterExpression: 'MessageId = :id',
        ExpressionAttributeValues: { ':id': { S: 'm1' } },
      })) as Record<string, unknown>;
      expect(output.Items).to.deep.equal([{ MessageId: { S: 'm1' }, Message: { S: 'hello' } }]);
      expect(output).to.not.have.any.keys('SdkHttpMetadata', '$metadata');
    });

    it('reaches the same items as the optimized integration', async () => {
      const output = await handler('arn:aws:states:::aws-sdk:dynamodb:getItem')(getItem('m1'));
      expect(output).to.deep.equal({ Item: { MessageId: { S: 'm1' }, Message: { S: 'hello' } } });
    });
  });

  describe('errors, named as Step Functions names them', () => {
    const missingTable = { TableName: 'no-such-table', Key: { MessageId: { S: 'x' } } };

    it('reports a modeled exception under DynamoDB., with the Java SDK cause format', async () => {
      const error = await rejection(handler('arn:aws:states:::dynamodb:getItem', { stateMachinePolicy: EVERYTHING })(missingTable));
      expect(error.name).to.equal('DynamoDB.ResourceNotFoundException');
      expect(error.message).to.match(
        /^Requested resource not found \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: \S+; Proxy: null\)$/,
      );
    });

    it('reports an exception the SDK does not model as DynamoDB.AmazonDynamoDBException', async () => {
      const error = await rejection(handler('arn:aws:states:::dynamodb:getItem')({ TableName: TABLE }));
      expect(error.name).to.equal('DynamoDB.AmazonDynamoDBException');
      expect(error.message).to.include('Error Code: ValidationException');
    });

    it('reports aws-sdk errors under DynamoDb., with the SDK v2 cause format', async () => {
      const policy = { stateMachinePolicy: EVERYTHING };
      const missing = await rejection(handler('arn:aws:states:::aws-sdk:dynamodb:getItem', policy)(missingTable));
      expect(missing.name).to.equal('DynamoDb.ResourceNotFoundException');
      expect(missing.message).to.match(/^Requested resource not found \(Service: DynamoDb, Status Code: 400, Request ID: \S+\)$/);
      const invalid = await rejection(handler('arn:aws:states:::aws-sdk:dynamodb:getItem', policy)({ TableName: TABLE }));
      expect(invalid.name).to.equal('DynamoDb.DynamoDbException');
    });

    it('fails the first calls a --fault names with its error, then goes through', async () => {
      const calls: TaskCall[] = [];
      const read = handler('arn:aws:states:::dynamodb:getItem', {
        faults: [parseFault('dynamodb:getItem:DynamoDB.ProvisionedThroughputExceededException:2')],
        onCall: (call) => calls.push(call),
      });
      expect((await rejection(read(getItem('m1')))).name).to.equal('DynamoDB.ProvisionedThroughputExceededException');
      expect((await rejection(read(getItem('m1')))).name).to.equal('DynamoDB.ProvisionedThroughputExceededException');
      expect(await read(getItem('m1'))).to.have.property('Item');
      expect(calls.map((call) => [call.state, call.service, call.action, call.error])).to.deep.equal([
        ['T', 'dynamodb', 'getItem', 'DynamoDB.ProvisionedThroughputExceededException'],
        ['T', 'dynamodb', 'getItem', 'DynamoDB.ProvisionedThroughputExceededException'],
        ['T', 'dynamodb', 'getItem', undefined],
      ]);
      expect(calls.every((call) => call.resource === 'arn:aws:states:::dynamodb:getItem' && call.ms >= 0)).to.be.true;
    });

    it('reports a throttled call (--fault …:throttled) as AWS reports an on-demand table\'s throttling', async () => {
      const read = handler('arn:aws:states:::dynamodb:getItem', { faults: [parseFault('dynamodb:getItem:throttled:1')] });
      const error = await rejection(read(getItem('m1')));
      expect(error.name).to.equal('DynamoDB.AmazonDynamoDBException');
      expect(error.message).to.include('(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ThrottlingException; ');
    });

    it('refuses, before any call, a fault on an action no Task calls', () => {
      expect(() => handler('arn:aws:states:::dynamodb:getItem', { faults: [parseFault('dynamodb:putItem:throttled:1')] }))
        .to.throw(InvalidFaultSpec)
        .with.property('message')
        .that.contains('no Task of the definition calls dynamodb:putItem (it calls dynamodb:getItem)');
    });
  });

  describe("the state machine role's policy", () => {
    it('fails a call it does not allow the way AWS does, naming the action and the table, and writes nothing', async () => {
      const error = await rejection(
        handler('arn:aws:states:::dynamodb:putItem')({ TableName: TABLE, Item: { MessageId: { S: 'denied' } } }),
      );
      expect(error.name).to.equal('DynamoDB.AmazonDynamoDBException');
      expect(error.message).to.match(
        new RegExp(
          '^User: arn:aws:sts::000000000000:assumed-role/ddb-test-sfn-role/ddb-test-state-machine is not authorized to perform: ' +
            `dynamodb:PutItem on resource: ${entriesOf(local.env.resources).tableArn} because no identity-based policy allows the dynamodb:PutItem action ` +
            '\\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: \\S+; Proxy: null\\)$',
        ),
      );
      const { Item } = await local.clients.dynamodb.send(new GetItemCommand(getItem('denied')));
      expect(Item).to.equal(undefined);
    });

    it('denies the GetItem the workflow needs once its statement is removed', async () => {
      const stateMachinePolicy = localPolicies(local.env.resources).stateMachinePolicy.filter((statement) => statement.Sid !== 'ReadTable');
      const error = await rejection(handler('arn:aws:states:::dynamodb:getItem', { stateMachinePolicy })(getItem('m1')));
      expect(error.name).to.equal('DynamoDB.AmazonDynamoDBException');
      expect(error.message).to.include('not authorized to perform: dynamodb:GetItem');
    });

    it('checks aws-sdk calls too, reporting them under DynamoDb.', async () => {
      const error = await rejection(handler('arn:aws:states:::aws-sdk:dynamodb:scan')({ TableName: TABLE }));
      expect(error.name).to.equal('DynamoDb.DynamoDbException');
      expect(error.message).to.include('dynamodb:Scan on resource');
    });
  });
});

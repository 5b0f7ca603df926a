import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PolicyStatement } from '../../../workflow/permissions.ts';
import { peekMessages } from '../../../execution/queue.ts';
import type { BridgeOptions } from '../../../local/contracts.ts';
import { parseFault } from '../../../local/bridge/faults.ts';
import { localPolicies } from '../../../local/services/iam.ts';
import { rejection } from '../../helpers.ts';
import { taskHandler, useLocalEnvironment, type WithMetadata } from './fixture.ts';
import { entriesOf } from '../../fixtures/names.ts';

const EVERYTHING: PolicyStatement[] = [{ Sid: 'All', Effect: 'Allow', Action: ['sqs:*'], Resource: ['*'] }];
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Empties a queue, so each test sees only its own messages (PurgeQueue allows one call a minute). */
async function drain(sqs: SQSClient, queueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) return;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((received, index) => ({ Id: String(index), ReceiptHandle: received.ReceiptHandle! })),
      }),
    );
  }
}

describe('local/bridge SQS integrations', () => {
  const local = useLocalEnvironment('sqs-test');

  beforeEach(() => drain(local.clients.sqs, entriesOf(local.env.resources).queueUrl));

  const handler = (resource: string, overrides: Partial<BridgeOptions> = {}) => taskHandler(local.env, resource, overrides);

  const message = (body: unknown) => ({
    QueueUrl: entriesOf(local.env.resources).queueUrl,
    MessageBody: body,
    MessageAttributes: { MessageId: { DataType: 'String', StringValue: 'id-1' } },
  });

  describe('optimized sendMessage', () => {
    it('sends the message and returns its MD5s and id with the HTTP metadata, as Step Functions does', async () => {
      const output = (await handler('arn:aws:states:::sqs:sendMessage')(message('hello'))) as WithMetadata;
      expect(Object.keys(output)).to.deep.equal([
        'MD5OfMessageBody',
        'MD5OfMessageAttributes',
        'MessageId',
        'SdkHttpMetadata',
        'SdkResponseMetadata',
      ]);
      expect(output.MD5OfMessageBody).to.equal(md5('hello'));
      expect(output.SdkHttpMetadata.HttpStatusCode).to.equal(200);
      expect(output.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId']).to.equal(output.SdkResponseMetadata.RequestId);
      // SQS spells its connection header in lower case (recorded).
      expect(output.SdkHttpMetadata.HttpHeaders).to.include({ connection: 'keep-alive' }).and.not.have.property('Connection');
      expect(await peekMessages(local.clients.sqs, entriesOf(local.env.resources).queueUrl)).to.deep.equal([{ body: 'hello', messageId: 'id-1' }]);
    });

    it('fails a null MessageBody as SQS does a missing one (MissingParameter, recorded), sending nothing', async () => {
      const error = await rejection(handler('arn:aws:states:::sqs:sendMessage')(message(null)));
      expect(error).to.include({ name: 'SQS.AmazonSQSException' });
      expect(error.message).to.match(/^The request must contain the parameter MessageBody\. \(Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; /);
      expect(await peekMessages(local.clients.sqs, entriesOf(local.env.resources).queueUrl)).to.deep.equal([]);
    });

    it('sends a JSON message body as its serialized text', async () => {
      await handler('arn:aws:states:::sqs:sendMessage')(message({ a: [1, 2] }));
      expect(await peekMessages(local.clients.sqs, entriesOf(local.env.resources).queueUrl)).to.deep.equal([{ body: '{"a":[1,2]}', messageId: 'id-1' }]);
    });
  });

  describe('aws-sdk:sqs:<action>', () => {
    it('returns the SDK response alone, its members spelled the SDK v2 way', async () => {
      const output = await handler('arn:aws:states:::aws-sdk:sqs:sendMessage')(message('hi'));
      expect(Object.keys(output as object)).to.deep.equal(['Md5OfMessageBody', 'Md5OfMessageAttributes', 'MessageId']);
      expect((output as Record<string, unknown>).Md5OfMessageBody).to.equal(md5('hi'));
    });

    it('leaves the keys of attribute maps as the service sent them', async () => {
      const output = (await handler('arn:aws:states:::aws-sdk:sqs:getQueueAttributes', { stateMachinePolicy: EVERYTHING })({
        QueueUrl: entriesOf(local.env.resources).queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout'],
      })) as Record<string, unknown>;
      expect(output).to.deep.equal({ Attributes: { QueueArn: entriesOf(local.env.resources).queueArn, VisibilityTimeout: '30' } });
    });
  });

  describe('errors, named as Step Functions names them', () => {
    const missingQueue = () => ({ ...message('x'), QueueUrl: `${local.env.endpoints.sqs}/000000000000/no-such-queue` });

    it('reports a missing queue as SQS.AmazonSQSException, with its query error code in the cause', async () => {
      const error = await rejection(handler('arn:aws:states:::sqs:sendMessage', { stateMachinePolicy: EVERYTHING })(missingQueue()));
      expect(error.name).to.equal('SQS.AmazonSQSException');
      expect(error.message).to.match(
        /^The specified queue does not exist\. \(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue; Request ID: \S+; Proxy: null\)$/,
      );
    });

    it('reports aws-sdk errors under Sqs.', async () => {
      const error = await rejection(
        handler('arn:aws:states:::aws-sdk:sqs:sendMessage', { stateMachinePolicy: EVERYTHING })(missingQueue()),
      );
      expect(error.name).to.equal('Sqs.QueueDoesNotExistException');
      expect(error.message).to.match(/\(Service: Sqs, Status Code: 400, Request ID: \S+\)$/);
    });

    it('reports an error the SDK does not model as SQS.AmazonSQSException', async () => {
      const error = await rejection(handler('arn:aws:states:::sqs:sendMessage')({ QueueUrl: entriesOf(local.env.resources).queueUrl }));
      expect(error.name).to.equal('SQS.AmazonSQSException');
    });

    it('reports a throttled call (--fault …:throttled) as AWS does: SQS.AmazonSQSException, code RequestThrottled', async () => {
      const send = handler('arn:aws:states:::sqs:sendMessage', { faults: [parseFault('sqs:sendMessage:throttled:1')] });
      const error = await rejection(send(message('a')));
      expect(error.name).to.equal('SQS.AmazonSQSException');
      expect(error.message).to.match(/^Request is throttled\. Injected by --fault sqs:sendMessage:throttled:1 \(failure 1 of 1\) \(Service: AmazonSQS; Status Code: 403; Error Code: RequestThrottled; /);
    });

    it('reports a queue URL that is no URL as the client failure Step Functions meets', async () => {
      const error = await rejection(handler('arn:aws:states:::sqs:sendMessage')({ ...message('x'), QueueUrl: 'no-such-queue' }));
      expect(error.name).to.equal('SQS.SdkClientException');
      expect(error.message).to.match(/^Unable to execute HTTP request: /);
      // A host that serves no SQS is not found, as AWS records it (test_send_message_no_such_queue).
      const unknownHost = await rejection(handler('arn:aws:states:::sqs:sendMessage')({ ...message('x'), QueueUrl: 'http://no-such-queue-ba77f213' }));
      expect(unknownHost).to.include({ name: 'SQS.SdkClientException', message: 'Unable to execute HTTP request: no-such-queue-ba77f213: Name or service not known' });
    });

    it('fails the first calls a --fault names with its error', async () => {
      const send = handler('arn:aws:states:::sqs:sendMessage', {
        faults: [parseFault('sqs:sendMessage:States.TaskFailed:1')],
      });
      expect((await rejection(send(message('a')))).name).to.equal('States.TaskFailed');
      await send(message('b'));
      expect((await peekMessages(local.clients.sqs, entriesOf(local.env.resources).queueUrl)).map((delivered) => delivered.body)).to.deep.equal(['b']);
    });
  });

  describe("the state machine role's policy", () => {
    it('fails a send to a queue the role may not use, naming sqs:SendMessage and the queue, and sends nothing', async () => {
      const error = await rejection(
        handler('arn:aws:states:::sqs:sendMessage')({ ...message('x'), QueueUrl: entriesOf(local.env.resources).deadLetterQueueUrl }),
      );
      expect(error.name).to.equal('SQS.AmazonSQSException');
      expect(error.message).to.include(
        `is not authorized to perform: sqs:SendMessage on resource: ${entriesOf(local.env.resources).deadLetterQueueArn} because no identity-based policy allows the sqs:SendMessage action`,
      );
      expect(error.message).to.include('Status Code: 403; Error Code: AccessDenied;');
      expect(await peekMessages(local.clients.sqs, entriesOf(local.env.resources).deadLetterQueueUrl)).to.deep.equal([]);
    });

    it('denies the send the workflow needs once its statement is removed', async () => {
      const stateMachinePolicy = localPolicies(local.env.resources).stateMachinePolicy.filter((statement) => statement.Sid !== 'SendToQueue');
      const error = await rejection(handler('arn:aws:states:::sqs:sendMessage', { stateMachinePolicy })(message('x')));
      expect(error.message).to.include('not authorized to perform: sqs:SendMessage');
    });
  });
});

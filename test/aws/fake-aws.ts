// Sinon stubs on real SDK clients' `send`, answering like the three services would,
// with no network. Each test reads back the commands that were sent.
import sinon from 'sinon';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { BatchGetItemCommand, type BatchGetItemInput } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type ChangeMessageVisibilityBatchRequest,
  type ReceiveMessageRequest,
} from '@aws-sdk/client-sqs';
import { createClients, type Clients } from '../../workflow/clients.ts';
import { DEFINITION, EXECUTION_ARN, REGION, STATE_MACHINE_ARN, TABLE_NAME } from './fixtures.ts';

export interface QueuedMessage {
  /** The MessageId message attribute the workflow attaches. */
  messageId?: string;
  body: string;
  /** Receives before this test's; SQS adds one per ReceiveMessage that returns the message. */
  receiveCount?: number;
}

export interface FakeAwsOptions {
  /** DescribeExecution's answers in turn; the last one repeats. */
  describe?: Partial<DescribeExecutionOutput>[];
  history?: HistoryEvent[];
  /** Events per GetExecutionHistory page. */
  pageSize?: number;
  /** MessageId -> Message, as the seed function wrote them. */
  table?: Map<string, string>;
  /** BatchGetItem leaves this many keys unprocessed on its first answer. */
  unprocessedOnce?: number;
  queue?: QueuedMessage[];
  /** The queue's redrive policy. */
  maxReceiveCount?: number;
}

export interface FakeAws {
  clients: Clients;
  sent: (service: keyof Clients) => object[];
}

type Send = (command: object) => Promise<unknown>;

export function fakeAws(options: FakeAwsOptions = {}): FakeAws {
  const clients = createClients({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const stubs = {
    sfn: stubSend(clients.sfn, sfnAnswers(options)),
    dynamodb: stubSend(clients.dynamodb, dynamodbAnswers(options)),
    sqs: stubSend(clients.sqs, sqsAnswers(options.queue ?? [], options.maxReceiveCount)),
  };
  return { clients, sent: (service) => stubs[service].getCalls().map((call) => call.args[0] as object) };
}

function stubSend(client: { send: unknown }, answer: Send): sinon.SinonStub {
  return (sinon.stub(client, 'send') as unknown as sinon.SinonStub).callsFake(answer);
}

function unexpected(command: object): never {
  throw new Error(`unexpected ${command.constructor.name}`);
}

function sfnAnswers(options: FakeAwsOptions): Send {
  const describes = options.describe ?? [{ status: 'SUCCEEDED' }];
  const history = options.history ?? [];
  const pageSize = options.pageSize ?? 1000;
  let described = 0;
  return async (command) => {
    if (command instanceof StartExecutionCommand) return { executionArn: EXECUTION_ARN, startDate: new Date() };
    if (command instanceof DescribeExecutionCommand) {
      const answer = describes[Math.min(described, describes.length - 1)];
      described += 1;
      return { executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, ...answer };
    }
    if (command instanceof GetExecutionHistoryCommand) {
      const start = Number(command.input.nextToken ?? 0);
      const end = start + Math.min(pageSize, command.input.maxResults ?? 100);
      return { events: history.slice(start, end), ...(end < history.length ? { nextToken: String(end) } : {}) };
    }
    if (command instanceof DescribeStateMachineForExecutionCommand) {
      return { stateMachineArn: STATE_MACHINE_ARN, definition: JSON.stringify(DEFINITION) };
    }
    return unexpected(command);
  };
}

function dynamodbAnswers(options: FakeAwsOptions): Send {
  const table = options.table ?? new Map<string, string>();
  let unprocessed = options.unprocessedOnce ?? 0;
  return async (command) => {
    if (!(command instanceof BatchGetItemCommand)) return unexpected(command);
    const { Keys = [] } = (command.input as BatchGetItemInput).RequestItems![TABLE_NAME]!;
    const held = Keys.slice(0, unprocessed);
    unprocessed = 0;
    const items = Keys.slice(held.length)
      .map((key) => key.MessageId!.S!)
      .filter((id) => table.has(id))
      .map((id) => ({ MessageId: { S: id }, Message: { S: table.get(id)! } }));
    return {
      Responses: { [TABLE_NAME]: items },
      UnprocessedKeys: held.length > 0 ? { [TABLE_NAME]: { Keys: held } } : {},
    };
  };
}

/** A standard queue: received messages hide until their visibility is reset to 0, and count each receive. */
function sqsAnswers(queue: QueuedMessage[], maxReceiveCount: number | undefined): Send {
  const messages = queue.map((message, index) => ({
    ...message,
    sqsId: `sqs-${index}`,
    hidden: false,
    receives: message.receiveCount ?? 0,
  }));
  return async (command) => {
    if (command instanceof GetQueueAttributesCommand) {
      const visible = messages.filter((message) => !message.hidden).length;
      const redrive =
        maxReceiveCount === undefined
          ? {}
          : { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq', maxReceiveCount }) };
      return { Attributes: { ApproximateNumberOfMessages: String(visible), ...redrive } };
    }
    if (command instanceof ReceiveMessageCommand) {
      const { MaxNumberOfMessages = 1 } = command.input as ReceiveMessageRequest;
      const batch = messages.filter((message) => !message.hidden).slice(0, MaxNumberOfMessages);
      for (const message of batch) {
        message.hidden = true;
        message.receives += 1;
      }
      return {
        Messages: batch.map((message) => ({
          MessageId: message.sqsId,
          ReceiptHandle: `rh-${message.sqsId}`,
          Body: message.body,
          Attributes: { ApproximateReceiveCount: String(message.receives) },
          ...(message.messageId === undefined
            ? {}
            : { MessageAttributes: { MessageId: { DataType: 'String', StringValue: message.messageId } } }),
        })),
      };
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      const { Entries = [] } = command.input as ChangeMessageVisibilityBatchRequest;
      for (const entry of Entries) {
        const message = messages.find((candidate) => `rh-${candidate.sqsId}` === entry.ReceiptHandle);
        if (message && entry.VisibilityTimeout === 0) message.hidden = false;
      }
      return { Successful: Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    }
    return unexpected(command);
  };
}

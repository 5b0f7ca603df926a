// Execution histories shaped like GetExecutionHistory's answers for the transfer-records
// state machine: the same event types, details and payloads AWS records, in the same order.
import { createHash } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StackOutputs } from '../../aws/outputs.ts';
import { CHOICE, POP, READ, REJECT, SEED, SEND, SUCCEED } from '../fixtures/records/definition.ts';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:transfer-records-state-machine`;
export const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:transfer-records-state-machine:run-20250301T120000Z-a1b2c3`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:transfer-records-seed`;
export const TABLE_NAME = 'transfer-records-table';
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/transfer-records-queue`;
export const DLQ_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/transfer-records-dlq`;
export const OUTPUTS: StackOutputs = {
  stateMachineArn: STATE_MACHINE_ARN,
  tableName: TABLE_NAME,
  queueUrl: QUEUE_URL,
};
export const STARTED = new Date('2025-03-01T12:00:00.000Z');

export { CHOICE, POP, READ, REJECT, SEED, SEND, SUCCEED };

export interface Item {
  id: string;
  body: string;
}

/** Two items; the second body is the longest payload and holds multi-byte characters. */
export const ITEMS: Item[] = [
  { id: '5d41402abc4b-0001', body: 'Message 1' },
  { id: '5d41402abc4b-0002', body: 'Mensagem número 2 — çãé '.repeat(8) },
];

const sdkMetadata = (requestId: string) => ({
  SdkHttpMetadata: { HttpHeaders: { 'x-amzn-RequestId': requestId }, HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: requestId },
});

/** Appends events with ids, previousEventId links and timestamps that advance by `step` ms. */
class History {
  readonly events: HistoryEvent[] = [];
  private at = STARTED.getTime();

  add(type: string, details: Partial<HistoryEvent> = {}, step = 10): this {
    this.at += this.events.length === 0 ? 0 : step;
    const id = this.events.length + 1;
    this.events.push({
      id,
      ...(id > 1 ? { previousEventId: id - 1 } : {}),
      timestamp: new Date(this.at),
      type,
      ...details,
    } as HistoryEvent);
    return this;
  }

  enter(kind: string, name: string, input: unknown, step = 10): this {
    return this.add(`${kind}StateEntered`, {
      stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } },
    }, step);
  }

  exit(kind: string, name: string, output: unknown, step = 10): this {
    return this.add(`${kind}StateExited`, {
      stateExitedEventDetails: { name, output: JSON.stringify(output), outputDetails: { truncated: false } },
    }, step);
  }

  task(resourceType: string, resource: string, parameters: unknown, output: unknown, ms: number): this {
    const base = { resourceType, resource };
    return this.add('TaskScheduled', {
      taskScheduledEventDetails: { ...base, region: REGION, parameters: JSON.stringify(parameters) },
    })
      .add('TaskStarted', { taskStartedEventDetails: base })
      .add('TaskSucceeded', {
        taskSucceededEventDetails: { ...base, output: JSON.stringify(output), outputDetails: { truncated: false } },
      }, ms);
  }

  failTask(resourceType: string, resource: string, error: string, cause: string, ms: number): this {
    return this.add('TaskFailed', { taskFailedEventDetails: { resourceType, resource, error, cause } }, ms);
  }

  start(input: unknown): this {
    return this.add('ExecutionStarted', {
      executionStartedEventDetails: {
        input: JSON.stringify(input),
        inputDetails: { truncated: false },
        roleArn: `arn:aws:iam::${ACCOUNT}:role/transfer-records-sfn-role`,
      },
    });
  }
}

function seedTask(history: History, input: unknown, items: Item[]): string[] {
  const list = [...items.map((item) => item.id), 'DONE'];
  history
    .enter('Task', SEED, input)
    .add('TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        region: REGION,
        parameters: JSON.stringify({ FunctionName: FUNCTION_ARN, Payload: { input, executionId: EXECUTION_ARN } }),
      },
    })
    .add('TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } })
    .add('TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: list, ...sdkMetadata('seed-req'), StatusCode: 200 }),
        outputDetails: { truncated: false },
      },
    }, 800)
    .exit('Task', SEED, { List: list });
  return list;
}

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** SendMessage's parameters as the deployed definition evaluates them for an item. */
export const sendParameters = (item: Item, queueUrl = QUEUE_URL) => ({
  QueueUrl: queueUrl,
  MessageBody: item.body,
  MessageAttributes: { MessageId: { DataType: 'String', StringValue: item.id } },
});

/** SendMessage's result as the optimized integration records it: SQS's MessageId and the body's MD5. */
export const sendResult = (item: Item, index: number) => ({
  MD5OfMessageAttributes: 'c0d5f3a4e1b2c3d4e5f60718293a4b5c',
  MD5OfMessageBody: md5(item.body),
  MessageId: `0b6e7a3c-0000-4000-8000-00000000000${index}`,
  ...sdkMetadata(`sqs-req-${index}`),
});

function loopIteration(history: History, list: string[], item: Item, index: number): string[] {
  const dynamo = { Item: { Message: { S: item.body }, MessageId: { S: item.id } } };
  const sqs = sendResult(item, index);
  const rest = list.slice(1);
  history
    .enter('Choice', CHOICE, { List: list })
    .exit('Choice', CHOICE, { List: list })
    .enter('Task', READ, { List: list })
    .task('dynamodb', 'getItem', { TableName: TABLE_NAME, Key: { MessageId: { S: item.id } }, ConsistentRead: true }, dynamo, 30)
    .exit('Task', READ, { List: list, DynamoDB: dynamo })
    .enter('Task', SEND, { List: list, DynamoDB: dynamo })
    .task('sqs', 'sendMessage', sendParameters(item), sqs, 40)
    .exit('Task', SEND, { List: list, DynamoDB: dynamo, SQS: sqs })
    .enter('Pass', POP, { List: list, DynamoDB: dynamo, SQS: sqs })
    .exit('Pass', POP, { List: rest });
  return rest;
}

/** A run of `{"count": 2}` that seeds ITEMS and sends both: 11 + 14 × 2 = 39 events. */
export function succeededHistory(items: Item[] = ITEMS, input: unknown = { count: items.length }): HistoryEvent[] {
  const history = new History().start(input);
  let list = seedTask(history, input, items);
  items.forEach((item, index) => {
    list = loopIteration(history, list, item, index);
  });
  history
    .enter('Choice', CHOICE, { List: list })
    .exit('Choice', CHOICE, { List: list })
    .enter('Succeed', SUCCEED, { List: list })
    .exit('Succeed', SUCCEED, { List: list })
    .add('ExecutionSucceeded', {
      executionSucceededEventDetails: { output: JSON.stringify({ List: list }), outputDetails: { truncated: false } },
    });
  return history.events;
}

export const INVALID_CAUSE = JSON.stringify({
  errorType: 'InvalidInput',
  errorMessage: 'count must be an integer from 1 to 1784, got 5000',
  trace: ['InvalidInput: count must be an integer from 1 to 1784, got 5000', '    at validate (file:///var/task/index.mjs:1:100)'],
});

/** `{"count": 5000}`, above the maximum: the seed function rejects it, the Catch routes to the Fail state. */
export function invalidInputHistory(): HistoryEvent[] {
  const input = { count: 5000 };
  const caught = { ...input, Error: { Error: 'InvalidInput', Cause: INVALID_CAUSE } };
  return new History()
    .start(input)
    .enter('Task', SEED, input)
    .add('TaskScheduled', {
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' },
    })
    .add('TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } })
    .failTask('lambda', 'invoke', 'InvalidInput', INVALID_CAUSE, 120)
    .exit('Task', SEED, caught)
    .add('FailStateEntered', {
      stateEnteredEventDetails: { name: REJECT, input: JSON.stringify(caught), inputDetails: { truncated: false } },
    })
    .add('ExecutionFailed', { executionFailedEventDetails: { error: 'InvalidInput', cause: INVALID_CAUSE } }).events;
}

/** The first item's SendMessage is throttled, retried, then denied; no Catch applies, so the execution fails there. */
export function sendDeniedHistory(items: Item[] = ITEMS): HistoryEvent[] {
  const input = { count: items.length };
  const history = new History().start(input);
  const list = seedTask(history, input, items);
  const item = items[0]!;
  const dynamo = { Item: { Message: { S: item.body }, MessageId: { S: item.id } } };
  history
    .enter('Choice', CHOICE, { List: list })
    .exit('Choice', CHOICE, { List: list })
    .enter('Task', READ, { List: list })
    .task('dynamodb', 'getItem', {}, dynamo, 30)
    .exit('Task', READ, { List: list, DynamoDB: dynamo })
    .enter('Task', SEND, { List: list, DynamoDB: dynamo })
    .add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'sqs', resource: 'sendMessage', region: REGION, parameters: '{}' } })
    .add('TaskStarted', { taskStartedEventDetails: { resourceType: 'sqs', resource: 'sendMessage' } })
    .failTask('sqs', 'sendMessage', 'SQS.RequestThrottledException', 'Request is throttled', 50)
    .add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'sqs', resource: 'sendMessage', region: REGION, parameters: '{}' } }, 1000)
    .add('TaskStarted', { taskStartedEventDetails: { resourceType: 'sqs', resource: 'sendMessage' } })
    .failTask('sqs', 'sendMessage', 'SQS.AccessDeniedException', 'Access to the resource is denied', 50)
    .add('ExecutionFailed', {
      executionFailedEventDetails: { error: 'SQS.AccessDeniedException', cause: 'Access to the resource is denied' },
    }, 5);
  return history.events;
}

export const DEFINITION = {
  Comment: 'rendered transfer-records definition',
  StartAt: SEED,
  States: { [SEED]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
};

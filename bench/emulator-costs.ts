// `node --expose-gc --import tsx bench/emulator-costs.ts [--count N]` (N = 20,000 by default):
// what the embedded emulators cost the at-scale workflow's calls, through an SDK client over HTTP
// as the seed function's: CPU (user + system, this process: the client's SDK included) to write
// N items with BatchWriteItem (25 an item batch, 16 in flight, as the seed) and to read them back
// with BatchGetItem (100 a batch), and the heap each item and each message sent with
// SendMessageBatch (10 a batch, with the MessageId attribute, as a child) keeps: held in the
// backlog (local/services/sqs-backlog.ts), then once a GetQueueAttributes has had local-aws-sqs
// store them.
import { parseArgs } from 'node:util';
import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, startEmulators } from '../local/services/emulators.ts';

const REGION = 'us-east-1';
const TABLE = 'bench-records';
const IN_FLIGHT = 16;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc: the heap figures need collections');

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' } } });
const count = Number(values.count);
const id = (index: number) => `0123456789abcdef0123456789abcdef-${String(index).padStart(7, '0')}`;

/** Heap and external memory after full collections, in bytes. */
function retained(): number {
  gc!();
  gc!();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Runs `call` on batches of `size` indexes, IN_FLIGHT at a time; returns the CPU seconds it took. */
async function inBatches(size: number, call: (start: number, end: number) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next = Math.min(count, start + size);
      await call(start, next);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1e6;
}

const indexes = (start: number, end: number) => Array.from({ length: end - start }, (_, offset) => start + offset);

const emulators = await startEmulators({ region: REGION, accountId: '000000000000' });
const options = { region: REGION, credentials: LOCAL_CREDENTIALS };
const dynamodb = new DynamoDBClient({ ...options, endpoint: emulators.endpoints.dynamodb });
const sqs = new SQSClient({ ...options, endpoint: emulators.endpoints.sqs });
try {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'MessageId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'MessageId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // dynalite makes the table ACTIVE on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-queue' }))).QueueUrl!;

  let before = retained();
  const writeCpu = await inBatches(25, (start, end) =>
    dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: { [TABLE]: indexes(start, end).map((i) => ({ PutRequest: { Item: { MessageId: { S: id(i) }, Message: { S: `Message ${i + 1} of ${count}` } } } })) },
      }),
    ),
  );
  const itemBytes = (retained() - before) / count;
  const readCpu = await inBatches(100, async (start, end) => {
    const read = await dynamodb.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { ConsistentRead: true, Keys: indexes(start, end).map((i) => ({ MessageId: { S: id(i) } })) } } }));
    if (read.Responses?.[TABLE]?.length !== end - start) throw new Error(`BatchGetItem answered ${read.Responses?.[TABLE]?.length} of ${end - start} items`);
  });
  before = retained();
  const sendCpu = await inBatches(10, (start, end) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: indexes(start, end).map((i) => ({
          Id: String(i),
          MessageBody: `Message ${i + 1} of ${count}`,
          MessageAttributes: { MessageId: { DataType: 'String', StringValue: id(i) } },
        })),
      }),
    ),
  );
  const messageBytes = (retained() - before) / count;
  // Any request local-aws-sqs answers has it store the held messages first.
  await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const storedBytes = (retained() - before) / count;
  console.log(
    [
      `${count.toLocaleString('en-US')} items and messages, CPU (user + system) and memory kept (heap + external, after collections):`,
      `BatchWriteItem   ${writeCpu.toFixed(2)} s   ${itemBytes.toFixed(0)} B an item (dynalite)`,
      `BatchGetItem     ${readCpu.toFixed(2)} s`,
      `SendMessageBatch ${sendCpu.toFixed(2)} s   ${messageBytes.toFixed(0)} B a message (held in the backlog), ${storedBytes.toFixed(0)} B once local-aws-sqs stores it`,
    ].join('\n'),
  );
} finally {
  dynamodb.destroy();
  sqs.destroy();
  await emulators.stop();
}

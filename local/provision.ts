// Creates the workflow's table, queue and dead-letter queue on the emulators, from the same
// settings the stack deploys, and describes them with ARNs shaped like AWS's.
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE, TABLE, type ResourceNames } from '../workflow/resources.ts';
import type { LocalResources } from './contracts.ts';

/** The account id AWS's own local tools use; every local ARN carries it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export function tableArn(region: string, accountId: string, tableName: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}`;
}

export function queueArn(region: string, accountId: string, queueName: string): string {
  return `arn:aws:sqs:${region}:${accountId}:${queueName}`;
}

export function lambdaFunctionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

export class InvalidQueueUrl extends Error {
  override name = 'InvalidQueueUrl';
}

/** A queue URL's path is /<account>/<name>, on AWS and on the emulator alike. */
export function queueArnFromUrl(queueUrl: string, region: string): string {
  let segments: string[];
  try {
    segments = new URL(queueUrl).pathname.split('/').filter(Boolean);
  } catch {
    throw new InvalidQueueUrl(`"${queueUrl}" is not a queue URL`);
  }
  const [accountId, queueName] = segments.slice(-2);
  if (segments.length < 2 || !accountId || !queueName) {
    throw new InvalidQueueUrl(`"${queueUrl}" is not a queue URL: its path must end in /<account id>/<queue name>`);
  }
  return queueArn(region, accountId, queueName);
}

export interface ProvisionTarget {
  names: ResourceNames;
  region: string;
  accountId: string;
}

export class ProvisioningFailed extends Error {
  override name = 'ProvisioningFailed';
}

const TABLE_POLL_MS = 5;
const TABLE_POLL_ATTEMPTS = 200;

// CreateTable returns while the table is CREATING, as on AWS: wait until it takes requests.
async function waitForTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < TABLE_POLL_ATTEMPTS; attempt += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, TABLE_POLL_MS));
  }
  throw new ProvisioningFailed(`table ${tableName} did not become ACTIVE`);
}

async function createTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: TABLE.hashKey, KeyType: 'HASH' }],
      AttributeDefinitions: TABLE.attributes.map((attribute) => ({
        AttributeName: attribute.name,
        AttributeType: attribute.type,
      })),
      BillingMode: TABLE.billingMode,
    }),
  );
  await waitForTable(dynamodb, tableName);
}

async function createQueue(sqs: SQSClient, queueName: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
  if (!QueueUrl) throw new ProvisioningFailed(`CreateQueue returned no QueueUrl for ${queueName}`);
  return QueueUrl;
}

/** Creates the resources and returns them as the rest of the runtime sees them. */
export async function provision(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient },
  target: ProvisionTarget,
): Promise<LocalResources> {
  const { names, region, accountId } = target;
  const deadLetterQueueArn = queueArn(region, accountId, names.deadLetterQueue);
  const [, deadLetterQueueUrl] = await Promise.all([
    createTable(clients.dynamodb, names.table),
    createQueue(clients.sqs, names.deadLetterQueue, {
      MessageRetentionPeriod: String(QUEUE.deadLetterRetentionSeconds),
    }),
  ]);
  // The redrive policy names the dead-letter queue, which must exist first.
  const queueUrl = await createQueue(clients.sqs, names.queue, {
    VisibilityTimeout: String(QUEUE.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(QUEUE.messageRetentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: QUEUE.maxReceiveCount }),
  });
  const seedFunctionArn = lambdaFunctionArn(region, accountId, names.seedFunction);
  return {
    region,
    accountId,
    names,
    tableArn: tableArn(region, accountId, names.table),
    queueUrl,
    queueArn: queueArn(region, accountId, names.queue),
    deadLetterQueueUrl,
    deadLetterQueueArn,
    seedFunctionArn,
    stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:${names.stateMachine}`,
    templateVars: { SeedFunctionArn: seedFunctionArn, TableName: names.table, QueueUrl: queueUrl },
  };
}

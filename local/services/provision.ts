// Creates every data resource of the description on the emulators, from the same settings the
// stack deploys, and describes them, its functions and its state machines with ARNs shaped like AWS's.
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { checkApplication, grantArns, findWorkflow, resolveAttribute } from '../../workflow/app.ts';
import { arns as arn, executionArnOf, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import type { Application, DataResource, QueueResource, TableResource, WorkflowSpec } from '../../workflow/description.ts';
import { functionNames, resourceName, workflowNames } from '../../workflow/names.ts';
import type { LocalDataResource, LocalResources } from '../contracts.ts';

/** The account id AWS's own local tools use; every local ARN carries it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export function tableArn(region: string, accountId: string, tableName: string): string {
  return arn.dynamodbTable({ ...OFFLINE_SCOPE, region, account: accountId }, tableName);
}

export function queueArn(region: string, accountId: string, queueName: string): string {
  return arn.sqsQueue({ ...OFFLINE_SCOPE, region, account: accountId }, queueName);
}

/** The ARN IAM authorizes a bucket's actions on (s3:ListBucket); its objects' are under it. */
export function s3BucketArn(bucketName: string): string {
  return arn.s3Bucket(OFFLINE_SCOPE, bucketName);
}

export function lambdaFunctionArn(region: string, accountId: string, functionName: string): string {
  return arn.lambdaFunction({ ...OFFLINE_SCOPE, region, account: accountId }, functionName);
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
  app: Application;
  /** The workflow the environment runs. */
  workflow: string;
  prefix: string;
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

async function createTable(dynamodb: DynamoDBClient, table: TableResource, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: table.hashKey, KeyType: 'HASH' }],
      AttributeDefinitions: table.attributes.map((attribute) => ({
        AttributeName: attribute.name,
        AttributeType: attribute.type,
      })),
      BillingMode: table.billingMode,
    }),
  );
  await waitForTable(dynamodb, tableName);
}

async function createQueue(sqs: SQSClient, queueName: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
  if (!QueueUrl) throw new ProvisioningFailed(`CreateQueue returned no QueueUrl for ${queueName}`);
  return QueueUrl;
}

function queueAttributes(queue: QueueResource, created: Map<string, LocalDataResource>): Record<string, string> {
  const attributes: Record<string, string> = { MessageRetentionPeriod: String(queue.messageRetentionSeconds) };
  if (queue.visibilityTimeoutSeconds !== undefined) attributes.VisibilityTimeout = String(queue.visibilityTimeoutSeconds);
  if (queue.type === 'fifo') {
    Object.assign(attributes, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: queue.fifo.deduplicationScope,
      FifoThroughputLimit: queue.fifo.throughputLimit,
    });
  }
  if (queue.redrive) {
    // checkApplication made sure the dead-letter queue comes first.
    const deadLetter = created.get(queue.redrive.deadLetterQueue)!;
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: queue.redrive.maxReceiveCount });
  }
  return attributes;
}

/** A resource kind the emulators cannot hold. */
export class UnsupportedResourceKind extends Error {
  override name = 'UnsupportedResourceKind';
}

type Clients = { dynamodb: DynamoDBClient; sqs: SQSClient };

async function createResource(
  clients: Clients,
  resource: DataResource,
  target: ProvisionTarget,
  created: Map<string, LocalDataResource>,
): Promise<LocalDataResource> {
  const { region, accountId } = target;
  const name = resourceName(target.prefix, resource);
  switch (resource.kind) {
    case 'table':
      await createTable(clients.dynamodb, resource, name);
      return { name, arn: tableArn(region, accountId, name) };
    case 'queue':
      return { name, arn: queueArn(region, accountId, name), url: await createQueue(clients.sqs, name, queueAttributes(resource, created)) };
    case 'bucket':
      // The S3 emulator starts with the application's buckets (environment.ts): nothing to create.
      return { name, arn: arn.s3Bucket(OFFLINE_SCOPE, name) };
    default: {
      // A kind added to the description before an emulator holds it.
      const unknown = resource as DataResource;
      throw new UnsupportedResourceKind(`resource ${unknown.id}: offline, no emulator holds a ${unknown.kind}`);
    }
  }
}

/** Creates every data resource, in the description's order (a dead-letter queue before its queue), and describes the application. */
export async function provision(clients: Clients, target: ProvisionTarget): Promise<LocalResources> {
  const { app } = target;
  checkApplication(app);
  const data = new Map<string, LocalDataResource>();
  // Tables take the longest to become ACTIVE: they are created side by side with the queues, which go in order.
  const tables = app.resources.filter((r) => r.kind === 'table');
  const tablesCreated = Promise.all(tables.map(async (r) => data.set(r.id, await createResource(clients, r, target, data))));
  try {
    for (const resource of app.resources.filter((r) => r.kind !== 'table')) {
      data.set(resource.id, await createResource(clients, resource, target, data));
    }
  } finally {
    await tablesCreated;
  }
  return localResources(target, Object.fromEntries(data));
}

/**
 * The application as the runtime sees it once its data resources exist (`data`, by id): every
 * function's and state machine's names and ARN, the ARN of every ref a grant may name, and the
 * running workflow's placeholder values.
 */
export function localResources(target: ProvisionTarget, dataById: Record<string, LocalDataResource>): LocalResources {
  const { app, prefix, region, accountId } = target;
  const workflow = findWorkflow(app, target.workflow);
  const data = new Map(Object.entries(dataById));
  const functions = Object.fromEntries(
    app.functions.map((fn) => {
      const names = functionNames(prefix, fn);
      return [fn.name, { ...names, arn: lambdaFunctionArn(region, accountId, names.function) }];
    }),
  );
  const stateMachines = Object.fromEntries(
    app.workflows.map((w) => {
      const names = workflowNames(prefix, w);
      return [w.name, { ...names, arn: arn.stateMachine({ ...OFFLINE_SCOPE, region, account: accountId }, names.stateMachine) }];
    }),
  );
  const byName = <T>(record: Record<string, T>, name: string) => record[name]!;
  const arns = grantArns(app, {
    resource: (r) => data.get(r.id)!.arn,
    function: (fn) => byName(functions, fn.name).arn,
    logGroup: (fn) => arn.logGroup({ ...OFFLINE_SCOPE, region, account: accountId }, byName(functions, fn.name).logGroup),
    stateMachine: (w) => byName(stateMachines, w.name).arn,
    executions: (w) => executionArnOf(byName(stateMachines, w.name).arn, '*'),
    eventsRule: (name) => arn.eventsRule({ ...OFFLINE_SCOPE, region, account: accountId }, name),
  });
  const placeholderValues = (w: WorkflowSpec) =>
    Object.fromEntries(
      Object.entries(w.placeholders).map(([name, attribute]) => [
        name,
        resolveAttribute(app, attribute, {
          resource: (r, what) => (what === 'url' ? (data.get(r.id)!.url ?? data.get(r.id)!.name) : data.get(r.id)![what]),
          function: (fn, what) => (what === 'arn' ? byName(functions, fn.name).arn : byName(functions, fn.name).function),
          workflow: (other, what) => (what === 'arn' ? byName(stateMachines, other.name).arn : byName(stateMachines, other.name).stateMachine),
        }),
      ]),
    );
  const workflowVars = Object.fromEntries(app.workflows.map((w) => [w.name, placeholderValues(w)]));
  return {
    region,
    accountId,
    prefix,
    app,
    data: Object.fromEntries(data),
    functions,
    stateMachines,
    arns,
    workflow,
    stateMachineArn: byName(stateMachines, workflow.name).arn,
    templateVars: workflowVars[workflow.name]!,
    workflowVars,
  };
}

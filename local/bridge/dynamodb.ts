// DynamoDB tasks: the optimized getItem/putItem/updateItem/deleteItem and aws-sdk:dynamodb:<action>.
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import { THROTTLED } from '../../workflow/service-errors.ts';
import { sendCommand } from '../services/direct-client.ts';
import { DYNALITE_OPERATIONS } from '../services/dynalite-operations.ts';
import type { RequiredPermission } from '../services/iam.ts';
import { tableArn } from '../services/provision.ts';
import { authorize, commandClass, operationName, type CallContext, type ServiceCall } from './context.ts';
import { sdkFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { optimizedResponse, sdkResponse } from './response.ts';
import type { ServiceDescriptor } from './service.ts';
import { isObject } from '../../workflow/json.ts';

type Params = Record<string, unknown>;

// The error shapes of DynamoDB's API model, as the SDK names their classes: codes such as
// RequestLimitExceeded and InternalServerError gain an Exception suffix. ThrottlingException,
// which on-demand tables answer, is not one of them in SDK v1.
const DYNAMODB_MODELED: ReadonlySet<string> = new Set([
  'BackupInUseException',
  'BackupNotFoundException',
  'ConditionalCheckFailedException',
  'ContinuousBackupsUnavailableException',
  'GlobalTableAlreadyExistsException',
  'GlobalTableNotFoundException',
  'IdempotentParameterMismatchException',
  'IndexNotFoundException',
  'InternalServerErrorException',
  'InvalidRestoreTimeException',
  'ItemCollectionSizeLimitExceededException',
  'LimitExceededException',
  'PointInTimeRecoveryUnavailableException',
  'ProvisionedThroughputExceededException',
  'ReplicaAlreadyExistsException',
  'ReplicaNotFoundException',
  'RequestLimitExceededException',
  'ResourceInUseException',
  'ResourceNotFoundException',
  'TableAlreadyExistsException',
  'TableInUseException',
  'TableNotFoundException',
  'TransactionCanceledException',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

export const DYNAMODB_ERRORS: ServiceErrors = {
  optimized: { prefix: 'DynamoDB', generic: 'AmazonDynamoDBException', service: 'AmazonDynamoDBv2', modeled: DYNAMODB_MODELED },
  // SDK v2's current DynamoDB model names the throttling of an on-demand table (workflow/service-errors.ts).
  sdk: { prefix: 'DynamoDb', generic: 'DynamoDbException', service: 'DynamoDb', modeled: new Set([...DYNAMODB_MODELED, 'ThrottlingException']) },
  accessDenied: { status: 400, name: 'AccessDeniedException' },
};

function tableArns(params: Params, region: string, accountId: string): string[] {
  const toArn = (name: string) => (name.startsWith('arn:') ? name : tableArn(region, accountId, name));
  const names: string[] = [];
  if (typeof params.TableName === 'string') {
    const table = toArn(params.TableName);
    // Query and Scan on an index need the permission on the index's own ARN.
    names.push(typeof params.IndexName === 'string' ? `${table}/index/${params.IndexName}` : table);
  }
  if (isObject(params.RequestItems)) names.push(...Object.keys(params.RequestItems).map(toArn));
  if (Array.isArray(params.TransactItems)) {
    for (const item of params.TransactItems) {
      if (!isObject(item)) continue;
      for (const operation of Object.values(item)) {
        if (isObject(operation) && typeof operation.TableName === 'string') names.push(toArn(operation.TableName));
      }
    }
  }
  return names.length > 0 ? [...new Set(names)] : ['*'];
}

/** DynamoDB's IAM actions are its API operation names. */
export function dynamodbPermission(operation: string, params: Params, region: string, accountId: string): RequiredPermission {
  return { action: `dynamodb:${operation}`, resources: tableArns(params, region, accountId) };
}

const OPTIMIZED_DYNAMODB_ACTIONS = ['getItem', 'putItem', 'updateItem', 'deleteItem'];

// Members whose keys are attribute names or table names, not API member names.
const MAP_FIELDS = new Set([
  'Attributes',
  'ExclusiveStartKey',
  'Item',
  'ItemCollectionKey',
  'Items',
  'Key',
  'Keys',
  'LastEvaluatedKey',
  'Responses',
  'UnprocessedItems',
  'UnprocessedKeys',
]);

type DynamoDBCommand = Parameters<DynamoDB.DynamoDBClient['send']>[0];

const dynamodbCommand = (action: string) => commandClass<DynamoDBCommand>(DynamoDB, action);

/** Whether the SDK has this API action and the local DynamoDB answers it. */
export function isDynamoDbAction(action: string): boolean {
  return dynamodbCommand(action) !== undefined && DYNALITE_OPERATIONS.includes(operationName(action));
}

export function dynamodbTask(
  style: IntegrationStyle,
  action: string,
  client: DynamoDB.DynamoDBClient,
  context: CallContext,
): ServiceCall {
  const Command = dynamodbCommand(action)!;
  const operation = operationName(action);
  return async (params) => {
    const { region, accountId } = context.resources;
    authorize(context, dynamodbPermission(operation, params, region, accountId), DYNAMODB_ERRORS, style);
    context.injectFault('dynamodb', action);
    let output: object;
    try {
      output = (await sendCommand(client, Command, params)) as object;
    } catch (error) {
      throw sdkFailure(DYNAMODB_ERRORS, style, error);
    }
    return style === 'optimized' ? optimizedResponse(output) : sdkResponse(output, MAP_FIELDS);
  };
}

/** DynamoDB: the optimized item actions and every aws-sdk:dynamodb action; its emulator checks a role's calls. */
export const DYNAMODB_SERVICE: ServiceDescriptor = {
  name: 'dynamodb',
  optimized: OPTIMIZED_DYNAMODB_ACTIONS,
  sdkAction: isDynamoDbAction,
  errors: DYNAMODB_ERRORS,
  permission: dynamodbPermission,
  faults: { throttled: THROTTLED.dynamodb },
  call: ({ style, action, clients, context }) => dynamodbTask(style, action, clients.dynamodb, context),
};

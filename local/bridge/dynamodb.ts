// DynamoDB tasks: the optimized getItem/putItem/updateItem/deleteItem and aws-sdk:dynamodb:<action>.
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import { dynamodbPermission } from '../iam.ts';
import { authorize, commandClass, operationName, type CallContext, type ServiceCall } from './context.ts';
import { DYNAMODB_ERRORS, sdkFailure, type IntegrationStyle } from './errors.ts';
import { optimizedResponse, sdkResponse } from './response.ts';

export const OPTIMIZED_DYNAMODB_ACTIONS = ['getItem', 'putItem', 'updateItem', 'deleteItem'];

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

/** Whether the SDK has this API action (aws-sdk integrations reach every one of them). */
export function isDynamoDbAction(action: string): boolean {
  return dynamodbCommand(action) !== undefined;
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
      output = await client.send(new Command(params));
    } catch (error) {
      throw sdkFailure(DYNAMODB_ERRORS, style, error);
    }
    return style === 'optimized' ? optimizedResponse(output) : sdkResponse(output, MAP_FIELDS);
  };
}

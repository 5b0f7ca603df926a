import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

/**
 * One client per container, created on first use so that warm invocations reuse its
 * connections. Region and endpoint come from the SDK's own environment variables
 * (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB), which Lambda and the offline runtime set.
 * The function adds no middleware, so each command's stack is resolved once rather than on
 * every send: at a million records that is 40,000 BatchWriteItem calls.
 */
export function defaultDynamoDbClient(): DynamoDBClient {
  client ??= new DynamoDBClient({ cacheMiddleware: true });
  return client;
}

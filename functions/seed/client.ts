import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

/**
 * One client per container, created on first use so that warm invocations reuse its
 * connections. Region and endpoint come from the SDK's own environment variables
 * (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB), which Lambda and the offline runtime set.
 */
export function defaultDynamoDbClient(): DynamoDBClient {
  client ??= new DynamoDBClient({});
  return client;
}

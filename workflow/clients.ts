// The one place AWS SDK clients are built for the tools that run outside Lambda
// (the AWS run client and the offline runtime). The seed Lambda builds its own.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface ClientOptions {
  region: string;
  /** Service endpoints, for the offline emulators; AWS's own when absent. */
  endpoints?: { dynamodb?: string; sqs?: string; sfn?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface Clients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sfn: SFNClient;
}

export function createClients(options: ClientOptions): Clients {
  const common = {
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});
  return {
    dynamodb: new DynamoDBClient({ ...common, ...endpoint(options.endpoints?.dynamodb) }),
    sqs: new SQSClient({ ...common, ...endpoint(options.endpoints?.sqs) }),
    sfn: new SFNClient({ ...common, ...endpoint(options.endpoints?.sfn) }),
  };
}

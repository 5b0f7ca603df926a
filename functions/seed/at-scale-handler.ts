// The at-scale mode's handler: it writes the items, lists their keys in S3 and returns where. The
// Lambda entry (index.ts) imports this module at the mode's first invocation, so that the S3
// client, about a third of the bundle, is not evaluated at a cold start of the classic workflow.
import { AT_SCALE_RETRY, seedAtScale, type KeyListResult } from './at-scale.ts';
import { containerDynamoDbClient } from './client.ts';
import { writeSettings, type HandlerOptions, type SeedContext } from './options.ts';
import { containerS3Client } from './s3-client.ts';

export type AtScaleHandler = (event: unknown, context: SeedContext) => Promise<KeyListResult>;

/**
 * Builds the handler; what is not injected comes from the runtime, as for the classic mode: the
 * container's DynamoDB client (`dynamodb`, the one the entry shares between both modes) and an S3
 * client of this handler's own.
 */
export function createAtScaleHandler(options: HandlerOptions = {}, dynamodb = containerDynamoDbClient()): AtScaleHandler {
  const s3 = containerS3Client();
  return async (event, context) => {
    const settings = writeSettings(options, context, AT_SCALE_RETRY, dynamodb);
    return seedAtScale(event, context.awsRequestId, { ...settings, s3: options.s3 ?? s3() });
  };
}

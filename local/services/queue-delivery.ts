// What SNS and EventBridge deliver to a queue of the SQS emulator, named by its ARN, as those
// services send it: through SQS's own API, so the queue's FIFO order and deduplication apply.
import { GetQueueUrlCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueMessage {
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** A FIFO queue's. */
  groupId?: string;
  deduplicationId?: string;
}

/** Sends a message to a queue by ARN; rejects when the queue does not exist (the caller records it). */
export type DeliverToQueue = (queueArn: string, message: QueueMessage) => Promise<void>;

/** Delivers through the SQS client `sqs()` hands out (made when first needed). */
export function queueDelivery(sqs: () => SQSClient): DeliverToQueue {
  return async (queueArn, message) => {
    const client = sqs();
    // arn:aws:sqs:<region>:<account>:<name>
    const [, , , , account, name] = queueArn.split(':');
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }));
    await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: message.body,
        ...(message.attributes && Object.keys(message.attributes).length > 0 ? { MessageAttributes: message.attributes } : {}),
        ...(message.groupId === undefined ? {} : { MessageGroupId: message.groupId }),
        ...(message.deduplicationId === undefined ? {} : { MessageDeduplicationId: message.deduplicationId }),
      }),
    );
  };
}

// `make run --peek`: what the queue holds now, read with ReceiveMessage. The delivery figures never
// come from here (cli/deliveries.ts reads them from the history); a peek only shows the queue,
// and each one counts as a receive toward the redrive policy's maxReceiveCount.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { peekQueue } from '../execution/queue.ts';

export interface QueueReport {
  /** This execution's messages still in the queue. */
  thisExecution: number;
  /** Messages from other executions, or sent without the MessageId attribute. */
  others: number;
  /** The redrive policy's maxReceiveCount, when the queue has one. */
  maxReceiveCount?: number;
  /** Messages received maxReceiveCount times, this peek included: the next receive moves them to the dead-letter queue. */
  atRedriveLimit: number;
}

export async function inspectQueue(sqs: SQSClient, queueUrl: string, executionIds: ReadonlySet<string>): Promise<QueueReport> {
  const { messages, maxReceiveCount } = await peekQueue(sqs, queueUrl);
  const ours = messages.filter((message) => message.messageId !== undefined && executionIds.has(message.messageId));
  return {
    thisExecution: ours.length,
    others: messages.length - ours.length,
    ...(maxReceiveCount === undefined ? {} : { maxReceiveCount }),
    atRedriveLimit:
      maxReceiveCount === undefined ? 0 : messages.filter((message) => message.receiveCount >= maxReceiveCount).length,
  };
}

export function formatQueueReport(report: QueueReport): string {
  const lines = [
    'Queue (--peek)',
    `  Holds ${report.thisExecution} of this execution's message(s) and ${report.others} other message(s)`,
  ];
  if (report.maxReceiveCount === undefined) {
    lines.push('  The queue has no redrive policy: peeking moves nothing to a dead-letter queue');
  } else {
    lines.push(
      `  This peek counted as one receive of each message toward the redrive policy's maxReceiveCount of ${report.maxReceiveCount}`,
    );
    if (report.atRedriveLimit > 0) {
      lines.push(
        `  ${report.atRedriveLimit} message(s) have now been received ${report.maxReceiveCount} times: ` +
          'the next receive, a peek included, moves them to the dead-letter queue',
      );
    }
  }
  return lines.join('\n');
}

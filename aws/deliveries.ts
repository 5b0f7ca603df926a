// What reached the queue, read from the execution's own history instead of the queue: each
// successful SendMessage task records the message it sent (TaskScheduled's parameters: the body
// and the MessageId attribute) and SQS's receipt (TaskSucceeded's output: the SQS MessageId and
// the MD5 of the body SQS stored). Reading it consumes nothing and moves no message toward the
// dead-letter queue, as every ReceiveMessage does.
import { createHash } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DeliveredMessage } from '../execution/execution-record.ts';
import { MESSAGE_ID_ATTRIBUTE } from '../execution/queue.ts';
import { LOST_ANSWER } from '../workflow/service-errors.ts';
import { parsePayload } from '../execution/history.ts';

export interface HistoryDeliveries {
  /** The messages this execution sent to the queue, in the order SQS accepted them. */
  delivered: DeliveredMessage[];
  warnings: string[];
}

// The optimized integration (sqs) and the AWS SDK one (aws-sdk:sqs) record the same action.
const SEND_RESOURCE_TYPES = new Set(['sqs', 'aws-sdk:sqs']);
const SEND_ACTION = 'sendMessage';

interface SendParameters {
  QueueUrl?: unknown;
  MessageBody?: unknown;
  MessageAttributes?: Record<string, { StringValue?: unknown } | undefined>;
}

/** SendMessage's result; the AWS SDK integration spells the MD5 member Md5OfMessageBody. */
interface SendResult {
  MessageId?: unknown;
  MD5OfMessageBody?: unknown;
  Md5OfMessageBody?: unknown;
}

export function deliveriesFromHistory(events: HistoryEvent[], queueUrl: string): HistoryDeliveries {
  const byId = new Map(events.filter((event) => event.id !== undefined).map((event) => [event.id!, event]));
  const delivered: DeliveredMessage[] = [];
  let unreadable = 0;
  let otherQueues = 0;
  let md5Mismatches = 0;
  for (const event of events) {
    const details = event.taskSucceededEventDetails;
    if (!details || !SEND_RESOURCE_TYPES.has(details.resourceType ?? '') || details.resource !== SEND_ACTION) continue;
    const parameters = parsePayload(scheduledFor(event, byId)?.taskScheduledEventDetails?.parameters) as SendParameters | undefined;
    const result = parsePayload(details.output) as SendResult | undefined;
    const body = bodyOf(parameters?.MessageBody);
    if (typeof result?.MessageId !== 'string' || body === undefined) {
      unreadable += 1;
      continue;
    }
    if (parameters!.QueueUrl !== queueUrl) {
      otherQueues += 1;
      continue;
    }
    const md5 = result.MD5OfMessageBody ?? result.Md5OfMessageBody;
    if (md5 !== createHash('md5').update(body, 'utf8').digest('hex')) md5Mismatches += 1;
    const messageId = parameters!.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue;
    delivered.push({ body, ...(typeof messageId === 'string' ? { messageId } : {}) });
  }
  const warnings: string[] = [];
  const unanswered = lostAnswers(events, byId, queueUrl);
  if (unanswered.length > 0) {
    warnings.push(
      `${unanswered.length} SendMessage attempt(s) failed with ${LOST_ANSWER.exception}, the answer lost, and were retried: ` +
        `a Standard queue may hold these MessageIds more than once, a FIFO queue drops the copies within five minutes; ` +
        `the history cannot tell, --peek reads the queue: ${unanswered.slice(0, 5).join(', ')}${unanswered.length > 5 ? ', …' : ''}`,
    );
  }
  if (unreadable > 0) {
    warnings.push(
      `${unreadable} successful SendMessage task(s) have no readable parameters or MessageId in the history (truncated?): not reconciled`,
    );
  }
  if (otherQueues > 0) warnings.push(`${otherQueues} message(s) were sent to queues other than ${queueUrl}: not reconciled`);
  if (md5Mismatches > 0) {
    warnings.push(`${md5Mismatches} message(s) have an MD5OfMessageBody that does not match the body their task sent`);
  }
  return { delivered, warnings };
}

/**
 * The MessageIds of the SendMessage attempts that failed without an answer (SdkClientException):
 * SQS may have stored the message, and the Retry sends it again.
 */
function lostAnswers(events: HistoryEvent[], byId: Map<number, HistoryEvent>, queueUrl: string): string[] {
  const ids: string[] = [];
  for (const event of events) {
    const details = event.taskFailedEventDetails;
    if (!details || !SEND_RESOURCE_TYPES.has(details.resourceType ?? '') || details.resource !== SEND_ACTION) continue;
    if (!details.error?.endsWith(`.${LOST_ANSWER.exception}`)) continue;
    const parameters = parsePayload(scheduledFor(event, byId)?.taskScheduledEventDetails?.parameters) as SendParameters | undefined;
    const messageId = parameters?.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue;
    if (parameters?.QueueUrl === queueUrl && typeof messageId === 'string') ids.push(messageId);
  }
  return ids;
}

/** The TaskScheduled event of a task result: TaskSucceeded follows TaskStarted, which follows it. */
function scheduledFor(event: HistoryEvent, byId: Map<number, HistoryEvent>): HistoryEvent | undefined {
  let current: HistoryEvent | undefined = event;
  while (current?.previousEventId !== undefined) {
    current = byId.get(current.previousEventId);
    if (current?.type === 'TaskScheduled') return current;
    if (current?.type !== 'TaskStarted') return undefined;
  }
  return undefined;
}

/** SendMessage sends a string body as it is; Step Functions serializes any other JSON value. */
function bodyOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// SQS tasks: the optimized sendMessage and aws-sdk:sqs:<action>.
import * as SQS from '@aws-sdk/client-sqs';
import { THROTTLED } from '../../workflow/service-errors.ts';
import { sendCommand } from '../services/direct-client.ts';
import type { RequiredPermission } from '../services/iam.ts';
import { InvalidQueueUrl, queueArn, queueArnFromUrl } from '../services/provision.ts';
import { authorize, commandClass, operationName, type CallContext, type ServiceCall } from './context.ts';
import { sdkFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { optimizedResponse, sdkResponse, type HeaderCasing } from './response.ts';
import type { ServiceDescriptor } from './service.ts';

type Params = Record<string, unknown>;

export const SQS_ERRORS: ServiceErrors = {
  // Step Functions' SQS integration names no SQS exception class: the code is in the cause only.
  optimized: { prefix: 'SQS', generic: 'AmazonSQSException', service: 'AmazonSQS', modeled: new Set() },
  sdk: {
    prefix: 'Sqs',
    generic: 'SqsException',
    service: 'Sqs',
    modeled: new Set([
      'BatchEntryIdsNotDistinctException',
      'BatchRequestTooLongException',
      'EmptyBatchRequestException',
      'InvalidAddressException',
      'InvalidAttributeNameException',
      'InvalidAttributeValueException',
      'InvalidBatchEntryIdException',
      'InvalidIdFormatException',
      'InvalidMessageContentsException',
      'InvalidSecurityException',
      'KmsAccessDeniedException',
      'KmsDisabledException',
      'KmsInvalidKeyUsageException',
      'KmsInvalidStateException',
      'KmsNotFoundException',
      'KmsOptInRequiredException',
      'KmsThrottledException',
      'MessageNotInflightException',
      'OverLimitException',
      'PurgeQueueInProgressException',
      'QueueDeletedRecentlyException',
      'QueueDoesNotExistException',
      'QueueNameExistsException',
      'ReceiptHandleIsInvalidException',
      'RequestThrottledException',
      'ResourceNotFoundException',
      'TooManyEntriesInBatchRequestException',
      'UnsupportedOperationException',
    ]),
  },
  accessDenied: { status: 403, name: 'AccessDenied' },
};

// SQS authorizes its batch operations with the single-message action.
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

// A loop sends to one queue: the last URL's ARN is kept rather than parsed again on every call.
let lastQueue = { url: '', region: '', arn: '' };
function queueArnOf(url: string, region: string): string {
  if (url !== lastQueue.url || region !== lastQueue.region) lastQueue = { url, region, arn: queueArnFromUrl(url, region) };
  return lastQueue.arn;
}

export function sqsPermission(operation: string, params: Params, region: string, accountId: string): RequiredPermission {
  const action = `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`;
  if (typeof params.QueueUrl === 'string') return { action, resources: [queueArnOf(params.QueueUrl, region)] };
  if (typeof params.QueueName === 'string') {
    return { action, resources: [queueArn(region, accountId, params.QueueName)] };
  }
  return { action, resources: ['*'] };
}

const OPTIMIZED_SQS_ACTIONS = ['sendMessage'];

// Members whose keys are attribute or tag names, not API member names.
const MAP_FIELDS = new Set(['Attributes', 'MessageAttributes', 'MessageSystemAttributes', 'Tags']);

type SQSCommand = Parameters<SQS.SQSClient['send']>[0];

const sqsCommand = (action: string) => commandClass<SQSCommand>(SQS, action);

/** Whether the SDK has this API action (aws-sdk integrations reach every one of them). */
export function isSqsAction(action: string): boolean {
  return sqsCommand(action) !== undefined;
}

// SQS's answers spell connection in lower case (recorded in 2024 and 2025; Lambda's and DynamoDB's, Connection).
const SQS_HEADER_CASING: HeaderCasing = { connection: 'connection' };

/**
 * The request a Task's parameters make: a null MessageBody is no MessageBody, as the SDK leaves a
 * null member out (SQS then answers MissingParameter, recorded); the optimized integration sends
 * a JSON message body as its serialized text.
 */
function messageInput(style: IntegrationStyle, params: Params): Params {
  if (!('MessageBody' in params)) return params;
  const { MessageBody: body, ...rest } = params;
  if (body === null) return rest;
  return style === 'optimized' && typeof body !== 'string' ? { ...rest, MessageBody: JSON.stringify(body) } : params;
}

// Hosts that answer SQS requests: AWS's and this machine's (the emulator). Any other is looked up
// in DNS by the SDK, and a made-up one is not found.
const SQS_HOSTS = /(^|\.)amazonaws\.com(\.cn)?$|^(localhost|127\.0\.0\.1|\[::1\])$/;

/**
 * What the SDK meets sending to a queue URL that names no queue: on a host that is no SQS
 * endpoint, the host is not found (recorded: `no-such-queue-…: Name or service not known`);
 * elsewhere, the reason the URL names no queue.
 */
function connectionFailure(queueUrl: unknown, invalid: InvalidQueueUrl): Error {
  const host = typeof queueUrl === 'string' && URL.canParse(queueUrl) ? new URL(queueUrl).hostname : '';
  return host === '' || SQS_HOSTS.test(host) ? invalid : new Error(`${host}: Name or service not known`);
}

export function sqsTask(style: IntegrationStyle, action: string, client: SQS.SQSClient, context: CallContext): ServiceCall {
  const Command = sqsCommand(action)!;
  const operation = operationName(action);
  return async (params) => {
    const { region, accountId } = context.resources;
    let permission: RequiredPermission;
    try {
      permission = sqsPermission(operation, params, region, accountId);
    } catch (error) {
      // Step Functions' SDK sends the request to the queue URL's host, so a bad URL fails as the connection does.
      if (error instanceof InvalidQueueUrl) throw sdkFailure(SQS_ERRORS, style, connectionFailure(params.QueueUrl, error));
      throw error;
    }
    authorize(context, permission, SQS_ERRORS, style);
    context.injectFault('sqs', action);
    const input = messageInput(style, params);
    let output: object;
    try {
      output = (await sendCommand(client, Command, input)) as object;
    } catch (error) {
      throw sdkFailure(SQS_ERRORS, style, error);
    }
    // The message is on the queue; a lost-answer fault fails the call now, as a read timeout would.
    context.injectFault('sqs', action, 'answer');
    return style === 'optimized' ? optimizedResponse(output, SQS_HEADER_CASING) : sdkResponse(output, MAP_FIELDS);
  };
}

/** An SQS batch action (sendMessageBatch, deleteMessageBatch, …), whose entries can fail one by one. */
export const isBatchAction = (action: string) => /Batch$/i.test(action);

/** SQS: the optimized sendMessage and every aws-sdk:sqs action; its emulator checks a role's calls. */
export const SQS_SERVICE: ServiceDescriptor = {
  name: 'sqs',
  optimized: OPTIMIZED_SQS_ACTIONS,
  taskToken: ['sendMessage'],
  sdkAction: isSqsAction,
  errors: SQS_ERRORS,
  permission: sqsPermission,
  // A lost answer leaves the message on the queue: only the sends can lose one.
  faults: { throttled: THROTTLED.sqs, lostAnswer: { actions: ['sendMessage', 'sendMessageBatch'], reached: 'the queue' }, failedEntries: isBatchAction },
  call: ({ style, action, clients, context }) => sqsTask(style, action, clients.sqs, context),
};

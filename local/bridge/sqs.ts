// SQS tasks: the optimized sendMessage and aws-sdk:sqs:<action>.
import * as SQS from '@aws-sdk/client-sqs';
import { sqsPermission, type RequiredPermission } from '../iam.ts';
import { InvalidQueueUrl } from '../provision.ts';
import { authorize, commandClass, operationName, type CallContext, type ServiceCall } from './context.ts';
import { sdkFailure, SQS_ERRORS, type IntegrationStyle } from './errors.ts';
import { optimizedResponse, sdkResponse } from './response.ts';

export const OPTIMIZED_SQS_ACTIONS = ['sendMessage'];

// Members whose keys are attribute or tag names, not API member names.
const MAP_FIELDS = new Set(['Attributes', 'MessageAttributes', 'MessageSystemAttributes', 'Tags']);

type SQSCommand = Parameters<SQS.SQSClient['send']>[0];

const sqsCommand = (action: string) => commandClass<SQSCommand>(SQS, action);

/** Whether the SDK has this API action (aws-sdk integrations reach every one of them). */
export function isSqsAction(action: string): boolean {
  return sqsCommand(action) !== undefined;
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
      if (error instanceof InvalidQueueUrl) throw sdkFailure(SQS_ERRORS, style, error);
      throw error;
    }
    authorize(context, permission, SQS_ERRORS, style);
    context.injectFault('sqs', action);
    // The optimized integration sends a JSON message body as its serialized text.
    const input =
      style === 'optimized' && 'MessageBody' in params && typeof params.MessageBody !== 'string'
        ? { ...params, MessageBody: JSON.stringify(params.MessageBody) }
        : params;
    let output: object;
    try {
      output = await client.send(new Command(input));
    } catch (error) {
      throw sdkFailure(SQS_ERRORS, style, error);
    }
    // The message is on the queue; a lost-answer fault fails the call now, as a read timeout would.
    context.injectFault('sqs', action, 'answer');
    return style === 'optimized' ? optimizedResponse(output) : sdkResponse(output, MAP_FIELDS);
  };
}

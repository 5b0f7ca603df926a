// SNS tasks: the optimized publish (and its .waitForTaskToken) and aws-sdk:sns:<action> for the
// actions the SNS emulator serves (services/sns-emulator.ts). Publish needs sns:Publish on the
// topic. Failures are named as Step Functions names them: the Java SDK v1 class for the optimized
// integration (SNS.NotFoundException, SNS.InvalidParameterException, SNS.AuthorizationErrorException,
// else SNS.AmazonSNSException), the SDK v2 one for aws-sdk (Sns.NotFoundException, Sns.SnsException).
import { SNS_OPERATIONS } from '../services/sns-emulator.ts';
import { authorize, operationName, type CallContext, type ServiceCall } from './context.ts';
import type { IntegrationStyle, ServiceErrors } from './errors.ts';
import { callEmulated, emulatedResult } from './messaging-call.ts';
import type { ServiceDescriptor } from './service.ts';
import type { LocalMessaging } from '../contracts.ts';

// The error shapes of SNS's API model that Publish and the topic actions answer.
const SNS_MODELED: ReadonlySet<string> = new Set([
  'AuthorizationErrorException',
  'EndpointDisabledException',
  'InternalErrorException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequiredException',
  'KMSThrottlingException',
  'NotFoundException',
  'PlatformApplicationDisabledException',
  'SubscriptionLimitExceededException',
  'ThrottledException',
  'TopicLimitExceededException',
]);

export const SNS_ERRORS: ServiceErrors = {
  optimized: { prefix: 'SNS', generic: 'AmazonSNSException', service: 'AmazonSNS', modeled: SNS_MODELED },
  sdk: { prefix: 'Sns', generic: 'SnsException', service: 'Sns', modeled: SNS_MODELED },
  // SNS answers a call IAM denies with its AuthorizationError.
  accessDenied: { status: 403, name: 'AuthorizationError' },
};

// Members whose keys are attribute names, not API member names.
const MAP_FIELDS = new Set(['Attributes', 'MessageAttributes']);

/** The topic a call acts on, for IAM: SNS authorizes every topic action on the topic's ARN. */
function topicArn(params: Record<string, unknown>): string {
  const arn = params.TopicArn ?? params.TargetArn;
  if (typeof arn === 'string') return arn;
  // A subscription's ARN is its topic's with an id after it.
  return typeof params.SubscriptionArn === 'string' ? params.SubscriptionArn.split(':').slice(0, 6).join(':') : '*';
}

export function snsTask(style: IntegrationStyle, action: string, messaging: LocalMessaging | undefined, context: CallContext): ServiceCall {
  const operation = operationName(action);
  return async (params) => {
    authorize(context, { action: `sns:${operation}`, resources: [topicArn(params)] }, SNS_ERRORS, style);
    context.injectFault('sns', action);
    // The optimized integration sends a JSON Message as its serialized text.
    const input = style === 'optimized' && 'Message' in params && typeof params.Message !== 'string' ? { ...params, Message: JSON.stringify(params.Message) } : params;
    const output = await callEmulated(messaging?.sns, operation, input, SNS_ERRORS, style);
    return emulatedResult(output, style, 'text/xml', MAP_FIELDS);
  };
}

/** SNS: the optimized publish and the aws-sdk actions its emulator serves. */
export const SNS_SERVICE: ServiceDescriptor = {
  name: 'sns',
  optimized: ['publish'],
  taskToken: ['publish'],
  sdkAction: (action) => (SNS_OPERATIONS as readonly string[]).includes(operationName(action)),
  errors: SNS_ERRORS,
  faults: { throttled: { code: 'Throttled', status: 429, message: 'Rate exceeded' } },
  call: ({ style, action, messaging, context }) => snsTask(style, action, messaging, context),
};

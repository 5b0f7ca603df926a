// The service integrations the offline run supports: one descriptor each (service.ts). Adding
// an integration is its module and its entry here; the bridge's resources, the emulators' IAM
// door and --fault's services are built from this list.
import { DYNAMODB_SERVICE } from './dynamodb.ts';
import { EVENTS_SERVICE } from './events.ts';
import { LAMBDA_SERVICE } from './lambda.ts';
import { S3_SERVICE } from './s3.ts';
import type { PermissionOf, ServiceDescriptor } from './service.ts';
import { SFN_SERVICE } from './sfn.ts';
import { SNS_SERVICE } from './sns.ts';
import { SQS_SERVICE } from './sqs.ts';
import { STATES_SERVICE } from './states.ts';

export const SERVICES: readonly ServiceDescriptor[] = [LAMBDA_SERVICE, DYNAMODB_SERVICE, SQS_SERVICE, S3_SERVICE, SNS_SERVICE, EVENTS_SERVICE, STATES_SERVICE, SFN_SERVICE];

/** A service's descriptor by its name as a Resource ARN or --fault names it, if the bridge calls it. */
export function serviceNamed(name: string): ServiceDescriptor | undefined {
  return SERVICES.find((service) => service.name === name);
}

/** What IAM action and resources a call to each emulated service needs, by service. */
export const EMULATED_PERMISSIONS: Record<string, PermissionOf> = Object.fromEntries(
  SERVICES.flatMap((service) => (service.permission ? [[service.name, service.permission]] : [])),
);

// EventBridge on the endpoint's port, in the JSON 1.1 protocol the AWS CLI and SDKs speak to it
// (`X-Amz-Target: AWSEvents.PutRule`): the EventBridge emulator's operations, its errors as
// EventBridge's `__type`.
import type { EmulatedApi } from '../contracts.ts';
import { EmulatedServiceError } from '../services/service-error.ts';
import { ApiError } from './errors.ts';
import type { Operation } from './operations.ts';
import type { JsonProtocol } from './protocol.ts';

export const EVENTS_PROTOCOL: JsonProtocol = { targetPrefix: 'AWSEvents.', contentType: 'application/x-amz-json-1.1' };

/** Whether a request is for EventBridge: its X-Amz-Target names an AWSEvents operation. */
export function isEventsRequest(target: unknown): boolean {
  return typeof target === 'string' && target.startsWith(EVENTS_PROTOCOL.targetPrefix);
}

export function eventsOperations(events: EmulatedApi): Record<string, Operation> {
  return Object.fromEntries(
    events.operations.map((operation): [string, Operation] => [
      operation,
      async (body) => {
        try {
          return await events.call(operation, body);
        } catch (error) {
          if (error instanceof EmulatedServiceError) throw new ApiError(error.code, error.message, error.status);
          throw error;
        }
      },
    ]),
  );
}

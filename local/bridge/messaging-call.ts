// What sns.ts and events.ts share: a call to an emulator in this process, its error answer named
// as Step Functions names the service's, and an optimized result with the HTTP metadata of the
// response the service would have sent.
import { randomUUID } from 'node:crypto';
import type { EmulatedApi } from '../contracts.ts';
import { EmulatedServiceError } from '../services/service-error.ts';
import { serviceFailure, TaskFailure, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { httpMetadata, sdkResponse } from './response.ts';

/** Calls the emulator; its error answer fails the Task with the service's error name for the style. */
export async function callEmulated(api: EmulatedApi | undefined, operation: string, input: Record<string, unknown>, errors: ServiceErrors, style: IntegrationStyle): Promise<Record<string, unknown>> {
  if (api === undefined) throw new TaskFailure('States.Runtime', `no ${errors[style].service} emulator runs here for ${operation}`);
  try {
    return await api.call(operation, input);
  } catch (error) {
    if (error instanceof EmulatedServiceError) throw serviceFailure(errors, style, { name: error.code, status: error.status, message: error.message });
    throw error;
  }
}

/** The result as Step Functions returns it: the response with its HTTP metadata (optimized), or the response in the SDK's casing (aws-sdk). */
export function emulatedResult(output: Record<string, unknown>, style: IntegrationStyle, contentType: string, mapFields: ReadonlySet<string>): Record<string, unknown> {
  if (style === 'sdk') return sdkResponse(output, mapFields);
  const requestId = randomUUID();
  const body = JSON.stringify(output);
  return {
    ...output,
    ...httpMetadata(200, { 'Content-Length': String(Buffer.byteLength(body)), 'Content-Type': contentType, Date: new Date().toUTCString(), 'x-amzn-RequestId': requestId }, requestId),
  };
}

// SNS on the endpoint's port, in the query protocol the AWS CLI and SDKs speak to it
// (query-protocol.ts; `Version=2010-03-31`): the SNS emulator's actions, their parameters read
// from the form (maps as `Attributes.entry.N.key/value`, message attributes as
// `MessageAttributes.entry.N.Name/Value.DataType/Value.StringValue`), their results in XML.
import type { EmulatedApi } from '../contracts.ts';
import { EmulatedServiceError } from '../services/service-error.ts';
import { ApiError } from './errors.ts';
import { element, type QueryService } from './query-protocol.ts';

export const SNS_VERSION = '2010-03-31';
const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** `<Field>.entry.<n>.<part>` entries, by n, as the query protocol flattens a map. */
function entries(params: URLSearchParams, field: string): Map<string, Map<string, string>> {
  const found = new Map<string, Map<string, string>>();
  const prefix = `${field}.entry.`;
  for (const [name, value] of params) {
    if (!name.startsWith(prefix)) continue;
    const [index = '', ...rest] = name.slice(prefix.length).split('.');
    const entry = found.get(index) ?? new Map<string, string>();
    entry.set(rest.join('.'), value);
    found.set(index, entry);
  }
  return found;
}

/** The action's input as the emulator takes it (the API's member names). */
export function snsInput(params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of params) if (!name.includes('.') && name !== 'Action' && name !== 'Version') input[name] = value;
  const attributes = [...entries(params, 'Attributes').values()];
  if (attributes.length > 0) input.Attributes = Object.fromEntries(attributes.map((entry) => [entry.get('key') ?? '', entry.get('value') ?? '']));
  const messageAttributes = [...entries(params, 'MessageAttributes').values()];
  if (messageAttributes.length > 0) {
    input.MessageAttributes = Object.fromEntries(
      messageAttributes.map((entry) => [
        entry.get('Name') ?? '',
        {
          DataType: entry.get('Value.DataType'),
          ...(entry.has('Value.StringValue') ? { StringValue: entry.get('Value.StringValue') } : {}),
          ...(entry.has('Value.BinaryValue') ? { BinaryValue: entry.get('Value.BinaryValue') } : {}),
        },
      ]),
    );
  }
  return input;
}

/** A result as SNS writes it: lists as <member> elements, attribute maps as <entry><key/><value/></entry>. */
export function snsXml(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([name, member]) => {
      if (Array.isArray(member)) return `<${name}>${member.map((item) => `<member>${snsXml(item as Record<string, unknown>)}</member>`).join('')}</${name}>`;
      if (typeof member === 'object' && member !== null) {
        return `<${name}>${Object.entries(member).map(([key, entry]) => `<entry>${element('key', key)}${element('value', String(entry))}</entry>`).join('')}</${name}>`;
      }
      return element(name, String(member));
    })
    .join('');
}

export function snsQueryService(sns: EmulatedApi): QueryService {
  const actions = Object.fromEntries(
    sns.operations.map((operation) => [
      operation,
      async (params: URLSearchParams) => {
        try {
          const output = await sns.call(operation, snsInput(params));
          return Object.keys(output).length === 0 ? undefined : snsXml(output);
        } catch (error) {
          if (error instanceof EmulatedServiceError) throw new ApiError(error.code, error.message, error.status);
          throw error;
        }
      },
    ]),
  );
  return { name: 'SNS', version: SNS_VERSION, namespace: NAMESPACE, actions };
}

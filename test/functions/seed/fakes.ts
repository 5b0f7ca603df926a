// A DynamoDB client whose send() is a sinon stub, and helpers to read what it was sent.
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import sinon from 'sinon';
import { TABLE } from '../../../workflow/transfer-records.ts';

export const TABLE_NAME = 'seed-test-table';

export function stubbedClient(): { client: DynamoDBClient; send: sinon.SinonStub } {
  const client = new DynamoDBClient({ region: 'us-east-1' });
  const send = sinon.stub(client, 'send') as unknown as sinon.SinonStub;
  send.resolves({ UnprocessedItems: {} });
  return { client, send };
}

/** The put requests of a BatchWriteItem command, failing the test if it was anything else. */
export function requestsIn(command: unknown): WriteRequest[] {
  if (!(command instanceof BatchWriteItemCommand)) throw new Error('expected a BatchWriteItemCommand');
  const tables = Object.keys(command.input.RequestItems ?? {});
  if (tables.length !== 1 || tables[0] !== TABLE_NAME) throw new Error(`wrote to tables ${tables.join(', ')}`);
  return command.input.RequestItems![TABLE_NAME]!;
}

export function requestsOf(call: sinon.SinonSpyCall): WriteRequest[] {
  return requestsIn(call.args[0]);
}

export interface WrittenItem {
  messageId: string;
  body: string;
}

export function itemsOf(requests: WriteRequest[]): WrittenItem[] {
  return requests.map((request) => {
    const item = request.PutRequest?.Item ?? {};
    return { messageId: item[TABLE.hashKey]?.S ?? '', body: item[TABLE.messageAttribute]?.S ?? '' };
  });
}

/** Every item written across all calls, in order. */
export function writtenItems(send: sinon.SinonStub): WrittenItem[] {
  return send.getCalls().flatMap((call) => itemsOf(requestsOf(call)));
}

/** A response leaving the given requests unprocessed. */
export function unprocessed(requests: WriteRequest[]): { UnprocessedItems: Record<string, WriteRequest[]> } {
  return { UnprocessedItems: { [TABLE_NAME]: requests } };
}

/**
 * Makes each call answer a turn of the event loop later, as a real one answers later, and counts
 * the calls in flight: `most()` is the largest number that were at once.
 */
export function answerLater(send: sinon.SinonStub): { most: () => number } {
  let inFlight = 0;
  let most = 0;
  send.callsFake(async () => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    return { UnprocessedItems: {} };
  });
  return { most: () => most };
}

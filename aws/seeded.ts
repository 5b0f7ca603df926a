// Reads the bodies of the items an execution seeded, by the MessageIds its history names.
import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { seededItem, type ReconcileTarget } from '../execution/reconcile.ts';
import type { SeededItem } from '../workflow/description.ts';

/** BatchGetItem accepts at most 100 keys per request. */
const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 100;

export interface SeededRead {
  /** In the order the seed function returned the ids. */
  items: SeededItem[];
  /** Ids whose item could not be read (absent, or still unprocessed after the retries). */
  unread: string[];
}

export async function readSeededItems(
  dynamodb: DynamoDBClient,
  tableName: string,
  item: Pick<ReconcileTarget, 'keyAttribute' | 'bodyAttribute'>,
  ids: string[],
  sleep: (ms: number) => Promise<void>,
): Promise<SeededRead> {
  const bodies = new Map<string, string>();
  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    let keys: Record<string, AttributeValue>[] = ids
      .slice(start, start + BATCH_SIZE)
      .map((id) => ({ [item.keyAttribute]: { S: id } }));
    // UnprocessedKeys come back under throttling; retry them with bounded exponential backoff.
    for (let attempt = 0; keys.length > 0 && attempt < MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(FIRST_RETRY_MS * 2 ** (attempt - 1));
      const response = await dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: '#id, #body',
              ExpressionAttributeNames: { '#id': item.keyAttribute, '#body': item.bodyAttribute },
            },
          },
        }),
      );
      for (const found of response.Responses?.[tableName] ?? []) {
        if (found[item.keyAttribute]?.S === undefined || found[item.bodyAttribute]?.S === undefined) continue;
        const { messageId, body } = seededItem(found, item);
        bodies.set(messageId, body);
      }
      keys = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return {
    items: ids.map((messageId) => ({ messageId, body: bodies.get(messageId) ?? '' })),
    unread: ids.filter((id) => !bodies.has(id)),
  };
}

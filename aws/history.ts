// Reads an execution's whole event history from AWS, and what this workflow's loop contract
// lets one read from it: the items its first task returned. The fold into per-state figures
// is the one both runners share (execution/history.ts).
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { parsePayload } from '../execution/history.ts';
import type { LoopContract } from '../workflow/description.ts';

/** GetExecutionHistory's largest page. */
const PAGE_SIZE = 1000;

export async function fetchHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: PAGE_SIZE, includeExecutionData: true, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * What each Lambda task of the history returned, in order: Payload of a lambda:invoke result, or
 * the result itself when the Task's Resource is the function's ARN (the sample's form).
 */
export function lambdaResults(events: HistoryEvent[]): unknown[] {
  const results: unknown[] = [];
  for (const event of events) {
    const details = event.taskSucceededEventDetails;
    if (details?.resourceType === 'lambda' && details.resource?.startsWith('invoke')) {
      results.push((parsePayload(details.output) as { Payload?: unknown } | undefined)?.Payload);
    } else if (event.lambdaFunctionSucceededEventDetails !== undefined) {
      results.push(parsePayload(event.lambdaFunctionSucceededEventDetails.output));
    }
  }
  return results;
}

/**
 * The ids the loop goes through, without its sentinel: the list a Lambda task returned. The last
 * such list in the history wins (a retried seed).
 */
export function seededIds(events: HistoryEvent[], loop: LoopContract): string[] {
  const list = lambdaResults(events).findLast(Array.isArray) as unknown[] | undefined;
  return (list ?? []).filter((id): id is string => typeof id === 'string' && id !== loop.sentinel);
}

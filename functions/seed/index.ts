// The seed Lambda: validates the input, writes the items, and returns their MessageIds
// followed by the "DONE" sentinel that ends the state machine's loop; or, when the event names
// a keyList location (the at-scale workflow), lists the keys in S3 and returns where
// (at-scale-handler.ts, loaded at that mode's first invocation).
import type { AtScaleHandler } from './at-scale-handler.ts';
import type { KeyListResult } from './at-scale.ts';
import { isAtScaleEvent } from './at-scale-input.ts';
import { containerDynamoDbClient } from './client.ts';
import { parseEvent } from './input.ts';
import { buildItems } from './items.ts';
import { SENTINEL, WRITE_CONCURRENCY } from './limits.ts';
import { writeSettings, type HandlerOptions, type SeedContext } from './options.ts';
import { DEFAULT_RETRY, writeItems } from './write.ts';

export type { HandlerOptions, SeedContext } from './options.ts';

export type SeedHandler = (event: unknown, context: SeedContext) => Promise<string[]>;

/**
 * Builds the handler. What is not injected comes from the runtime: the table name from the
 * environment at each invocation, the container's DynamoDB client (`dynamodb`).
 */
export function createHandler(options: HandlerOptions = {}, dynamodb = containerDynamoDbClient()): SeedHandler {
  return async (event, context) => {
    const settings = writeSettings(options, context, DEFAULT_RETRY, dynamodb);
    const { request, executionId } = parseEvent(event);
    // A direct invocation has no execution; its request id keeps the ids unique and repeatable.
    const items = buildItems(request, executionId ?? context.awsRequestId);
    await writeItems(items.length, (index) => items[index]!, { ...settings, concurrency: WRITE_CONCURRENCY });
    return [...items.map((item) => item.messageId), SENTINEL];
  };
}

// This container's state, held by the entry: a module instance is a container, on Lambda and
// offline (a thread of its own each).
const dynamodb = containerDynamoDbClient();
const loop = createHandler({}, dynamodb);
let atScale: Promise<AtScaleHandler> | undefined;

/** The Lambda entry point: an event naming a keyList is the at-scale workflow's. */
export const handler = async (event: unknown, context: SeedContext): Promise<string[] | KeyListResult> => {
  if (!isAtScaleEvent(event)) return loop(event, context);
  atScale ??= import('./at-scale-handler.ts').then(({ createAtScaleHandler }) => createAtScaleHandler({}, dynamodb));
  return (await atScale)(event, context);
};

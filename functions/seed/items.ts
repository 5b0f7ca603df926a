import type { SeededItem } from '../../workflow/description.ts';
import { messageIds } from './ids.ts';
import type { SeedRequest } from './input.ts';

function bodies(request: SeedRequest): string[] {
  if (request.kind === 'messages') return request.messages;
  return Array.from({ length: request.count }, (_, index) => `Message ${index + 1} of ${request.count}`);
}

/** The items one execution seeds, keyed by ids derived from its execution id. */
export function buildItems(request: SeedRequest, executionId: string): SeededItem[] {
  const texts = bodies(request);
  const ids = messageIds(executionId, texts.length);
  return texts.map((body, index) => ({ messageId: ids[index]!, body }));
}

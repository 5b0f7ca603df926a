// `--history FILE`: the execution's events as GetExecutionHistory returns them, `{"events": [...]}`.
// Written one event at a time: a full history of the loop holds thousands of long inputs, and
// one string of it all could pass what a Node string may hold.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { HistoryEvent } from '../../engine/index.ts';

export async function writeHistoryFile(path: string, events: readonly HistoryEvent[]): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write('{"events":[');
  for (const [index, event] of events.entries()) await write(`${index === 0 ? '' : ','}${JSON.stringify(event)}`);
  await write(']}\n');
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

// What a Map Run keeps of one finished child execution: a summary always, its history only where
// AWS has one (STANDARD children), or where the report needs it (an EXPRESS child that did not
// succeed). Ten thousand EXPRESS children of a million records would otherwise hold gigabytes of
// events AWS never stores. Its input stays only as JSON text, and only for a ResultWriter.
import { stateTransitions } from '../history.ts';
import { jsonByteLength } from '../payload.ts';
import type { MachineResult } from '../step.ts';
import type { ExecutionContext, HistoryEvent, MapRunExecution, MapRunRecord } from '../types.ts';

export function childRecord(
  executionType: MapRunRecord['executionType'],
  index: number,
  execution: ExecutionContext,
  input: unknown,
  given: { items: number; keepInput: boolean },
  result: MachineResult,
  events: HistoryEvent[],
): MapRunExecution {
  const keepHistory = executionType === 'STANDARD' || result.status !== 'SUCCEEDED';
  const text = given.keepInput ? JSON.stringify(input) : undefined;
  return {
    index,
    executionArn: execution.executionArn,
    name: execution.executionName,
    ...result,
    startDate: execution.startTime,
    stopDate: events.at(-1)?.timestamp ?? execution.startTime,
    inputBytes: text === undefined ? jsonByteLength(input) : Buffer.byteLength(text),
    items: given.items,
    ...(text === undefined ? {} : { input: text }),
    eventCount: events.length,
    stateTransitions: stateTransitions(events),
    ...(keepHistory ? { history: events } : {}),
  };
}

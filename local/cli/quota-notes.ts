// Where an execution met AWS's quotas, said for a person: AWS's own cause names only the quota,
// so the report adds the state entry (and the loop's current item) where it was crossed, or,
// when --no-quota-fail let the execution go past it, where AWS would have stopped it.
import type { ExecutionResult, HistoryEvent, Quotas } from '../../engine/index.ts';
import { parsePayload, type HistoryFold } from '../../execution/history.ts';
import type { MapRunReport } from '../../execution/execution-record.ts';
import type { LoopContract } from '../../workflow/description.ts';

export interface QuotaNoteOptions {
  quotas: Quotas;
  /** Whether the engine enforced the quotas (failing the execution) or ran past them. */
  enforced: boolean;
  /** The workflow's loop, when it runs one: the note names the item its list's head was at. */
  loop?: Pick<LoopContract, 'listPath'>;
}

export function quotaNotes(result: ExecutionResult, fold: HistoryFold, options: QuotaNoteOptions): string[] {
  const { quotas, enforced } = options;
  const notes: string[] = [];
  const events = result.history;
  const where = (index: number) => whereIn(events, index, options.loop);
  if (enforced && result.error === 'States.Runtime' && events.length >= quotas.historyEvents) {
    notes.push(`The history quota (${quotas.historyEvents} events) was reached at ${where(events.length - 1)}.`);
  }
  if (!enforced && events.length > quotas.historyEvents) {
    const at = quotas.historyEvents - 1;
    notes.push(
      `States.Runtime: event ${quotas.historyEvents} would have been ${events[at]!.type}, at ${where(at)}: ` +
        'AWS would have failed the execution there; --no-quota-fail let it go on.',
    );
  }
  if (!enforced && fold.maxPayloadBytes > quotas.payloadBytes) {
    notes.push(
      `States.DataLimitExceeded: a payload of "${fold.maxPayloadState}" is ${fold.maxPayloadBytes} bytes, over the ` +
        `${quotas.payloadBytes}-byte quota: AWS would have failed the execution there; --no-quota-fail let it go on.`,
    );
  }
  return notes;
}

/**
 * Where a Map Run's child went past its own quotas, when --no-quota-fail let it (when they are
 * enforced, that child failed with AWS's error and its Map Run's report names it).
 */
export function childQuotaNotes(mapRuns: MapRunReport[], options: QuotaNoteOptions): string[] {
  const { quotas, enforced } = options;
  if (enforced) return [];
  const goneOn = 'AWS would have failed that child execution there; --no-quota-fail let it go on.';
  return mapRuns.flatMap((run) => [
    ...((run.largestChildEvents ?? 0) > quotas.historyEvents
      ? [`States.Runtime: a child execution of the Map Run of "${run.stateName}" has ${run.largestChildEvents} events, over its own ${quotas.historyEvents}-event quota: ${goneOn}`]
      : []),
    ...((run.largestChildPayloadBytes ?? 0) > quotas.payloadBytes
      ? [
          `States.DataLimitExceeded: a payload of "${run.largestChildPayloadState}" in a child execution of the Map Run of "${run.stateName}" is ` +
            `${run.largestChildPayloadBytes} bytes, over the ${quotas.payloadBytes}-byte quota: ${goneOn}`,
        ]
      : []),
  ]);
}

/** The state entry open at event `index`: its name, which entry of it, and the loop's item. */
function whereIn(events: HistoryEvent[], index: number, loop: QuotaNoteOptions['loop']): string {
  let entered: { name: string; input: string } | undefined;
  const entries = new Map<string, number>();
  for (let i = 0; i <= index; i += 1) {
    const details = events[i]!.stateEnteredEventDetails as { name: string; input: string } | undefined;
    if (!details) continue;
    entries.set(details.name, (entries.get(details.name) ?? 0) + 1);
    entered = details;
  }
  if (!entered) return 'the start of the execution';
  const parts = [`entry ${entries.get(entered.name)} of "${entered.name}"`];
  const cursor = loop && loopCursor(entered.input, loop.listPath);
  if (cursor !== undefined) parts.push(`${loop!.listPath}[0] = ${JSON.stringify(cursor)}`);
  return parts.join(', ');
}

/**
 * A loop keeps the ids still to send in its list (the contract's listPath, `$.<field>…`); its
 * head is the current item. A path of another shape names no item.
 */
function loopCursor(input: string, listPath: string): string | undefined {
  if (!/^\$(\.\w+)+$/.test(listPath)) return undefined;
  let value = parsePayload(input);
  for (const field of listPath.split('.').slice(1)) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  }
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

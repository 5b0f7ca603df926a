// A distributed Map's Map Runs as the endpoint shows them: found by ARN in the executions' records,
// described with AWS's item and execution counts, and their child executions described (STANDARD
// and EXPRESS children, as AWS describes both) and their history given (STANDARD children only:
// AWS keeps none for EXPRESS ones).
import { mapRunMachineArn } from '../../workflow/arns.ts';
import type { HistoryEvent, MapRunExecution, MapRunRecord } from '../../engine/index.ts';
import { ApiError } from './errors.ts';
import type { Execution, ExecutionStore } from './executions.ts';

export function findMapRun(executions: ExecutionStore, mapRunArn: string): { execution: Execution; mapRun: MapRunRecord } {
  for (const execution of executions.all()) {
    const mapRun = execution.mapRuns.find((run) => run.mapRunArn === mapRunArn);
    if (mapRun) return { execution, mapRun };
  }
  throw new ApiError('ResourceNotFound', `Resource Not Found: '${mapRunArn}'`);
}

/** A Map Run's child execution by its ARN, or undefined when no Map Run started one of that ARN. */
export function findChild(executions: ExecutionStore, arn: string): { mapRun: MapRunRecord; child: MapRunExecution } | undefined {
  for (const execution of executions.all()) {
    for (const mapRun of execution.mapRuns) {
      const child = mapRun.executions.find((candidate) => candidate?.executionArn === arn);
      if (child) return { mapRun, child };
    }
  }
  return undefined;
}

/** DescribeExecution of a Map Run's child still running, or undefined when none of that ARN runs. */
export function describeRunningChild(executions: ExecutionStore, arn: string) {
  for (const execution of executions.all()) {
    for (const mapRun of execution.mapRuns) {
      for (const child of mapRun.inFlight.values()) {
        if (child.executionArn !== arn) continue;
        return {
          executionArn: arn,
          stateMachineArn: mapRunMachineArn(mapRun.mapRunArn),
          name: child.name,
          status: 'RUNNING',
          startDate: child.startDate,
          input: JSON.stringify(child.input ?? null),
          inputDetails: { included: true },
          mapRunArn: mapRun.mapRunArn,
          redriveCount: 0,
          redriveStatus: 'NOT_REDRIVABLE',
        };
      }
    }
  }
  return undefined;
}

/** A Map Run's child state machine: `…:stateMachine:<machine>/<label>`, the run's id dropped. */
/**
 * A Map Run's children as ListExecutions shows them, by index: those that ended, and those running
 * now; a child not started yet (or never, the run having failed first) is not listed.
 */
export function mapRunChildren(mapRun: MapRunRecord): { index: number; executionArn: string; name: string; status: string; startDate: Date; stopDate?: Date }[] {
  const last = Math.max(mapRun.executions.length, ...[...mapRun.inFlight.keys()].map((index) => index + 1));
  const children = [];
  for (let index = 0; index < last; index++) {
    const ended = mapRun.executions[index];
    const running = mapRun.inFlight.get(index);
    if (ended) children.push({ ...ended, index });
    else if (running) children.push({ ...running, index, status: 'RUNNING' });
  }
  return children;
}

function mapRunEvent(execution: Execution, mapRunArn: string): { start?: HistoryEvent; end?: HistoryEvent } {
  const index = execution.events.findIndex(
    (event) => event.type === 'MapRunStarted' && (event.mapRunStartedEventDetails as { mapRunArn?: string } | undefined)?.mapRunArn === mapRunArn,
  );
  if (index < 0) return {};
  const end = execution.events.slice(index + 1).find((event) => event.type === 'MapRunSucceeded' || event.type === 'MapRunFailed');
  return { start: execution.events[index], ...(end ? { end } : {}) };
}

/** When the Map Run started and stopped, from its parent's MapRunStarted and MapRunSucceeded/Failed. */
export function mapRunDates(execution: Execution, mapRunArn: string): { startDate: Date; stopDate?: Date } {
  const { start, end } = mapRunEvent(execution, mapRunArn);
  const stopDate = end?.timestamp ?? execution.stopDate;
  return { startDate: start?.timestamp ?? execution.startDate, ...(stopDate ? { stopDate } : {}) };
}

const UNSUCCESSFUL = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * MapRunItemCounts or MapRunExecutionCounts, as AWS defines them: each child (or each of its
 * items) by status. Children started and not ended are running, those the run has yet to start
 * pending (`waiting`); once the run has ended, those it never started are not counted. No child
 * can be redriven here (the endpoint has no RedriveExecution), so every unsuccessful one is
 * failuresNotRedrivable and none pendingRedrive. resultsWritten counts the succeeded ones, as AWS
 * answers for a Map Run with or without a ResultWriter.
 */
export function mapRunCounts(
  children: readonly MapRunExecution[],
  weight: (child: MapRunExecution) => number,
  waiting: { pending: number; running: number } = { pending: 0, running: 0 },
) {
  const sum = (keep: (child: MapRunExecution) => boolean) => children.reduce((total, child) => total + (keep(child) ? weight(child) : 0), 0);
  const of = (status: string) => sum((child) => child.status === status);
  return {
    ...waiting,
    succeeded: of('SUCCEEDED'),
    failed: of('FAILED'),
    timedOut: of('TIMED_OUT'),
    aborted: of('ABORTED'),
    total: sum(() => true) + waiting.pending + waiting.running,
    resultsWritten: of('SUCCEEDED'),
    failuresNotRedrivable: sum((child) => UNSUCCESSFUL.includes(child.status)),
    pendingRedrive: 0,
  };
}

/** The children (`executions`) or items a running Map Run has yet to start, and those it is running. */
function waiting(mapRun: MapRunRecord, unit: 'executions' | 'items', ended: number) {
  if (mapRun.status !== 'RUNNING') return { pending: 0, running: 0 };
  const running = mapRun.running[unit];
  return { pending: Math.max(0, mapRun.total[unit] - running - ended), running };
}

/** DescribeMapRun's answer, for a running Map Run as for one that has ended. */
export function describeMapRun(execution: Execution, mapRun: MapRunRecord) {
  // A child not yet ended, or never started (the run failed first), leaves a hole in the record.
  const children = mapRun.executions.filter((child): child is MapRunExecution => child !== undefined);
  const endedItems = children.reduce((total, child) => total + child.items, 0);
  return {
    mapRunArn: mapRun.mapRunArn,
    executionArn: execution.arn,
    status: mapRun.status,
    ...mapRunDates(execution, mapRun.mapRunArn),
    maxConcurrency: mapRun.maxConcurrency,
    toleratedFailurePercentage: mapRun.toleratedFailurePercentage,
    toleratedFailureCount: mapRun.toleratedFailureCount,
    itemCounts: mapRunCounts(children, (child) => child.items, waiting(mapRun, 'items', endedItems)),
    executionCounts: mapRunCounts(children, () => 1, waiting(mapRun, 'executions', children.length)),
    redriveCount: 0,
  };
}

/** DescribeExecution of a Map Run's child: its input only where the record (for a ResultWriter) or its history kept it. */
export function describeChild(mapRun: MapRunRecord, child: MapRunExecution) {
  const started = child.history?.find((event) => event.type === 'ExecutionStarted');
  const input = child.input ?? (started?.executionStartedEventDetails as { input?: string } | undefined)?.input;
  return {
    executionArn: child.executionArn,
    stateMachineArn: mapRunMachineArn(mapRun.mapRunArn),
    name: child.name,
    status: child.status,
    startDate: child.startDate,
    stopDate: child.stopDate,
    ...(input === undefined ? { inputDetails: { included: false } } : { input, inputDetails: { included: true } }),
    ...(child.status === 'SUCCEEDED' ? { output: JSON.stringify(child.output ?? null), outputDetails: { included: true } } : {}),
    ...(child.error !== undefined ? { error: child.error } : {}),
    ...(child.cause !== undefined ? { cause: child.cause } : {}),
    mapRunArn: mapRun.mapRunArn,
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/**
 * A child's history: a STANDARD child's own; AWS keeps none for an EXPRESS child and refuses its
 * ARN, with the InvalidArn it answers for any EXPRESS execution (as recorded on AWS in
 * LocalStack's test_sfn_api_express snapshot).
 */
export function childHistory(mapRun: MapRunRecord, child: MapRunExecution): HistoryEvent[] {
  if (mapRun.executionType === 'EXPRESS' || !child.history) {
    throw new ApiError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
  }
  return child.history;
}

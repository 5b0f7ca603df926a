// DescribeMapRun's counts from a Map Run's record: each status, a child that never started, the
// dates from the parent's MapRunStarted and MapRunFailed.
import { expect } from 'chai';
import type { MapRunExecution, MapRunRecord } from '../../../engine/index.ts';
import type { Execution } from '../../../local/api/executions.ts';
import { childHistory, describeMapRun } from '../../../local/api/map-runs.ts';
import type { StateMachine } from '../../../local/api/state-machines.ts';

const MAP_RUN_ARN = 'arn:aws:states:us-east-1:123456789012:mapRun:m/M:run-1';
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

function child(index: number, status: MapRunExecution['status']): MapRunExecution {
  return {
    index,
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:m/M:c-${index}`,
    name: `c-${index}`,
    status,
    startDate: at(1),
    stopDate: at(2),
    inputBytes: 2,
    items: 1,
    eventCount: 3,
    stateTransitions: 1,
  };
}

describe('local/api/map-runs', () => {
  it('counts each status, none pending or running once the parent ended, and no child redrivable', () => {
    const executions: MapRunExecution[] = [child(0, 'SUCCEEDED'), child(1, 'FAILED'), child(2, 'TIMED_OUT'), child(3, 'ABORTED')];
    // The fifth child never started: the run failed before it.
    executions[5] = child(5, 'ABORTED');
    const mapRun: MapRunRecord = {
      mapRunArn: MAP_RUN_ARN,
      stateName: 'M',
      executionType: 'STANDARD',
      status: 'FAILED',
      maxConcurrency: 4,
      toleratedFailureCount: 1,
      toleratedFailurePercentage: 0,
      total: { executions: 6, items: 6 },
      running: { executions: 0, items: 0 },
      executions,
      inFlight: new Map(),
    };
    const parsed = { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 4, ToleratedFailureCount: 1, ItemProcessor: {}, End: true } } };
    const execution = {
      arn: 'arn:aws:states:us-east-1:123456789012:execution:m:parent',
      machine: { parsed } as unknown as StateMachine,
      startDate: at(0),
      stopDate: at(9),
      events: [
        { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted' },
        { id: 2, previousEventId: 1, timestamp: at(1), type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn: MAP_RUN_ARN } },
        { id: 3, previousEventId: 2, timestamp: at(5), type: 'MapRunFailed', mapRunFailedEventDetails: {} },
      ],
      mapRuns: [mapRun],
    } as unknown as Execution;
    const described = describeMapRun(execution, mapRun);
    expect(described).to.deep.include({ status: 'FAILED', startDate: at(1), stopDate: at(5), maxConcurrency: 4, toleratedFailureCount: 1, toleratedFailurePercentage: 0 });
    const counts = { pending: 0, running: 0, succeeded: 1, failed: 1, timedOut: 1, aborted: 2, total: 5, resultsWritten: 1, failuresNotRedrivable: 4, pendingRedrive: 0 };
    expect(described.executionCounts).to.deep.equal(counts);
    // Unbatched, each child is one item.
    expect(described.itemCounts).to.deep.equal(counts);
  });

  it("answers GetExecutionHistory of an EXPRESS child as AWS answers it for an EXPRESS execution", () => {
    const mapRun = { executionType: 'EXPRESS' } as MapRunRecord;
    const express = { ...child(0, 'SUCCEEDED'), history: [] };
    // AWS's answer, as recorded on AWS (LocalStack's test_sfn_api_express snapshot, get_execution_history_error).
    expect(() => childHistory(mapRun, express)).to.throw("Invalid Arn: 'Resource type not valid in this context: express'").with.property('name', 'InvalidArn');
    const standard = { ...mapRun, executionType: 'STANDARD' } as MapRunRecord;
    expect(childHistory(standard, express)).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import type { ExecutionResult, MapRunExecution, MapRunRecord } from '../../engine/index.ts';
import { createExecutionFolds, type ExecutionFolds } from '../../execution/map-runs.ts';
import { CONTEXT, failure, run } from '../engine/run.ts';

// A distributed Map of EXPRESS children, two items a batch; each child runs Work twice (a Pass
// then a Task), and the Task fails for a batch holding "bad".
const DEFINITION = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Next: 'Fan Out' },
    'Fan Out': {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ToleratedFailurePercentage: 100,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
        StartAt: 'Look',
        States: {
          Look: { Type: 'Pass', Next: 'Work' },
          Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload.$': '$' }, End: true },
        },
      },
      End: true,
    },
  },
};

async function folded(items: string[], delays: Record<string, number> = {}): Promise<{ folds: ExecutionFolds; result: ExecutionResult }> {
  const folds = createExecutionFolds(CONTEXT.executionArn);
  const result = await run(DEFINITION, { items }, {
    dispatch: async (call) => {
      const batch = (call.parameters as { Payload: { Items: string[] } }).Payload.Items;
      await new Promise((resolve) => setTimeout(resolve, delays[batch[0]!] ?? 0));
      if (batch.includes('bad')) throw failure('Boom', `cannot work on ${batch.join(', ')}`);
      return { Payload: batch.length };
    },
    onEvent: (event, execution) => folds.add(event, execution.executionArn),
  });
  return { folds, result };
}

describe('execution/map-runs', () => {
  it("keeps the parent's history figures its own, and adds the children's states to the per-state table", async () => {
    const { folds, result } = await folded(['a', 'b', 'c', 'd', 'e']);
    const fold = folds.result();
    expect(fold.historyEvents).to.equal(result.history.length);
    expect(fold.stateTransitions).to.equal(2);
    expect(fold.states.Prepare!.entered).to.equal(1);
    expect(fold.states['Fan Out']!.entered).to.equal(1);
    // Three children ran concurrently, their event ids all starting at 1: each entry is its own child's.
    expect(fold.states.Look!.entered).to.equal(3);
    expect(fold.states.Work!.entered).to.equal(3);
    // Only the first child samples its states.
    expect(fold.states.Work!.samples).to.have.length(1);
  });

  it('reports each Map Run: children by outcome, items, the slowest child, the largest child and the failed ones', async () => {
    const { folds, result } = await folded(['a', 'b', 'c', 'bad', 'e'], { c: 30 });
    const [report] = folds.mapRuns(result.mapRuns);
    expect(report).to.deep.include({
      stateName: 'Fan Out',
      executionType: 'EXPRESS',
      status: 'SUCCEEDED',
      children: { total: 3, succeeded: 2, failed: 1, timedOut: 0, aborted: 0 },
      itemsProcessed: 3,
      itemsNotProcessed: 2,
      childStateTransitions: 6,
    });
    expect(report!.slowest).to.deep.include({ index: 1, status: 'FAILED', items: 2 });
    expect(report!.slowest!.durationMs).to.be.at.least(25);
    expect(report!.unsuccessful).to.have.length(1);
    expect(report!.unsuccessful[0]).to.deep.include({ index: 1, error: 'Boom', cause: 'cannot work on c, bad', failedState: 'Work' });
    const child = result.mapRuns[0]!.executions[0]!;
    expect(report!.largestChildEvents).to.equal(child.eventCount);
    expect(report!.largestChildPayloadBytes).to.be.greaterThan(0);
  });

  it('has no Map Run for an execution without one', async () => {
    const folds = createExecutionFolds(CONTEXT.executionArn);
    const result = await run({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, {}, { onEvent: (event, execution) => folds.add(event, execution.executionArn) });
    expect(folds.mapRuns(result.mapRuns)).to.deep.equal([]);
    expect(folds.result()).to.include({ historyEvents: 4, stateTransitions: 1 });
  });

  it('takes the slowest child among those that ran to their end: an ABORTED one was stopped by the failed Map Run', () => {
    const child = (index: number, status: MapRunExecution['status'], ms: number): MapRunExecution => ({
      index, executionArn: `arn:child-${index}`, name: `child-${index}`, status, startDate: new Date(0), stopDate: new Date(ms),
      inputBytes: 2, items: 1, eventCount: 3, stateTransitions: 1,
    });
    const record: MapRunRecord = {
      mapRunArn: 'arn:map-run', stateName: 'Fan Out', executionType: 'EXPRESS', status: 'FAILED', maxConcurrency: 3,
      toleratedFailureCount: 0, toleratedFailurePercentage: 0, total: { executions: 3, items: 3 }, running: { executions: 0, items: 0 },
      executions: [child(0, 'FAILED', 40), child(1, 'ABORTED', 900), child(2, 'SUCCEEDED', 300)], inFlight: new Map(),
    };
    const [report] = createExecutionFolds(CONTEXT.executionArn).mapRuns([record]);
    expect(report!.slowest).to.deep.include({ index: 2, status: 'SUCCEEDED', durationMs: 300 });
  });
});

import { expect } from 'chai';
import type { MapRunRecord, TaskCall } from '../../../engine/index.ts';
import { failure, machine, run, types } from '../run.ts';

const processor = (state: Record<string, unknown>, executionType = 'STANDARD') => ({
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
  StartAt: 'I',
  States: { I: state },
});

describe('engine: distributed Map state', () => {
  it('runs each item as a child execution with its own history; the parent records the Map Run', async () => {
    const result = await run(machine({ Type: 'Map', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }), ['a', 'b']);
    expect(result.output).to.deep.equal(['a', 'b']);
    expect(types(result)).to.deep.equal([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.mapRuns).to.have.length(1);
    const [mapRun] = result.mapRuns;
    expect(mapRun!.executionType).to.equal('STANDARD');
    expect(mapRun!.mapRunArn).to.match(/^arn:aws:states:us-east-1:123456789012:mapRun:machine\/S:/);
    expect(result.history[3]!.mapRunStartedEventDetails).to.deep.equal({ mapRunArn: mapRun!.mapRunArn });
    // MapStateSucceeded points at MapRunSucceeded, and so does MapStateExited (AWS's links).
    expect(result.history.slice(4, 7).map((event) => event.previousEventId)).to.deep.equal([4, 5, 5]);
    expect(mapRun!.executions.map((execution) => [execution.status, execution.output])).to.deep.equal([
      ['SUCCEEDED', 'a'],
      ['SUCCEEDED', 'b'],
    ]);
    // A STANDARD child keeps its history, as GetExecutionHistory returns it on AWS.
    expect(mapRun!.executions[0]!.history!.map((event) => event.type)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(mapRun!.executions[0]).to.include({ eventCount: 4, stateTransitions: 1, inputBytes: 3 });
  });

  describe('what the Map Run keeps of its children', () => {
    // C fails the child whose input is 0 and passes the others; half may fail.
    const choosing = (executionType: string) =>
      machine({
        Type: 'Map',
        ToleratedFailurePercentage: 50,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
          StartAt: 'C',
          States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'F' }], Default: 'P' }, F: { Type: 'Fail', Error: 'E', Cause: 'zero' }, P: { Type: 'Pass', End: true } },
        },
        End: true,
      });

    it('an EXPRESS child that succeeds keeps its outcome, times and counts but no history (AWS keeps none)', async () => {
      const result = await run(choosing('EXPRESS'), [0, 12]);
      expect(result.status).to.equal('SUCCEEDED');
      const child = result.mapRuns[0]!.executions[1]!;
      expect(child).to.include({ index: 1, status: 'SUCCEEDED', output: 12, inputBytes: 2, eventCount: 6, stateTransitions: 2 });
      expect(child).not.to.have.property('history');
      expect(child.executionArn).to.match(new RegExp(`^arn:aws:states:us-east-1:123456789012:execution:machine/S:${child.name}$`));
      expect(child.stopDate.getTime()).to.be.at.least(child.startDate.getTime());
    });

    it('an EXPRESS child that fails keeps its history, so the reason can be shown', async () => {
      const result = await run(choosing('EXPRESS'), [0, 12]);
      const child = result.mapRuns[0]!.executions[0]!;
      expect(child).to.include({ status: 'FAILED', error: 'E', cause: 'zero', eventCount: 5, stateTransitions: 2 });
      expect(child.history!.map((event) => event.type)).to.deep.equal(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed']);
    });

    it('a STANDARD child keeps its history whatever its outcome', async () => {
      const result = await run(choosing('STANDARD'), [0, 12]);
      const [failed, succeeded] = result.mapRuns[0]!.executions;
      expect(succeeded!.history!.map((event) => event.type).at(-1)).to.equal('ExecutionSucceeded');
      expect(failed!.history!.map((event) => event.type).at(-1)).to.equal('ExecutionFailed');
      expect(succeeded!.eventCount).to.equal(succeeded!.history!.length);
    });

    it('an EXPRESS child still runs under its own history quota, failing with States.Runtime when it reaches it', async () => {
      const loop = machine({
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'L',
          // Endless for these items: AWS refuses a machine with no state that ends it.
          States: { L: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'L' }, Done: { Type: 'Succeed' } },
        },
        End: true,
      });
      const result = await run(loop, [1], { quotas: { historyEvents: 20, payloadBytes: 262_144 } });
      const child = result.mapRuns[0]!.executions[0]!;
      expect(child).to.include({ status: 'FAILED', error: 'States.Runtime', eventCount: 20 });
      expect(child.cause).to.match(/maximum number of history events \(20\)/);
      expect(child.history).to.have.length(20);
    });
  });

  it('a child sees its own execution in $$ (not the parent)', async () => {
    const result = await run(machine({ Type: 'Map', ItemProcessor: processor({ Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'in.$': '$$.Execution.Input' }, End: true }), End: true }), [1]);
    const [output] = result.output as { id: string; in: unknown }[];
    expect(output!.id).to.equal(result.mapRuns[0]!.executions[0]!.executionArn);
    expect(output!.in).to.equal(1);
  });

  it('groups items with ItemBatcher (MaxItemsPerBatch, BatchInput)', async () => {
    const result = await run(
      machine({ Type: 'Map', ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'k.$': '$.k' } }, ItemsPath: '$.items', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }),
      { items: [1, 2, 3], k: 'K' },
    );
    expect(result.output).to.deep.equal([
      { BatchInput: { k: 'K' }, Items: [1, 2] },
      { BatchInput: { k: 'K' }, Items: [3] },
    ]);
  });

  it('reads ItemBatcher\'s paths as AWS does: a numeric string is its number (recorded: "2" and "15000"), anything else no integer', async () => {
    const batched = (batcher: Record<string, unknown>) =>
      machine({ Type: 'Map', ItemBatcher: batcher, ItemsPath: '$.items', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true });
    const strings = await run(batched({ MaxItemsPerBatchPath: '$.n', MaxInputBytesPerBatchPath: '$.bytes' }), { items: [1, 2, 3], n: '2', bytes: '15000' });
    expect(strings.output).to.deep.equal([{ Items: [1, 2] }, { Items: [3] }]);
    for (const n of ['two', -1, 1.5, { n: 2 }]) {
      const result = await run(batched({ MaxItemsPerBatchPath: '$.n' }), { items: [1], n });
      const shown = typeof n === 'string' ? n : JSON.stringify(n);
      expect(result).to.include({ status: 'FAILED', error: 'States.Runtime', cause: `An error occurred while executing the state 'S' (entered at the event id #2). The MaxItemsPerBatchPath field refers to value "${shown}" which is not a valid integer: $.n` });
    }
    const jsonata = machine({ Type: 'Map', QueryLanguage: 'JSONata', ItemBatcher: { MaxItemsPerBatch: '{% "x" %}' }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true });
    expect(await run(jsonata, [1])).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError', cause: `An error occurred while executing the state 'S' (entered at the event id #2). The MaxItemsPerBatch field must be a non-negative integer, but was: "x"` });
  });

  it('MaxInputBytesPerBatch closes a batch before its JSON grows past the limit', async () => {
    // {"Items":["aaaa","bbbb"]} is 25 bytes; adding ,"cccc" would make it 32.
    const result = await run(
      machine({ Type: 'Map', ItemBatcher: { MaxInputBytesPerBatch: 25 }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }),
      ['aaaa', 'bbbb', 'cccc'],
    );
    expect(result.output).to.deep.equal([{ Items: ['aaaa', 'bbbb'] }, { Items: ['cccc'] }]);
  });

  it('reads items through the dispatcher with ItemReader and writes results with ResultWriter', async () => {
    const calls: TaskCall[] = [];
    const result = await run(
      machine({
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'b', 'Key.$': '$.key' } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out' } },
        ItemProcessor: processor({ Type: 'Pass', End: true }, 'EXPRESS'),
        End: true,
      }),
      { key: 'items.json' },
      {
        dispatch: async (call) => {
          calls.push(call);
          if (call.resource.endsWith('getObject')) return [1, 2];
          return { ResultWriterDetails: { Bucket: 'out', Key: 'k' } };
        },
      },
    );
    expect(result.status).to.equal('SUCCEEDED');
    expect(calls[0]!.parameters).to.deep.equal({ Bucket: 'b', Key: 'items.json', ReaderConfig: { InputType: 'JSON' } });
    const [mapRun] = result.mapRuns;
    // The writer is given what AWS writes of each child: its summary, with its input as JSON text.
    expect(calls[1]!.parameters).to.deep.include({
      Bucket: 'out',
      MapRunArn: mapRun!.mapRunArn,
      StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine/S',
      Executions: mapRun!.executions,
    });
    expect(mapRun!.executions.map((child) => [child.input, child.output, child.items])).to.deep.equal([
      ['1', 1, 1],
      ['2', 2, 1],
    ]);
    expect(result.output).to.deep.equal({ ResultWriterDetails: { Bucket: 'out', Key: 'k' } });
    expect(mapRun!.executionType).to.equal('EXPRESS');
  });

  it('keeps no child input without a ResultWriter, and counts the items each child was given', async () => {
    const result = await run(
      machine({ Type: 'Map', ItemBatcher: { MaxItemsPerBatch: 2 }, ItemProcessor: processor({ Type: 'Pass', End: true }, 'EXPRESS'), End: true }),
      [1, 2, 3],
    );
    const [mapRun] = result.mapRuns;
    expect(mapRun!.executions.map((child) => child.items)).to.deep.equal([2, 1]);
    expect(mapRun!.executions[0]).not.to.have.property('input');
    expect(mapRun!).to.deep.include({ status: 'SUCCEEDED', total: { executions: 2, items: 3 }, running: { executions: 0, items: 0 } });
  });

  it('records the resolved MaxConcurrency and tolerated failures (Path forms) on the Map Run', async () => {
    const result = await run(
      machine({
        Type: 'Map',
        MaxConcurrencyPath: '$.c',
        ToleratedFailureCountPath: '$.n',
        ToleratedFailurePercentagePath: '$.p',
        ItemsPath: '$.items',
        ItemProcessor: processor({ Type: 'Pass', End: true }),
        End: true,
      }),
      { c: 3, n: 2, p: 12.5, items: [1] },
    );
    expect(result.mapRuns[0]).to.deep.include({ maxConcurrency: 3, toleratedFailureCount: 2, toleratedFailurePercentage: 12.5 });
  });

  it('records the JSONata forms too, and 0 where the state sets none', async () => {
    const jsonata = machine(
      { Type: 'Map', MaxConcurrency: '{% $states.input.c %}', ToleratedFailurePercentage: '{% 5 * 2 %}', Items: '{% $states.input.items %}', ItemProcessor: processor({ Type: 'Pass', End: true }), End: true },
      {},
      { QueryLanguage: 'JSONata' },
    );
    expect((await run(jsonata, { c: 7, items: [1] })).mapRuns[0]).to.deep.include({ maxConcurrency: 7, toleratedFailureCount: 0, toleratedFailurePercentage: 10 });
  });

  it('hands the Map Run to onMapRun as it starts, and updates it in place while the children run', async () => {
    const seen: { status: string; total: unknown; running: unknown; ended: number }[] = [];
    let live: MapRunRecord | undefined;
    const result = await run(
      machine({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: processor({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true }), End: true }),
      [1, 2],
      {
        onMapRun: (mapRun) => {
          live = mapRun;
          seen.push({ status: mapRun.status, total: { ...mapRun.total }, running: { ...mapRun.running }, ended: 0 });
        },
        dispatch: async () => {
          seen.push({ status: live!.status, total: { ...live!.total }, running: { ...live!.running }, ended: live!.executions.filter(Boolean).length });
          return {};
        },
      },
    );
    expect(live).to.equal(result.mapRuns[0]);
    expect(seen).to.deep.equal([
      { status: 'RUNNING', total: { executions: 0, items: 0 }, running: { executions: 0, items: 0 }, ended: 0 },
      { status: 'RUNNING', total: { executions: 2, items: 2 }, running: { executions: 1, items: 1 }, ended: 0 },
      { status: 'RUNNING', total: { executions: 2, items: 2 }, running: { executions: 1, items: 1 }, ended: 1 },
    ]);
    expect(live!.status).to.equal('SUCCEEDED');
    expect(live!.running).to.deep.equal({ executions: 0, items: 0 });
  });

  describe('authorizing the children before they start', () => {
    const twoItems = () => machine({ Type: 'Map', ItemProcessor: processor({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true }), End: true });

    it("asks once, with the execution's state machine, before the first child", async () => {
      const asked: string[] = [];
      let dispatched = 0;
      const result = await run(twoItems(), [1, 2], {
        authorizeChildStart: (stateMachineArn, execution) => {
          expect(dispatched).to.equal(0);
          asked.push(`${stateMachineArn} ${execution.executionName}`);
        },
        dispatch: async () => {
          dispatched += 1;
          return {};
        },
      });
      expect(result.status).to.equal('SUCCEEDED');
      expect(asked).to.deep.equal(['arn:aws:states:us-east-1:123456789012:stateMachine:machine run-1']);
    });

    it('a refusal fails the Map state with States.Runtime and the refusal as its cause; no child runs', async () => {
      let dispatched = 0;
      const result = await run(twoItems(), [1, 2], {
        authorizeChildStart: () => {
          throw failure('AccessDenied', 'User: r is not authorized to perform: states:StartExecution on resource: m');
        },
        dispatch: async () => {
          dispatched += 1;
          return {};
        },
      });
      // As AWS words a States.Runtime failure in a state.
      expect(result).to.include({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: "An error occurred while executing the state 'S' (entered at the event id #2). User: r is not authorized to perform: states:StartExecution on resource: m",
      });
      expect(dispatched).to.equal(0);
      expect(types(result)).to.deep.equal([
        'ExecutionStarted',
        'MapStateEntered',
        'MapStateStarted',
        'MapRunStarted',
        'MapRunFailed',
        // States.Runtime ends the execution without a MapStateFailed, as AWS records it.
        'ExecutionFailed',
      ]);
      expect(result.mapRuns[0]).to.deep.include({ status: 'FAILED', executions: [] });
    });

    it('is not asked when there is no item to run', async () => {
      const result = await run(twoItems(), [], {
        authorizeChildStart: () => {
          throw new Error('not expected');
        },
      });
      expect(result.status).to.equal('SUCCEEDED');
    });
  });

  it('ReaderConfig.MaxItems limits the items read', async () => {
    const result = await run(
      machine({ Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', MaxItems: 2 }, Parameters: {} }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }),
      {},
      { dispatch: async () => [1, 2, 3] },
    );
    expect(result.output).to.deep.equal([1, 2]);
  });

  describe('ReaderConfig.MaxItemsPath and JSONata MaxItems', () => {
    const reading = (readerConfig: Record<string, unknown>, jsonata = false) =>
      machine({
        Type: 'Map',
        ...(jsonata ? { QueryLanguage: 'JSONata' } : {}),
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', ...readerConfig }, ...(jsonata ? { Arguments: {} } : { Parameters: {} }) },
        ItemProcessor: processor({ Type: 'Pass', End: true }),
        End: true,
      });
    const items = { dispatch: async () => [1, 2, 3] };

    it('keeps at most the number the path gives; 0 keeps all', async () => {
      expect((await run(reading({ MaxItemsPath: '$.max' }), { max: 2 }, items)).output).to.deep.equal([1, 2]);
      expect((await run(reading({ MaxItemsPath: '$.max' }), { max: 0 }, items)).output).to.deep.equal([1, 2, 3]);
    });

    it('fails the Map Run with States.ItemReaderFailed and AWS\'s cause for a negative count, before reading', async () => {
      let reads = 0;
      const result = await run(reading({ MaxItemsPath: '$.max' }), { max: -1 }, { dispatch: async () => (reads += 1, [1]) });
      expect(result).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'field MaxItems must be positive' });
      expect(types(result).slice(2)).to.deep.equal(['MapStateStarted', 'MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
      expect(reads).to.equal(0);
    });

    it('fails with States.ItemReaderFailed when the path gives no integer', async () => {
      const result = await run(reading({ MaxItemsPath: '$.max' }), { max: 'two' }, items);
      expect(result).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'The MaxItemsPath field refers to value "two" which is not a valid integer: $.max' });
      const fraction = await run(reading({ MaxItemsPath: '$.max' }), { max: '1.5' }, items);
      expect(fraction).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.max' });
    });

    it('reads a numeric string as its number, as AWS does (a variable holding "2", recorded)', async () => {
      const assigned = machine(
        { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', MaxItemsPath: '$maxItems' }, Parameters: {} }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true },
        { Start: { Type: 'Pass', Assign: { maxItems: '2' }, Next: 'S' } },
        { StartAt: 'Start' },
      );
      const result = await run(assigned, {}, items);
      expect(result.output).to.deep.equal([1, 2]);
    });

    it('evaluates a JSONata MaxItems', async () => {
      expect((await run(reading({ MaxItems: '{% $states.input.max %}' }, true), { max: 1 }, items)).output).to.deep.equal([1]);
      const bad = await run(reading({ MaxItems: '{% "x" %}' }, true), {}, items);
      expect(bad).to.include({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    });
  });

  it('an ItemReader failure is States.ItemReaderFailed', async () => {
    const result = await run(
      machine({ Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: {} }, ItemProcessor: processor({ Type: 'Pass', End: true }), End: true }),
      {},
      { dispatch: async () => Promise.reject(failure('S3.NoSuchKey', 'no such key')) },
    );
    expect(result).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'no such key' });
    // As AWS records it: the reader runs inside the Map Run, and MapStateStarted has length 0.
    expect(types(result).slice(2)).to.deep.equal(['MapStateStarted', 'MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    expect(result.history[2]!.mapStateStartedEventDetails).to.deep.equal({ length: 0 });
    expect(result.history[4]!.mapRunFailedEventDetails).to.deep.equal({ error: 'States.ItemReaderFailed', cause: 'no such key' });
  });

  it('a failed child beyond the tolerated failures fails the Map Run with States.ExceedToleratedFailureThreshold', async () => {
    const result = await run(machine({ Type: 'Map', ItemProcessor: processor({ Type: 'Fail', Error: 'E' }), End: true }), [1]);
    expect(result).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(types(result).slice(3)).to.deep.equal(['MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    expect(result.mapRuns[0]!.executions[0]).to.include({ status: 'FAILED', error: 'E' });
  });

  it('ToleratedFailurePercentage lets the run succeed with some failed children', async () => {
    const result = await run(
      machine({
        Type: 'Map',
        ToleratedFailurePercentage: 50,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'C',
          States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'F' }], Default: 'P' }, F: { Type: 'Fail', Error: 'E' }, P: { Type: 'Pass', End: true } },
        },
        End: true,
      }),
      [0, 1],
    );
    expect(result.status).to.equal('SUCCEEDED');
  });
});

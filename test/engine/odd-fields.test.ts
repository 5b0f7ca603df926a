// Every field of every state type set to values of every JSON type, in both query languages:
// the definition check refuses it by name, or the execution and TestState run it to an answer.
// None may end in a TypeError inside a state (the local engine's internal error) or an unnamed
// rejection: this sweep found Assign null, a Catch of null and a path of another type doing so.
import { expect } from 'chai';
import { checkDefinition, DefinitionError, runExecution, UnsupportedFeature } from '../../engine/index.ts';
import { InvalidTestStateRequest, testState } from '../../engine/test-state.ts';
import { CONTEXT, machine } from './run.ts';

const END = { Type: 'Pass', End: true };
const BASES: Record<string, Record<string, unknown>> = {
  Pass: { Type: 'Pass', Next: 'Done' },
  Task: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:listQueues', Next: 'Done' },
  Choice: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'Done' }], Default: 'Done' },
  Wait: { Type: 'Wait', Seconds: 0, Next: 'Done' },
  Succeed: { Type: 'Succeed' },
  Fail: { Type: 'Fail', Error: 'E', Cause: 'C' },
  Parallel: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: END } }], Next: 'Done' },
  Map: { Type: 'Map', ItemsPath: '$.b', ItemProcessor: { StartAt: 'B', States: { B: END } }, Next: 'Done' },
};
const FIELDS = [
  'Type', 'Next', 'End', 'Comment', 'InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'ResultSelector', 'Result',
  'Assign', 'Resource', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'Retry', 'Catch', 'Choices',
  'Default', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath', 'Error', 'ErrorPath', 'Cause', 'CausePath',
  'Branches', 'ItemProcessor', 'ItemsPath', 'ItemSelector', 'MaxConcurrency', 'MaxConcurrencyPath',
  'ToleratedFailurePercentage', 'ToleratedFailureCount', 'Label', 'Output', 'Arguments', 'Items',
];
const VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', '$', '$.a', '{% 1 %}', [], [null], [1], ['x'], [{}], {}, { a: 1 }, { 'x.$': 1 }];
// A retrier's and a catcher's fields, each set to the odd values, and lists of non-objects.
const RETRIERS = ['IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'ErrorEquals'].flatMap((field) =>
  [null, true, -1, 0, 1.5, 'x', [], {}].map((value) => [{ ErrorEquals: ['States.ALL'], [field]: value }]),
);
const CATCHERS = ['ResultPath', 'Next', 'ErrorEquals', 'Assign', 'Output'].flatMap((field) =>
  [null, true, 0, 'x', '$', [], {}].map((value) => [{ ErrorEquals: ['States.ALL'], Next: 'Done', [field]: value }]),
);
// A distributed Map's configuration, each of its objects and their fields set to the odd values.
const DISTRIBUTED = {
  Type: 'Map',
  ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' }, ReaderConfig: { InputType: 'JSON', MaxItems: 2 } },
  ItemBatcher: { MaxItemsPerBatch: 2 },
  ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' }, WriterConfig: { OutputType: 'JSON' } },
  ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'B', States: { B: END } },
  Next: 'Done',
};
const NESTED = [
  ['ItemReader'], ['ItemReader', 'Resource'], ['ItemReader', 'Parameters'], ['ItemReader', 'ReaderConfig'], ['ItemReader', 'ReaderConfig', 'MaxItems'],
  ['ItemReader', 'ReaderConfig', 'InputType'], ['ItemBatcher'], ['ItemBatcher', 'MaxItemsPerBatch'], ['ItemBatcher', 'BatchInput'], ['ResultWriter'],
  ['ResultWriter', 'Resource'], ['ResultWriter', 'WriterConfig'], ['ItemProcessor', 'ProcessorConfig'], ['ItemProcessor', 'ProcessorConfig', 'ExecutionType'],
];
const INPUT = { a: 1, b: [1, 2] };
const INTERNAL = /internal error of the local engine/;
const NAMED = [DefinitionError, UnsupportedFeature, InvalidTestStateRequest];

function variants(): { language: string; type: string; field: string; state: Record<string, unknown> }[] {
  const all = [];
  for (const language of ['JSONPath', 'JSONata']) {
    for (const [type, base] of Object.entries(BASES)) {
      for (const field of FIELDS) {
        const values = field === 'Retry' ? [...RETRIERS, ...VALUES] : field === 'Catch' ? [...CATCHERS, ...VALUES] : VALUES;
        for (const value of values) all.push({ language, type, field, state: { ...base, QueryLanguage: language, [field]: value } });
      }
    }
    for (const path of NESTED) {
      for (const value of VALUES) {
        const state: Record<string, unknown> = structuredClone({ ...DISTRIBUTED, QueryLanguage: language });
        const holder = path.slice(0, -1).reduce((object, key) => object[key] as Record<string, unknown>, state);
        holder[path.at(-1)!] = value;
        all.push({ language, type: 'DistributedMap', field: path.join('.'), state });
      }
    }
  }
  return all;
}

describe('engine: a field of any JSON type', () => {
  it('is refused by name at creation, or runs to an answer in an execution and in TestState', async function () {
    this.timeout(120_000);
    let accepted = 0;
    let refused = 0;
    for (const { language, type, field, state } of variants()) {
      const label = `${language} ${type}.${field} = ${JSON.stringify(state)}`;
      const definition = machine(state, { Done: END });
      let valid = true;
      try {
        checkDefinition(definition);
      } catch (error) {
        expect(NAMED.some((kind) => error instanceof kind), `${label}: ${String(error)}`).to.equal(true);
        valid = false;
      }
      if (valid) {
        accepted += 1;
        const result = await runExecution(definition, INPUT, CONTEXT, { dispatch: async () => ({}), retryDelay: () => 0, signal: AbortSignal.timeout(5_000) });
        expect(result.cause ?? '', label).not.to.match(INTERNAL);
      } else {
        refused += 1;
      }
      const tested = await testState({ definition: state, input: INPUT, mock: type === 'Task' ? { result: '{}' } : undefined }).then(
        (answer) => answer,
        (error: unknown) => {
          expect(NAMED.some((kind) => error instanceof kind), `TestState ${label}: ${String(error)}`).to.equal(true);
          return undefined;
        },
      );
      expect(tested?.cause ?? '', `TestState ${label}`).not.to.match(INTERNAL);
    }
    // The sweep tried both outcomes.
    expect(accepted).to.be.greaterThan(100);
    expect(refused).to.be.greaterThan(1_000);
  });
});

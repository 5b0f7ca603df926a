// The TestState operation's request and response as AWS shapes them: stateConfiguration's Map
// fields, payloads as JSON text and a Map's settings as numbers, AWS's error codes and messages.
import { expect } from 'chai';
import { ApiError } from '../../../local/api/errors.ts';
import type { StateMachineStore } from '../../../local/api/state-machines.ts';
import { testStateOperation } from '../../../local/api/test-state.ts';
import { rejection } from '../../helpers.ts';

// A mocked state never reaches the state machines (they only serve an unmocked Task's calls).
const deps = { machines: {} as StateMachineStore };

const MAP = JSON.stringify({
  Type: 'Map',
  ItemsPath: '$.Values',
  ItemProcessor: { StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
  ToleratedFailurePercentage: 50,
  Retry: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], MaxAttempts: 2 }],
  End: true,
});
const input = JSON.stringify({ Values: ['a', 'b'] });

describe('local/api/test-state', () => {
  it('answers a mocked Map with its payloads as JSON text and its settings as numbers', async () => {
    const answer = await testStateOperation({ definition: MAP, input, inspectionLevel: 'DEBUG', mock: { result: '[1,2]' } }, deps);
    expect(answer).to.deep.equal({
      status: 'SUCCEEDED',
      output: '[1,2]',
      inspectionData: {
        input,
        afterInputPath: input,
        afterItemsPath: '["a","b"]',
        maxConcurrency: 0,
        toleratedFailurePercentage: 50,
        afterResultSelector: '[1,2]',
        afterResultPath: '[1,2]',
      },
    });
  });

  it('reads stateConfiguration.mapIterationFailureCount and retrierRetryCount', async () => {
    const body = { definition: MAP, input, inspectionLevel: 'TRACE', mock: { result: '[1,2]' } };
    const retried = await testStateOperation({ ...body, stateConfiguration: { mapIterationFailureCount: 2 } }, deps);
    expect(retried).to.deep.include({ status: 'RETRIABLE', error: 'States.ExceedToleratedFailureThreshold' });
    expect((retried.inspectionData as Record<string, unknown>).errorDetails).to.deep.equal({ retryIndex: 0, retryBackoffIntervalSeconds: 1 });
    const spent = await testStateOperation({ ...body, stateConfiguration: { mapIterationFailureCount: 2, retrierRetryCount: 2 } }, deps);
    expect(spent).to.deep.include({ status: 'FAILED', cause: 'The specified tolerated failure threshold was exceeded' });
  });

  it('returns AWS\'s error codes and messages for what TestState refuses', async () => {
    const refused = async (body: Record<string, unknown>) => (await rejection(testStateOperation({ definition: MAP, input, ...body }, deps))) as ApiError;
    const unmocked = await refused({});
    expect(unmocked).to.be.instanceOf(ApiError).and.to.include({ name: 'InvalidDefinition' });
    expect(unmocked.message).to.match(/^TestState API does not support Map or Parallel states/);
    expect(await refused({ mock: { result: '[1]', errorOutput: { error: 'E' } } })).to.include({
      name: 'ValidationException',
      message: 'A test mock should have only one of the following fields: [result, errorOutput].',
    });
    expect(await refused({ mock: { result: 'not JSON' } })).to.include({ name: 'ValidationException', message: 'Mocked result must be valid JSON' });
    expect(await refused({ mock: { result: '[1]' }, revealSecrets: true })).to.include({ message: 'TestState does not support RevealSecrets when a mock is specified.' });
    expect(await refused({ mock: { result: '{}' } })).to.include({ name: 'ValidationException', message: 'Mocked result must be an array.' });
    expect(await refused({ stateConfiguration: { mapIterationFailureCount: 1 } })).to.include({
      message: 'TestState does not support MapIterationFailureCount when a mock is not specified.',
    });
    expect(await refused({ mock: { result: '[1]' }, stateConfiguration: { mapIterationFailureCount: -1 } })).to.include({ name: 'ValidationException' });
    const machine = JSON.stringify({ StartAt: 'M', States: { M: JSON.parse(MAP) } });
    expect(await refused({ definition: machine, stateName: 'Nope' })).to.include({ name: 'ValidationException', message: 'State not found in definition' });
  });
});

// The TestState operation: one state run alone on the engine's TestState support, its Task calls
// (when not mocked) made through the bridge as the role roleArn names, its answer in AWS's shape
// (each inspection value as JSON text).
import {
  DefinitionError,
  InvalidTestStateRequest,
  nestingMessage,
  selectState,
  StatesError,
  testState,
  tooDeep,
  UnsupportedFeature,
  type InspectionData,
  type TestStateMock,
  type TestStateResult,
} from '../../engine/index.ts';
import { ApiError, validationError } from './errors.ts';
import { optionalBoolean, optionalEnum, optionalInteger, optionalObject, optionalString, parseJsonField, requiredString, type Body } from './fields.ts';
import type { StateMachineStore } from './state-machines.ts';

const MAX_PAYLOAD = 262_144;

export interface TestStateDeps {
  machines: StateMachineStore;
}

const text = (value: unknown) => JSON.stringify(value ?? null);

// Inspection data that is not a payload: given as it is, not as JSON text.
const AS_IS: (keyof InspectionData)[] = ['errorDetails', 'maxConcurrency', 'toleratedFailureCount', 'toleratedFailurePercentage'];

/** The result as TestState's response: payloads as JSON text. */
export function testStateResponse(result: TestStateResult): Record<string, unknown> {
  const { inspectionData, output, ...rest } = result;
  const response: Record<string, unknown> = { ...rest };
  if (output !== undefined) response.output = text(output);
  if (inspectionData) {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inspectionData) as [keyof InspectionData, unknown][]) {
      data[key] = AS_IS.includes(key) ? value : text(value);
    }
    response.inspectionData = data;
  }
  return response;
}

function readMock(body: Body): TestStateMock | undefined {
  const mock = optionalObject(body, 'mock');
  if (!mock) return undefined;
  optionalEnum(mock, 'fieldValidationMode', ['STRICT', 'PRESENT', 'NONE'] as const);
  const result = optionalString(mock, 'result', MAX_PAYLOAD);
  const errorOutput = optionalObject(mock, 'errorOutput');
  if (result !== undefined && errorOutput !== undefined) {
    throw validationError('A test mock should have only one of the following fields: [result, errorOutput].');
  }
  if (result !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(result);
    } catch {
      throw validationError('Mocked result must be valid JSON');
    }
    if (tooDeep(parsed)) throw validationError(`Invalid mock result: ${nestingMessage('the JSON')}`);
    return { result: parsed };
  }
  if (errorOutput === undefined) throw validationError('A test mock should have one of the following fields: [result, errorOutput].');
  return { errorOutput: { error: optionalString(errorOutput, 'error', 256) ?? '', cause: optionalString(errorOutput, 'cause', 32_768) ?? '' } };
}

/** stateConfiguration: the retries already made, and for a mocked Map or Parallel its iterations' outcome. */
function readConfiguration(body: Body) {
  const configuration = optionalObject(body, 'stateConfiguration');
  if (!configuration) return {};
  const retrierRetryCount = optionalInteger(configuration, 'retrierRetryCount', 0, Number.MAX_SAFE_INTEGER);
  const mapIterationFailureCount = optionalInteger(configuration, 'mapIterationFailureCount', 0, Number.MAX_SAFE_INTEGER);
  const errorCausedByState = optionalString(configuration, 'errorCausedByState', 80);
  if (errorCausedByState === '') throw validationError("1 validation error detected: Value '' at 'stateConfiguration.errorCausedByState' failed to satisfy constraint: Member must have length greater than or equal to 1");
  const readerData = optionalString(configuration, 'mapItemReaderData', MAX_PAYLOAD);
  return {
    ...(retrierRetryCount === undefined ? {} : { retrierRetryCount }),
    ...(mapIterationFailureCount === undefined ? {} : { mapIterationFailureCount }),
    ...(errorCausedByState === undefined ? {} : { errorCausedByState }),
    ...(readerData === undefined ? {} : { mapItemReaderData: parseJsonField(readerData, 'mapItemReaderData', 'ValidationException') }),
  };
}

export async function testStateOperation(body: Body, deps: TestStateDeps): Promise<Record<string, unknown>> {
  const definition = parseJsonField(requiredString(body, 'definition', 1_048_576), 'State Machine Definition', 'InvalidDefinition');
  const input = parseJsonField(optionalString(body, 'input', MAX_PAYLOAD) ?? '{}', 'input', 'InvalidExecutionInput');
  const stateName = optionalString(body, 'stateName', 80);
  const inspectionLevel = optionalEnum(body, 'inspectionLevel', ['INFO', 'DEBUG', 'TRACE'] as const) ?? 'INFO';
  const roleArn = optionalString(body, 'roleArn', 256);
  const context = optionalString(body, 'context', MAX_PAYLOAD);
  const variables = optionalString(body, 'variables', MAX_PAYLOAD);
  const configuration = readConfiguration(body);
  const mock = readMock(body);
  if (mock && optionalBoolean(body, 'revealSecrets') === true) throw validationError('TestState does not support RevealSecrets when a mock is specified.');
  try {
    const { name, state } = selectState(definition, stateName);
    // Without a mock, a Task calls its resource as the role, through the bridge.
    const handlers = !mock && roleArn !== undefined && state.Type === 'Task' ? deps.machines.handlersFor({ StartAt: name, States: { [name]: state } }, roleArn) : undefined;
    const result = await testState({
      definition,
      ...(stateName === undefined ? {} : { stateName }),
      input,
      inspectionLevel,
      ...(mock ? { mock } : {}),
      ...configuration,
      ...(context === undefined ? {} : { context: parseJsonField(context, 'context', 'ValidationException') }),
      ...(variables === undefined ? {} : { variables: parseJsonField(variables, 'variables', 'ValidationException') as Record<string, unknown> }),
      ...(roleArn === undefined ? {} : { roleArn }),
      ...(handlers
        ? {
            call: (state: string, _resource: string, parameters: unknown) => {
              const handler = handlers[state];
              if (!handler) return Promise.reject(new StatesError('States.Runtime', `no local handler for state "${state}"`));
              return handler(parameters);
            },
          }
        : {}),
    });
    return testStateResponse(result);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof InvalidTestStateRequest) throw new ApiError(error.code, error.message);
    if (error instanceof DefinitionError || (error instanceof StatesError && error.name === 'InvalidDefinition')) {
      throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${error.message}'`);
    }
    if (error instanceof UnsupportedFeature) {
      throw validationError(roleArn === undefined && !mock ? `${error.message} (or a roleArn)` : error.message);
    }
    throw error;
  }
}

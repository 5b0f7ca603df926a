// The TestState operation: one state run alone on the engine's TestState support, its Task calls
// (when not mocked) made through the bridge as the role roleArn names, its answer in AWS's shape
// (each inspection value as JSON text).
import { DefinitionError, StatesError, UnsupportedFeature } from '../../engine/index.ts';
import { selectState, testState, type InspectionData, type TestStateResult } from '../../engine/test-state.ts';
import { ApiError, validationError } from './errors.ts';
import { optionalEnum, optionalInteger, optionalObject, optionalString, parseJsonField, requiredString, type Body } from './fields.ts';
import type { StateMachineStore } from './state-machines.ts';

const MAX_PAYLOAD = 262_144;

export interface TestStateDeps {
  machines: StateMachineStore;
}

const text = (value: unknown) => JSON.stringify(value ?? null);

/** The result as TestState's response: payloads as JSON text. */
export function testStateResponse(result: TestStateResult): Record<string, unknown> {
  const { inspectionData, output, ...rest } = result;
  const response: Record<string, unknown> = { ...rest };
  if (output !== undefined) response.output = text(output);
  if (inspectionData) {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inspectionData) as [keyof InspectionData, unknown][]) {
      data[key] = key === 'errorDetails' ? value : text(value);
    }
    response.inspectionData = data;
  }
  return response;
}

function readMock(body: Body): { result?: unknown; errorOutput?: { error?: string; cause?: string } } | undefined {
  const mock = optionalObject(body, 'mock');
  if (!mock) return undefined;
  const result = optionalString(mock, 'result', MAX_PAYLOAD);
  const errorOutput = optionalObject(mock, 'errorOutput');
  if ((result === undefined) === (errorOutput === undefined)) throw validationError('A mock takes exactly one of result and errorOutput');
  if (result !== undefined) return { result: parseJsonField(result, 'mock result', 'ValidationException') };
  return { errorOutput: { error: optionalString(errorOutput!, 'error', 256) ?? '', cause: optionalString(errorOutput!, 'cause', 32_768) ?? '' } };
}

export async function testStateOperation(body: Body, deps: TestStateDeps): Promise<Record<string, unknown>> {
  const definition = parseJsonField(requiredString(body, 'definition', 1_048_576), 'State Machine Definition', 'InvalidDefinition');
  const input = parseJsonField(optionalString(body, 'input', MAX_PAYLOAD) ?? '{}', 'input', 'InvalidExecutionInput');
  const stateName = optionalString(body, 'stateName', 80);
  const inspectionLevel = optionalEnum(body, 'inspectionLevel', ['INFO', 'DEBUG', 'TRACE'] as const) ?? 'INFO';
  const roleArn = optionalString(body, 'roleArn', 256);
  const context = optionalString(body, 'context', MAX_PAYLOAD);
  const variables = optionalString(body, 'variables', MAX_PAYLOAD);
  const configuration = optionalObject(body, 'stateConfiguration');
  const retrierRetryCount = configuration ? optionalInteger(configuration, 'retrierRetryCount', 0, Number.MAX_SAFE_INTEGER) : undefined;
  const mock = readMock(body);
  try {
    const { name, state } = selectState(definition, stateName);
    // Without a mock, a Task calls its resource as the role, through the bridge.
    const handlers = !mock && roleArn !== undefined ? deps.machines.handlersFor({ StartAt: name, States: { [name]: state } }, roleArn) : undefined;
    const result = await testState({
      definition,
      ...(stateName === undefined ? {} : { stateName }),
      input,
      inspectionLevel,
      ...(mock ? { mock } : {}),
      ...(retrierRetryCount === undefined ? {} : { retrierRetryCount }),
      ...(context === undefined ? {} : { context: parseJsonField(context, 'context', 'ValidationException') }),
      ...(variables === undefined ? {} : { variables: parseJsonField(variables, 'variables', 'ValidationException') as Record<string, unknown> }),
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
    if (error instanceof DefinitionError || (error instanceof StatesError && error.name === 'InvalidDefinition')) {
      throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${error.message}'`);
    }
    if (error instanceof UnsupportedFeature) {
      throw validationError(roleArn === undefined && !mock ? `${error.message} (or a roleArn)` : error.message);
    }
    throw error;
  }
}

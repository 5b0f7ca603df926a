// Step Functions through the AWS SDK integration, `arn:aws:states:::aws-sdk:sfn:<action>`: the
// actions of Step Functions' API a Task can use on the executions and task tokens it runs beside
// (startExecution, describeExecution, stopExecution, sendTaskSuccess, sendTaskFailure,
// sendTaskHeartbeat), called through the same StepFunctionsApi as states:startExecution (states.ts).
// As every aws-sdk integration: request-response (and .waitForTaskToken), the response in the
// SDK's casing, errors as the Java SDK v2 names them (Sfn.InvalidTokenException, recorded).
import type { StepFunctionsApi, StepFunctionsOperation } from '../contracts.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { UnsupportedResource } from './errors.ts';
import { NO_MAP_FIELDS, sdkResponse } from './response.ts';
import type { ServiceDescriptor } from './service.ts';
import { apiFailure, inputText, NEEDS_EXECUTIONS, STATES_ERRORS, statesPermission } from './states.ts';

type Params = Record<string, unknown>;

/** Each aws-sdk:sfn action that runs offline, by its camelCase name, and the API operation it calls. */
const SFN_ACTIONS: Readonly<Record<string, StepFunctionsOperation>> = {
  startExecution: 'StartExecution',
  describeExecution: 'DescribeExecution',
  stopExecution: 'StopExecution',
  sendTaskSuccess: 'SendTaskSuccess',
  sendTaskFailure: 'SendTaskFailure',
  sendTaskHeartbeat: 'SendTaskHeartbeat',
};

// The API's members that hold JSON text: a Task may give them as any JSON value, which is sent as its text (recorded for Input).
const JSON_TEXT_MEMBERS: ReadonlySet<string> = new Set(['Input', 'Output']);

/**
 * The API request from the Task's parameters: member names in the API's camelCase, JSON members as
 * text, and no member for a null, as the SDK leaves an unset member out.
 */
function requestBody(params: Params): Params {
  const body: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    body[name.charAt(0).toLowerCase() + name.slice(1)] = JSON_TEXT_MEMBERS.has(name) ? inputText(value) : value;
  }
  return body;
}

export function sfnSdkTask(action: string, api: StepFunctionsApi | undefined, context: CallContext): ServiceCall {
  const operation = SFN_ACTIONS[action]!;
  return async (params) => {
    if (!api) throw new UnsupportedResource(`aws-sdk:sfn:${action} ${NEEDS_EXECUTIONS}`);
    authorize(context, statesPermission(operation, params), STATES_ERRORS, 'sdk');
    context.injectFault('sfn', action);
    let answer: Params;
    try {
      answer = await api.call(operation, requestBody(params));
    } catch (error) {
      throw apiFailure(error, 'sdk');
    }
    return sdkResponse(answer, NO_MAP_FIELDS);
  };
}

/** Step Functions' own API through aws-sdk:sfn: the actions above; IAM is checked at the call. */
export const SFN_SERVICE: ServiceDescriptor = {
  name: 'sfn',
  optimized: [],
  sdkAction: (action) => Object.hasOwn(SFN_ACTIONS, action),
  errors: STATES_ERRORS,
  faults: { throttled: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' } },
  call: ({ action, stepFunctions, context }) => sfnSdkTask(action, stepFunctions, context),
};

// Step Functions' own integration (AWS's "Start workflow executions from a task state"):
// `arn:aws:states:::states:startExecution` starts an execution of another state machine through
// Step Functions' API, as AWS's integration does. The request-response form and
// `.waitForTaskToken` return StartExecution's response; `.sync` waits for the child's end and
// returns its DescribeExecution (Input and Output as JSON text), `.sync:2` the same with them
// parsed. A `.sync` child that does not succeed fails the Task with States.TaskFailed and that
// description as the cause; a parent that stops, or whose Task times out, stops its `.sync` child.
import { randomUUID } from 'node:crypto';
import { arns, executionArnOf, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { isObject } from '../../workflow/json.ts';
import { NESTED_EXECUTION_RULE } from '../../workflow/permissions.ts';
import type { StepFunctionsApi, StepFunctionsOperation } from '../contracts.ts';
import type { RequiredPermission } from '../services/iam.ts';
import { authorize, type CallContext, type ServiceCall } from './context.ts';
import { serviceFailure, TaskFailure, UnsupportedResource, type IntegrationStyle, type ServiceErrors } from './errors.ts';
import { httpMetadata } from './response.ts';
import type { ServiceDescriptor } from './service.ts';

type Params = Record<string, unknown>;

// The exceptions the Java SDK v1 models for StartExecution, DescribeExecution and StopExecution.
const STATES_MODELED: ReadonlySet<string> = new Set([
  'ExecutionAlreadyExistsException',
  'ExecutionDoesNotExistException',
  'ExecutionLimitExceededException',
  'InvalidArnException',
  'InvalidExecutionInputException',
  'InvalidNameException',
  'KmsAccessDeniedException',
  'KmsInvalidStateException',
  'KmsThrottlingException',
  'StateMachineDeletingException',
  'StateMachineDoesNotExistException',
  'ValidationException',
]);

// The Java SDK v2 models every error of Step Functions' API; these are those of the actions aws-sdk:sfn runs offline (sfn.ts).
const SFN_MODELED: ReadonlySet<string> = new Set([
  ...STATES_MODELED,
  'InvalidOutputException',
  'InvalidTokenException',
  'TaskDoesNotExistException',
  'TaskTimedOutException',
]);

export const STATES_ERRORS: ServiceErrors = {
  optimized: { prefix: 'StepFunctions', generic: 'AWSStepFunctionsException', service: 'AWSStepFunctions', modeled: STATES_MODELED },
  sdk: { prefix: 'Sfn', generic: 'SfnException', service: 'Sfn', modeled: SFN_MODELED },
  accessDenied: { status: 400, name: 'AccessDeniedException' },
};

/** Where a Task of Step Functions' runs (states:startExecution here, aws-sdk:sfn in sfn.ts). */
export const NEEDS_EXECUTIONS = 'runs only where executions run (the endpoint, or a CLI run)';

/**
 * The IAM action and resource a Step Functions operation needs: the state machine to start, the
 * execution to watch, any resource (*) for a task token's answer, which names none.
 */
export function statesPermission(operation: string, params: Params): RequiredPermission {
  const arn = operation === 'StartExecution' ? params.StateMachineArn : params.ExecutionArn;
  return { action: `states:${operation}`, resources: [typeof arn === 'string' ? arn : '*'] };
}

/** What Step Functions needs of the role to create the managed rule a `.sync` Task watches its child with. */
export function managedRulePermissions(region: string, accountId: string): RequiredPermission[] {
  const rule = arns.eventsRule({ ...OFFLINE_SCOPE, region, account: accountId }, NESTED_EXECUTION_RULE);
  return ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({ action, resources: [rule] }));
}

/** How the Task waits: `.sync` and `.sync:2` differ only in how the child's description is shaped. */
type Form = 'request' | 'sync' | 'sync:2' | 'waitForTaskToken';

function formOf(pattern: string | undefined): Form {
  if (pattern === '.sync' || pattern === '.sync:2' || pattern === '.waitForTaskToken') return pattern.slice(1) as Form;
  return 'request';
}

/** StartExecution's input: the Task's Input as JSON text (an object or array is serialized, a string sent as is), `{}` without one. */
export function inputText(input: unknown): unknown {
  if (input === undefined) return '{}';
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** An API answer as the optimized integration returns it: member names in PascalCase, keys in order, dates in epoch milliseconds. */
function pascalCase(value: Params): Params {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]): [string, unknown] => [
        key.charAt(0).toUpperCase() + key.slice(1),
        member instanceof Date ? member.getTime() : isObject(member) ? pascalCase(member) : member,
      ])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** The child's DescribeExecution as the Task returns it; `.sync:2` parses its Input and Output. */
function childDescription(described: Params, form: Form): Params {
  const description = pascalCase(described);
  if (form !== 'sync:2') return description;
  for (const field of ['Input', 'Output']) {
    if (typeof description[field] === 'string') description[field] = JSON.parse(description[field]);
  }
  return description;
}

/** An API error as the Task fails with it: StepFunctions.<Code>Exception (Sfn.<Code>Exception for aws-sdk), with the SDK's cause. */
export function apiFailure(error: unknown, style: IntegrationStyle = 'optimized'): Error {
  if (!(error instanceof Error) || error instanceof TaskFailure) return error as Error;
  const status = (error as { status?: unknown }).status;
  return serviceFailure(STATES_ERRORS, style, { name: error.name, message: error.message, status: typeof status === 'number' ? status : 400 });
}

/** StartExecution's response as the optimized integration returns it, with the call's HTTP metadata. */
function startResponse(started: Params): Params {
  const requestId = randomUUID();
  const body = JSON.stringify({ executionArn: started.executionArn, startDate: (started.startDate as Date).getTime() / 1000 });
  const headers = {
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/x-amz-json-1.0',
    Date: new Date().toUTCString(),
    'x-amzn-RequestId': requestId,
  };
  return { ...pascalCase({ executionArn: started.executionArn, startDate: started.startDate }), ...httpMetadata(200, headers, requestId) };
}

export function startExecutionTask(pattern: string | undefined, api: StepFunctionsApi | undefined, context: CallContext): ServiceCall {
  const form = formOf(pattern);
  const call = async (operation: StepFunctionsOperation, body: Params) => {
    try {
      return await api!.call(operation, body);
    } catch (error) {
      throw apiFailure(error);
    }
  };
  return async (params, dispatched) => {
    if (!api) throw new UnsupportedResource(`states:startExecution ${NEEDS_EXECUTIONS}`);
    // The child's name is chosen before the call, so that its execution ARN is known to IAM.
    const name = params.Name ?? randomUUID();
    authorize(context, statesPermission('StartExecution', params), STATES_ERRORS, 'optimized');
    if (form === 'sync' || form === 'sync:2') {
      const watched = typeof params.StateMachineArn === 'string' && typeof name === 'string' ? executionArnOf(params.StateMachineArn, name) : '*';
      for (const operation of ['DescribeExecution', 'StopExecution']) {
        authorize(context, statesPermission(operation, { ExecutionArn: watched }), STATES_ERRORS, 'optimized');
      }
    }
    context.injectFault('states', 'startExecution');
    const started = await call('StartExecution', { stateMachineArn: params.StateMachineArn, name, input: inputText(params.Input) });
    const response = startResponse(started);
    if (form !== 'sync' && form !== 'sync:2') return response;
    const executionArn = started.executionArn as string;
    const signal = dispatched?.signal;
    // The parent stopped or its Task timed out: Step Functions stops the child it was managing.
    const stop = () => {
      const cause = `The Task state in AWS Step Functions execution [${dispatched!.execution.executionArn}] which was managing this resource was aborted`;
      // A child that has ended meanwhile needs no stop: StopExecution's answer changes nothing here.
      call('StopExecution', { executionArn, cause }).catch(() => undefined);
    };
    if (signal?.aborted) stop();
    else {
      dispatched?.submitted?.(response);
      signal?.addEventListener('abort', stop, { once: true });
    }
    try {
      await api.ended(executionArn);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    const description = childDescription(await call('DescribeExecution', { executionArn }), form);
    if (description.Status !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(description));
    return description;
  };
}

/** Step Functions: startExecution, request-response, `.sync`, `.sync:2` and `.waitForTaskToken`; IAM is checked at the call. */
export const STATES_SERVICE: ServiceDescriptor = {
  name: 'states',
  optimized: ['startExecution'],
  taskToken: ['startExecution'],
  sync: ['startExecution'],
  errors: STATES_ERRORS,
  permission: (operation, params) => statesPermission(operation, params),
  faults: { throttled: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' } },
  call: ({ pattern, stepFunctions, context }) => startExecutionTask(pattern, stepFunctions, context),
};

// The Step Functions operations the endpoint serves, each taking the request's JSON body and
// returning the response's, with AWS's validation, response shapes and errors.
import type { HistoryEvent } from '../../engine/index.ts';
import { ApiError } from './errors.ts';
import type { Execution, ExecutionStore } from './executions.ts';
import {
  checkName,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  parseJsonField,
  parseStatesArn,
  requiredString,
  type Body,
} from './fields.ts';
import { childHistory, describeChild, describeMapRun, describeRunningChild, findChild, findMapRun, mapRunChildren, mapRunDates } from './map-runs.ts';
import { mapRunMachineArn } from '../../workflow/arns.ts';
import type { MockConfig } from '../host/mock-config.ts';
import { splitTestCase, testCaseFor } from './mock-cases.ts';
import { paginate } from './pagination.ts';
import type { StateMachine, StateMachineStore } from './state-machines.ts';
import { activityOperations, type ActivityStore } from './activities.ts';
import { taskTokenOperations } from './task-token-operations.ts';
import type { TaskTokenRegistry } from './task-tokens.ts';
import { testStateOperation } from './test-state.ts';

export type Operation = (body: Body) => unknown;

// AWS's length constraints (API reference): a definition up to 1 MiB, an input up to 256 KiB.
const MAX_DEFINITION = 1_048_576;
const MAX_INPUT = 262_144;
const MAX_CAUSE = 32_768;
const MAX_ERROR = 256;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

export interface OperationDeps {
  machines: StateMachineStore;
  executions: ExecutionStore;
  tokens: TaskTokenRegistry;
  activities: ActivityStore;
  /** Aborted when the endpoint stops: ends GetActivityTask's long polls. */
  stopping: AbortSignal;
  /** The mock configuration (SFN_MOCK_CONFIG) whose test cases `<stateMachineArn>#<TestCase>` chooses. */
  mockConfig?: MockConfig;
}

const machineArn = (body: Body) => {
  const arn = requiredString(body, 'stateMachineArn', 2048);
  parseStatesArn(arn, ['stateMachine']);
  return arn;
};

const executionArn = (body: Body) => {
  const arn = requiredString(body, 'executionArn', 2048);
  parseStatesArn(arn, ['execution']);
  return arn;
};

function executionInput(body: Body): string {
  const input = optionalString(body, 'input', MAX_INPUT) ?? '{}';
  parseJsonField(input, 'execution input', 'InvalidExecutionInput');
  return input;
}

function describeMachine(machine: StateMachine) {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: machine.creationDate,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    revisionId: machine.revisionId,
  };
}

// The granularity of an Express workflow's billed duration.
const BILLING_STEP_MS = 100;

function outcome(execution: Execution) {
  return {
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

function describeExecution(execution: Execution) {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    input: execution.input,
    inputDetails: { included: true },
    ...outcome(execution),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

const PAYLOAD_FIELDS = ['input', 'inputDetails', 'output', 'outputDetails', 'parameters'];

/** An event as GetExecutionHistory returns it; without execution data, its payloads left out. */
function historyEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  if (includeData) return copy;
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    copy[key] = Object.fromEntries(Object.entries(value).filter(([field]) => !PAYLOAD_FIELDS.includes(field)));
  }
  return copy;
}

/** The operations on state machines themselves: create, describe, update, delete, list. */
function stateMachineOperations({ machines, executions }: OperationDeps): Record<string, Operation> {
  return {
    CreateStateMachine: (body) => {
      const machine = machines.create(machineSpec(body));
      return { stateMachineArn: machine.arn, creationDate: machine.creationDate };
    },

    DescribeStateMachine: (body) => describeMachine(machines.get(machineArn(body))),

    DescribeStateMachineForExecution: (body) => {
      const { machine } = executions.get(executionArn(body));
      const { status: _status, type: _type, creationDate, ...description } = describeMachine(machine);
      return { ...description, updateDate: machine.updateDate ?? creationDate };
    },

    UpdateStateMachine: (body) => {
      const arn = machineArn(body);
      const definition = optionalString(body, 'definition', MAX_DEFINITION);
      const roleArn = optionalString(body, 'roleArn', 256);
      if (definition === undefined && roleArn === undefined) {
        throw new ApiError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
      }
      const machine = machines.update(arn, { ...(definition === undefined ? {} : { definition }), ...(roleArn === undefined ? {} : { roleArn }) });
      return { updateDate: machine.updateDate, revisionId: machine.revisionId };
    },

    DeleteStateMachine: (body) => {
      machines.delete(machineArn(body));
      return {};
    },

    ListStateMachines: (body) => {
      const page = paginate(machines.list(), (machine) => machine.position, 'ascending', {
        maxResults: optionalInteger(body, 'maxResults', 0, 1000),
        nextToken: optionalString(body, 'nextToken', 1024),
        scope: { operation: 'ListStateMachines' },
      });
      return {
        stateMachines: page.items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: machine.type,
          creationDate: machine.creationDate,
        })),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
  };
}

function machineSpec(body: Body) {
  const type = optionalEnum(body, 'type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
  const name = checkName(requiredString(body, 'name', 80));
  const definition = requiredString(body, 'definition', MAX_DEFINITION);
  const roleArn = requiredString(body, 'roleArn', 256);
  return { name, type, definition, roleArn };
}

/** What a start asks for: Step Functions Local's `<stateMachineArn>#<TestCase>` (the machine, and the test case it runs under), a name, an input. */
function startRequest(body: Body, { machines, mockConfig }: OperationDeps) {
  const { arn, testCase } = splitTestCase(requiredString(body, 'stateMachineArn', 2048));
  parseStatesArn(arn, ['stateMachine']);
  const machine = machines.get(arn);
  const chosen = testCaseFor(mockConfig, machine, testCase);
  const name = optionalString(body, 'name', 80);
  if (name !== undefined) checkName(name);
  return { machine, testCase: chosen, name, input: executionInput(body) };
}

const unsupportedType = () => new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');

/** Starting, describing and stopping an execution. */
function executionOperations(deps: OperationDeps): Record<string, Operation> {
  const { executions } = deps;
  return {
    StartExecution: (body) => {
      const { machine, testCase, name, input } = startRequest(body, deps);
      if (machine.type === 'EXPRESS') throw unsupportedType();
      const execution = executions.start(machine, name, input, testCase);
      return { executionArn: execution.arn, startDate: execution.startDate };
    },

    StartSyncExecution: async (body) => {
      const { machine, testCase, name, input } = startRequest(body, deps);
      if (machine.type !== 'EXPRESS') throw unsupportedType();
      const execution = await executions.startSync(machine, name, input, testCase);
      const duration = execution.stopDate!.getTime() - execution.startDate.getTime();
      return {
        ...describeExecution(execution),
        // AWS says outputDetails whether or not there is an output (recorded for a FAILED one too).
        outputDetails: { included: true },
        // An Express workflow's duration is billed rounded up to the next 100 ms (recorded: 100 for a Pass state).
        billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(1, Math.ceil(duration / BILLING_STEP_MS)) * BILLING_STEP_MS },
        redriveCount: undefined,
        redriveStatus: undefined,
      };
    },

    DescribeExecution: (body) => {
      const arn = executionArn(body);
      const child = findChild(executions, arn);
      if (child) return describeChild(child.mapRun, child.child);
      return describeRunningChild(executions, arn) ?? describeExecution(executions.get(arn));
    },

    StopExecution: async (body) => {
      const execution = executions.get(executionArn(body));
      const error = optionalString(body, 'error', MAX_ERROR);
      const cause = optionalString(body, 'cause', MAX_CAUSE);
      await executions.stop(execution, { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) });
      return { stopDate: execution.stopDate };
    },
  };
}

/** ListExecutions's filter and paging fields, alike for a state machine's executions and a Map Run's children. */
type ListPaging = ReturnType<typeof listPaging>;

function listPaging(body: Body) {
  return {
    statusFilter: optionalEnum(body, 'statusFilter', STATUSES),
    maxResults: optionalInteger(body, 'maxResults', 0, 1000),
    nextToken: optionalString(body, 'nextToken', 3096),
  };
}

/** ListExecutions of a Map Run: its child executions, in the order they started. */
function listMapRunChildren({ executions }: OperationDeps, mapRunArn: string, { statusFilter, maxResults, nextToken }: ListPaging) {
  const { mapRun } = findMapRun(executions, mapRunArn);
  const children = mapRunChildren(mapRun).filter((child) => statusFilter === undefined || child.status === statusFilter);
  const scope = { operation: 'ListExecutions', mapRunArn, statusFilter };
  const page = paginate(children, (child) => child.index, 'ascending', { maxResults, nextToken, scope });
  return {
    executions: page.items.map((child) => ({
      executionArn: child.executionArn,
      stateMachineArn: mapRunArn,
      name: child.name,
      status: child.status,
      startDate: child.startDate,
      ...(child.stopDate ? { stopDate: child.stopDate } : {}),
      mapRunArn,
    })),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** ListExecutions of a state machine: its executions, the newest first. */
function listMachineExecutions({ machines, executions }: OperationDeps, arn: string, { statusFilter, maxResults, nextToken }: ListPaging) {
  parseStatesArn(arn, ['stateMachine']);
  machines.get(arn);
  const matching = executions.listFor(arn).filter((execution) => statusFilter === undefined || execution.status === statusFilter);
  const scope = { operation: 'ListExecutions', stateMachineArn: arn, statusFilter };
  const page = paginate(matching, (execution) => execution.position, 'descending', { maxResults, nextToken, scope });
  return {
    executions: page.items.map((execution) => ({
      executionArn: execution.arn,
      stateMachineArn: execution.machine.arn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    })),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** Reading what executions did: their lists, their histories, their Map Runs. */
function readingOperations(deps: OperationDeps): Record<string, Operation> {
  const { executions } = deps;
  return {
    ListExecutions: (body) => {
      const arn = optionalString(body, 'stateMachineArn', 2048);
      const mapRunArn = optionalString(body, 'mapRunArn', 2048);
      if ((arn === undefined) === (mapRunArn === undefined)) {
        throw validation('Exactly one of stateMachineArn and mapRunArn must be specified');
      }
      const paging = listPaging(body);
      return mapRunArn !== undefined ? listMapRunChildren(deps, mapRunArn, paging) : listMachineExecutions(deps, arn!, paging);
    },

    GetExecutionHistory: (body) => {
      const arn = executionArn(body);
      const child = findChild(executions, arn);
      const events = child ? childHistory(child.mapRun, child.child) : executions.get(arn).events;
      const maxResults = optionalInteger(body, 'maxResults', 0, 1000);
      const reverseOrder = optionalBoolean(body, 'reverseOrder') ?? false;
      const includeData = optionalBoolean(body, 'includeExecutionData') ?? true;
      // The events so far, in the order asked for; a running execution's later pages hold the newer ones.
      const ordered = reverseOrder ? [...events].reverse() : events;
      const page = paginate(ordered, (event) => event.id, reverseOrder ? 'descending' : 'ascending', {
        maxResults,
        nextToken: optionalString(body, 'nextToken', 3096),
        scope: { operation: 'GetExecutionHistory', executionArn: arn, reverseOrder },
      });
      return {
        events: page.items.map((event) => historyEvent(event, includeData)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },

    ListMapRuns: (body) => {
      const execution = executions.get(executionArn(body));
      const mapRuns = execution.mapRuns.map((mapRun, index) => ({ mapRun, index }));
      const page = paginate(mapRuns, (run) => run.index, 'ascending', {
        maxResults: optionalInteger(body, 'maxResults', 0, 1000),
        nextToken: optionalString(body, 'nextToken', 3096),
        scope: { operation: 'ListMapRuns', executionArn: execution.arn },
      });
      return {
        mapRuns: page.items.map(({ mapRun }) => ({
          executionArn: execution.arn,
          mapRunArn: mapRun.mapRunArn,
          stateMachineArn: mapRunMachineArn(mapRun.mapRunArn),
          ...mapRunDates(execution, mapRun.mapRunArn),
        })),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },

    DescribeMapRun: (body) => {
      const arn = requiredString(body, 'mapRunArn', 2000);
      parseStatesArn(arn, ['mapRun']);
      const { execution, mapRun } = findMapRun(executions, arn);
      return describeMapRun(execution, mapRun);
    },
  };
}

export function createOperations(deps: OperationDeps): Record<string, Operation> {
  return {
    ...stateMachineOperations(deps),
    ...executionOperations(deps),
    ...readingOperations(deps),
    TestState: (body) => testStateOperation(body, deps),
    ...taskTokenOperations(deps.tokens),
    ...activityOperations(deps.activities, deps.tokens, deps.stopping),
  };
}

const validation = (message: string) => new ApiError('ValidationException', message);

// The endpoint's state machines: created, updated, described, listed and deleted as Step
// Functions does, each with the bridge's handlers for its Task states and the policy of the role
// its roleArn names. The project's own workflow is there from the start, under its deployed name.
import { arns, OFFLINE_SCOPE } from '../../workflow/arns.ts';
import { randomUUID } from 'node:crypto';
import { checkDefinition } from '../../engine/index.ts';
import type { PolicyStatement } from '../../workflow/permissions.ts';
import { createTaskHandlers, ManagedRuleDenied } from '../bridge/index.ts';
import type { LocalEnvironment, StepFunctionsApi, TaskCall, TaskHandler } from '../contracts.ts';
import { localPolicies, roleArn } from '../services/iam.ts';
import { mockableStates, type MockConfig } from '../host/mock-config.ts';
import { ApiError, invalidArn } from './errors.ts';
import { parseJsonField } from './fields.ts';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachine {
  arn: string;
  name: string;
  /** Its place in the order of creations, which ListStateMachines pages by. */
  position: number;
  type: StateMachineType;
  /** The definition as given: DescribeStateMachine returns it verbatim. */
  definition: string;
  parsed: unknown;
  roleArn: string;
  /** The policy of the role roleArn names, which its executions run under. */
  policy: PolicyStatement[];
  creationDate: Date;
  updateDate?: Date;
  revisionId: string;
  handlers: Record<string, TaskHandler>;
}

export interface StateMachineSpec {
  name: string;
  type: StateMachineType;
  definition: string;
  roleArn: string;
}

export interface StateMachineStoreOptions {
  env: LocalEnvironment;
  /** The folder of the functions' bundles. */
  distDir: string;
  onCall?: (call: TaskCall) => void;
  /** Aborted when the endpoint stops: the functions still running are told no time is left. */
  signal?: AbortSignal;
  /** The mock configuration (SFN_MOCK_CONFIG): the states its test cases mock need no integration here. */
  mockConfig?: MockConfig;
  /** The user's roles (IAM's CreateRole on the endpoint): the live statements of one Step Functions may assume. */
  userRoles?: (arn: string) => PolicyStatement[] | undefined;
  /** Where a `states:startExecution` Task starts its children: the endpoint's own operations. */
  stepFunctions?: StepFunctionsApi;
}

export class StateMachineDoesNotExist extends ApiError {
  constructor(arn: string) {
    super('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }
}

export function createStateMachineStore(options: StateMachineStoreOptions) {
  const { resources } = options.env;
  const { region, accountId } = resources;
  const machines = new Map<string, StateMachine>();
  let created = 0;
  const policies = localPolicies(resources);
  const roleArnOf = (name: string) => roleArn(accountId, name);
  // The roles the stack creates, each with its policy; no other role exists offline.
  const roles = new Map<string, PolicyStatement[]>([
    ...Object.entries(resources.stateMachines).map(([workflow, machine]): [string, PolicyStatement[]] => [
      roleArnOf(machine.role),
      localPolicies(resources, [], workflow).stateMachinePolicy,
    ]),
    ...Object.entries(resources.functions).map(([name, fn]): [string, PolicyStatement[]] => [roleArnOf(fn.role), policies.functionPolicies[name]!]),
  ]);

  function checkRole(arn: string): PolicyStatement[] {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) throw invalidArn(arn);
    const policy = roles.get(arn) ?? options.userRoles?.(arn);
    if (!policy) {
      throw new ApiError(
        'AccessDeniedException',
        'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.',
      );
    }
    return policy;
  }

  /** The bridge's handlers for a definition's Task states, calling as the role `role` with its policy. */
  function handlersFor(definition: unknown, role: string, machineName?: string): Record<string, TaskHandler> {
    const policy = checkRole(role);
    try {
      return createTaskHandlers(definition, {
        // As AWS, a definition may name functions that do not exist: the call fails when it is made.
        acceptMissingFunctions: true,
        ...(machineName === undefined ? {} : { mockedStates: mockableStates(options.mockConfig, machineName), stateMachineName: machineName }),
        resources,
        endpoints: options.env.endpoints,
        roleArn: role,
        ...(options.stepFunctions ? { stepFunctions: options.stepFunctions } : {}),
        stateMachinePolicy: policy,
        functionPolicies: policies.functionPolicies,
        faults: [],
        distDir: options.distDir,
        messaging: options.env.messaging,
        ...(options.onCall ? { onCall: options.onCall } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ManagedRuleDenied) throw new ApiError('AccessDeniedException', error.message);
      // AWS would accept the resource; offline, only what the bridge can call runs.
      throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: 'offline, ${(error as Error).message}'`);
    }
  }

  /** Checks the definition as AWS does at creation, and builds the bridge's handlers for it. */
  function prepare(definition: string, role: string, name: string): Pick<StateMachine, 'parsed' | 'handlers' | 'policy'> {
    const parsed = parseJsonField(definition, 'State Machine Definition', 'InvalidDefinition');
    try {
      checkDefinition(parsed);
    } catch (error) {
      throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${(error as Error).message}'`);
    }
    return { parsed, handlers: handlersFor(parsed, role, name), policy: checkRole(role) };
  }

  return {
    handlersFor,

    /** The stack's roles, by ARN, with their policies. */
    stackRoles: roles as ReadonlyMap<string, PolicyStatement[]>,

    create(spec: StateMachineSpec): StateMachine {
      const arn = arns.stateMachine({ ...OFFLINE_SCOPE, region, account: accountId }, spec.name);
      const existing = machines.get(arn);
      const prepared = prepare(spec.definition, spec.roleArn, spec.name);
      if (existing) {
        // Creating again with the same settings is idempotent; anything else conflicts.
        if (existing.definition === spec.definition && existing.roleArn === spec.roleArn && existing.type === spec.type) return existing;
        throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      const machine: StateMachine = { ...spec, ...prepared, arn, position: created++, creationDate: new Date(), revisionId: randomUUID() };
      machines.set(arn, machine);
      return machine;
    },

    get(arn: string): StateMachine {
      const machine = machines.get(arn);
      if (!machine) throw new StateMachineDoesNotExist(arn);
      return machine;
    },

    update(arn: string, changes: { definition?: string; roleArn?: string }): StateMachine {
      const current = this.get(arn);
      const definition = changes.definition ?? current.definition;
      const role = changes.roleArn ?? current.roleArn;
      // Executions already started keep the machine they started with: replace, never mutate.
      const updated: StateMachine = {
        ...current,
        ...prepare(definition, role, current.name),
        definition,
        roleArn: role,
        updateDate: new Date(),
        revisionId: randomUUID(),
      };
      machines.set(arn, updated);
      return updated;
    },

    delete(arn: string): void {
      machines.delete(arn);
    },

    /** In creation order, as ListStateMachines pages them. */
    list(): StateMachine[] {
      return [...machines.values()];
    },
  };
}

export type StateMachineStore = ReturnType<typeof createStateMachineStore>;

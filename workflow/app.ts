// The application, as data: every data resource, Lambda function and workflow, one entry each.
// The build, the stack, the offline runtime, local IAM, the diagram and `make local|run
// WORKFLOW=` all loop over APP. Adding a function, a workflow or a resource is its own files
// plus its entry here.
import { OFFLINE_SCOPE } from './arns.ts';
import type { Application, Attribute, DataResource, FunctionSpec, LoopContract, QueueResource, QueueType, TableResource, WorkflowSpec } from './description.ts';
import { deployedRoleName, functionNames, MAX_ROLE_NAME, resourceName, workflowNames } from './names.ts';
import { NESTED_EXECUTION_RULE, ref, type ResourceArns } from './permissions.ts';
import { MAX_PREFIX_LENGTH } from './settings.ts';
import { withAtScale } from './transfer-records-at-scale.ts';
import { RESOURCES, SEED_FUNCTION, TRANSFER_RECORDS } from './transfer-records.ts';

export const APP: Application = withAtScale({
  resources: [...RESOURCES],
  functions: [SEED_FUNCTION],
  workflows: [TRANSFER_RECORDS],
});

/** The workflow `make local` and `make run` run when WORKFLOW is not given. */
export const DEFAULT_WORKFLOW = TRANSFER_RECORDS.name;

/** An entry names another that the description does not hold. */
export class UnknownEntry extends Error {
  override name = 'UnknownEntry';
}

function find<T>(entries: T[], matches: (entry: T) => boolean, what: string, known: string[]): T {
  const entry = entries.find(matches);
  if (entry === undefined) throw new UnknownEntry(`${what} is not in the application (known: ${known.join(', ') || 'none'})`);
  return entry;
}

export function findWorkflow(app: Application, name: string): WorkflowSpec {
  return find(app.workflows, (w) => w.name === name, `workflow "${name}"`, app.workflows.map((w) => w.name));
}

export function findFunction(app: Application, name: string): FunctionSpec {
  return find(app.functions, (f) => f.name === name, `function "${name}"`, app.functions.map((f) => f.name));
}

export function findResource(app: Application, id: string): DataResource {
  return find(app.resources, (r) => r.id === id, `resource "${id}"`, app.resources.map((r) => r.id));
}

/** The loop a workflow runs over its seed's list, when it runs one. */
export function loopOf(workflow: WorkflowSpec): LoopContract | undefined {
  return workflow.reconcile?.kind === 'loop' ? workflow.reconcile.loop : undefined;
}

/** The table a workflow's reconciled items are written to and the queue they are delivered to; undefined when it reconciles none. */
export function reconciledResources(app: Application, workflow: WorkflowSpec): { table: TableResource; queue: QueueResource } | undefined {
  if (workflow.reconcile === undefined) return undefined;
  const table = findResource(app, workflow.reconcile.items);
  const queue = findResource(app, workflow.reconcile.deliveries);
  if (table.kind !== 'table' || queue.kind !== 'queue') {
    throw new InvalidApplication(`workflow ${workflow.name}: its reconciled items must be a table and its deliveries a queue (${table.id} is a ${table.kind}, ${queue.id} a ${queue.kind})`);
  }
  return { table, queue };
}

/** Where an attribute's value comes from, for whoever knows the resources' names, ARNs and URLs. */
export interface AttributeValues {
  resource(resource: DataResource, attribute: 'name' | 'arn' | 'url'): string;
  function(fn: FunctionSpec, attribute: 'name' | 'arn'): string;
  workflow(workflow: WorkflowSpec, attribute: 'name' | 'arn'): string;
  /** A value by queue type, for whoever decides the type later (the stack, from a Terraform variable); the application's own type otherwise. */
  byQueueType?(choices: Record<QueueType, string>): string;
  /** The partition, for whoever knows it only at deploy time (the stack); the offline one otherwise. */
  partition?(): string;
}

/** The application's queue type: FIFO when its queues are (withQueueType makes them all one type). */
export function queueTypeOf(app: Application): QueueType {
  return app.resources.some((r) => r.kind === 'queue' && r.type === 'fifo') ? 'fifo' : 'standard';
}

/** The application with every queue of the given type (a FIFO queue's dead-letter queue must be FIFO too). */
export function withQueueType(app: Application, type: QueueType): Application {
  return { ...app, resources: app.resources.map((r) => (r.kind === 'queue' ? { ...r, type } : r)) };
}

export function resolveAttribute(app: Application, attribute: Attribute, values: AttributeValues): string {
  if ('value' in attribute) return attribute.value;
  if ('partition' in attribute) return values.partition ? values.partition() : OFFLINE_SCOPE.partition;
  if ('byQueueType' in attribute) return values.byQueueType ? values.byQueueType(attribute.byQueueType) : attribute.byQueueType[queueTypeOf(app)];
  if ('resource' in attribute) return values.resource(findResource(app, attribute.resource), attribute.attribute);
  if ('function' in attribute) return values.function(findFunction(app, attribute.function), attribute.attribute);
  return values.workflow(findWorkflow(app, attribute.workflow), attribute.attribute);
}

/** What the ARN of each kind of grant ref is made of, for whoever knows the ARNs. */
export interface RefArns {
  resource(resource: DataResource): string;
  function(fn: FunctionSpec): string;
  logGroup(fn: FunctionSpec): string;
  stateMachine(workflow: WorkflowSpec): string;
  executions(workflow: WorkflowSpec): string;
  eventsRule(name: string): string;
}

/**
 * The ARN of every ref the description's grants may name. Each is computed only when read, so
 * a caller may resolve a role's policy before the resources it does not name exist.
 */
export function grantArns(app: Application, arns: Partial<RefArns>): ResourceArns {
  const entries: [string, () => string | undefined][] = [
    ...app.resources.map((r): [string, () => string | undefined] => [r.id, () => arns.resource?.(r)]),
    ...app.resources
      .filter((r) => r.kind === 'bucket')
      .flatMap((r): [string, () => string | undefined][] => [
        [ref.objects(r.id), () => (arns.resource ? `${arns.resource(r)}/*` : undefined)],
        ...(r.prefixes ?? []).map((prefix): [string, () => string | undefined] => [
          ref.objects(r.id, prefix),
          () => (arns.resource ? `${arns.resource(r)}/${prefix}*` : undefined),
        ]),
      ]),
    ...app.functions.flatMap((fn): [string, () => string | undefined][] => [
      [ref.function(fn.name), () => arns.function?.(fn)],
      [ref.logStreams(fn.name), () => (arns.logGroup ? `${arns.logGroup(fn)}:*` : undefined)],
    ]),
    ...app.workflows.flatMap((w): [string, () => string | undefined][] => [
      [ref.stateMachine(w.id), () => arns.stateMachine?.(w)],
      [ref.executions(w.id), () => arns.executions?.(w)],
      // A Map Run's child executions are named `<state machine>/<Map label>:<id>`.
      [ref.mapRunExecutions(w.id), () => (arns.stateMachine ? `${arns.stateMachine(w).replace(':stateMachine:', ':execution:')}/*` : undefined)],
    ]),
    [ref.eventsRule(NESTED_EXECUTION_RULE), () => arns.eventsRule?.(NESTED_EXECUTION_RULE)],
  ];
  const resolved: ResourceArns = {};
  for (const [name, arn] of entries) {
    const value = arn();
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}

/** The description contradicts itself: a duplicate, a reference to nothing, a name too long. */
export class InvalidApplication extends Error {
  override name = 'InvalidApplication';
}

// On AWS a role's name ends in its region (workflow/names.ts): the longest, us-isof-south-1, has 15 characters.
const LONGEST_REGION = 15;
// S3 takes at most 37 characters for a bucket_prefix, `<prefix>-<suffix>-`.
const MAX_BUCKET_PREFIX = 37;
const LONGEST_PREFIX = 'x'.repeat(MAX_PREFIX_LENGTH);
const longestRole = (role: string) => deployedRoleName(role, 'r'.repeat(LONGEST_REGION));

/** Every problem of the description, one line each; none when it holds together. */
export function applicationProblems(app: Application): string[] {
  const problems: string[] = [];
  const duplicates = (what: string, keys: string[]) => {
    for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) problems.push(`two ${what} named "${key}"`);
  };
  duplicates('resources', app.resources.map((r) => r.id));
  duplicates('functions', app.functions.map((f) => f.name));
  duplicates('workflows', app.workflows.map((w) => w.name));
  duplicates('Terraform identifiers', [...app.resources.map((r) => r.id), ...app.workflows.map((w) => w.id)]);
  const refs = new Set(Object.keys(grantArns(app, allRefs)));
  const check = (where: string, found: () => unknown) => {
    try {
      found();
    } catch (error) {
      if (!(error instanceof UnknownEntry || error instanceof InvalidApplication)) throw error;
      problems.push(`${where}: ${error.message}`);
    }
  };
  const entries: [string, { grants: { sid: string; resources: string[] }[] }][] = [
    ...app.functions.map((f): [string, FunctionSpec] => [`function ${f.name}`, f]),
    ...app.workflows.map((w): [string, WorkflowSpec] => [`workflow ${w.name}`, w]),
  ];
  for (const [where, entry] of entries) {
    for (const grant of entry.grants) {
      for (const name of grant.resources) {
        if (name !== '*' && !refs.has(name)) problems.push(`${where}: grant ${grant.sid} names "${name}", which is not in the application`);
      }
    }
  }
  for (const fn of app.functions) {
    for (const [variable, attribute] of Object.entries(fn.environment)) check(`function ${fn.name}: ${variable}`, () => resolveAttribute(app, attribute, noValues));
    if (longestRole(functionNames(LONGEST_PREFIX, fn).role).length > MAX_ROLE_NAME) problems.push(`function ${fn.name}: its role name may exceed ${MAX_ROLE_NAME} characters`);
  }
  for (const workflow of app.workflows) {
    for (const [placeholder, attribute] of Object.entries(workflow.placeholders)) {
      check(`workflow ${workflow.name}: \${${placeholder}}`, () => resolveAttribute(app, attribute, noValues));
    }
    for (const fn of workflow.functions) check(`workflow ${workflow.name}`, () => findFunction(app, fn));
    check(`workflow ${workflow.name}: reconcile`, () => reconciledResources(app, workflow));
    if (longestRole(workflowNames(LONGEST_PREFIX, workflow).role).length > MAX_ROLE_NAME) {
      problems.push(`workflow ${workflow.name}: its role name may exceed ${MAX_ROLE_NAME} characters`);
    }
  }
  const queueTypes = new Set(app.resources.flatMap((r) => (r.kind === 'queue' ? [r.type ?? 'standard'] : [])));
  if (queueTypes.size > 1) problems.push('queues of both types: a FIFO queue needs a FIFO dead-letter queue, and one setting (withQueueType) chooses the type of all');
  for (const bucket of app.resources.filter((r) => r.kind === 'bucket')) {
    if (`${resourceName(LONGEST_PREFIX, bucket)}-`.length > MAX_BUCKET_PREFIX) problems.push(`bucket ${bucket.id}: its name prefix may exceed ${MAX_BUCKET_PREFIX} characters`);
  }
  app.resources.forEach((resource, index) => {
    if (resource.kind !== 'queue' || !resource.redrive) return;
    const deadLetter = app.resources.findIndex((r) => r.id === resource.redrive!.deadLetterQueue);
    if (deadLetter === -1 || deadLetter > index) {
      problems.push(`queue ${resource.id}: its dead-letter queue ${resource.redrive.deadLetterQueue} must come before it`);
    }
  });
  return problems;
}

/** Refuses a description that does not hold together, naming every problem. */
export function checkApplication(app: Application): void {
  const problems = applicationProblems(app);
  if (problems.length > 0) throw new InvalidApplication(problems.join('; '));
}

const allRefs: RefArns = {
  resource: (r) => r.id,
  function: (f) => f.name,
  logGroup: (f) => f.name,
  stateMachine: (w) => w.id,
  executions: (w) => w.id,
  eventsRule: (name) => name,
};
const noValues: AttributeValues = { resource: () => '', function: () => '', workflow: () => '' };

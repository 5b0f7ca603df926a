// The application, as data: every data resource, Lambda function and workflow, one entry each.
// The build, the stack, the offline runtime, local IAM, the diagram and `make local|run
// WORKFLOW=` all loop over APP. Adding a function, a workflow or a resource is its own files
// plus its entry here.
import type { Application, Attribute, DataResource, FunctionSpec, WorkflowSpec } from './description.ts';
import { ref, type ResourceArns } from './permissions.ts';
import { RESOURCES, SEED_FUNCTION, TRANSFER_RECORDS } from './transfer-records.ts';

export const APP: Application = {
  resources: [...RESOURCES],
  functions: [SEED_FUNCTION],
  workflows: [TRANSFER_RECORDS],
};

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

/** Where an attribute's value comes from, for whoever knows the resources' names, ARNs and URLs. */
export interface AttributeValues {
  resource(resource: DataResource, attribute: 'name' | 'arn' | 'url'): string;
  function(fn: FunctionSpec, attribute: 'name' | 'arn'): string;
  workflow(workflow: WorkflowSpec, attribute: 'name' | 'arn'): string;
}

export function resolveAttribute(app: Application, attribute: Attribute, values: AttributeValues): string {
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
      .map((r): [string, () => string | undefined] => [ref.objects(r.id), () => (arns.resource ? `${arns.resource(r)}/*` : undefined)]),
    ...app.functions.flatMap((fn): [string, () => string | undefined][] => [
      [ref.function(fn.name), () => arns.function?.(fn)],
      [ref.logStreams(fn.name), () => (arns.logGroup ? `${arns.logGroup(fn)}:*` : undefined)],
    ]),
    ...app.workflows.flatMap((w): [string, () => string | undefined][] => [
      [ref.stateMachine(w.id), () => arns.stateMachine?.(w)],
      [ref.executions(w.id), () => arns.executions?.(w)],
    ]),
  ];
  const resolved: ResourceArns = {};
  for (const [name, arn] of entries) {
    const value = arn();
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}

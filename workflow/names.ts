// How every entry of the description is named once deployed, and where its build lands: one
// rule for the stack, the offline runtime and the AWS run client.
import type { DataResource, FunctionSpec, QueueType, WorkflowSpec } from './description.ts';

/** SQS requires a FIFO queue's name to end in this. */
export const FIFO_NAME_SUFFIX = '.fifo';

export function resourceName(prefix: string, resource: Pick<DataResource, 'suffix'> & { type?: QueueType }): string {
  return `${prefix}-${resource.suffix}${resource.type === 'fifo' ? FIFO_NAME_SUFFIX : ''}`;
}

export interface FunctionNames {
  function: string;
  role: string;
  logGroup: string;
}

export function functionNames(prefix: string, fn: Pick<FunctionSpec, 'name'>): FunctionNames {
  return {
    function: `${prefix}-${fn.name}`,
    role: `${prefix}-${fn.name}-role`,
    logGroup: `/aws/lambda/${prefix}-${fn.name}`,
  };
}

export interface WorkflowNames {
  stateMachine: string;
  role: string;
  logGroup: string;
}

export function workflowNames(prefix: string, workflow: Pick<WorkflowSpec, 'suffix' | 'roleSuffix'>): WorkflowNames {
  return {
    stateMachine: `${prefix}-${workflow.suffix}`,
    role: `${prefix}-${workflow.roleSuffix}`,
    // Step Functions log delivery requires the /aws/vendedlogs/ prefix to avoid resource-policy size limits.
    logGroup: `/aws/vendedlogs/states/${prefix}-${workflow.suffix}`,
  };
}

/** IAM's longest role name. */
export const MAX_ROLE_NAME = 64;

/**
 * A role's name on AWS: IAM names are global to the account, so each region's deployment has
 * roles of its own, `<role>-<region>`. Offline there is one region, and roles keep their names.
 */
export function deployedRoleName(role: string, region: string): string {
  return `${role}-${region}`;
}

/** Where `make build` writes every function's bundle, relative to the repository root. */
export const DIST_DIR = 'dist';
export const BUNDLE_FILE = 'index.mjs';

export interface BundlePaths {
  bundleDir: string;
  bundleFile: string;
  zipFile: string;
}

/** A function's esbuild bundle and its zip: `<dist>/<name>/index.mjs` and `<dist>/<name>.zip`. */
export function bundlePaths(name: string, distDir: string = DIST_DIR): BundlePaths {
  const dir = `${distDir}/${name}`;
  return { bundleDir: dir, bundleFile: `${dir}/${BUNDLE_FILE}`, zipFile: `${distDir}/${name}.zip` };
}

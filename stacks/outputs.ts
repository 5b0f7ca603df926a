// The stack's Terraform output names, one per entry of the description, read back with
// `terraform output -json` by the AWS run client. Kept free of cdktf imports so that client
// loads nothing of the stack.
import type { Application } from '../workflow/description.ts';

export interface OutputNames {
  /** Per data resource id: its name (a table's, a bucket's) or its URL (a queue's). */
  resources: Record<string, string>;
  /** Per function name: its deployed name. */
  functions: Record<string, string>;
  /** Per workflow name: its state machine's ARN. */
  workflows: Record<string, string>;
}

export function outputNames(app: Application): OutputNames {
  return {
    resources: Object.fromEntries(app.resources.map((r) => [r.id, `${r.id}_${r.kind === 'queue' ? 'url' : 'name'}`])),
    functions: Object.fromEntries(app.functions.map((fn) => [fn.name, `${fn.name}_function_name`])),
    workflows: Object.fromEntries(app.workflows.map((w) => [w.name, `${w.id}_arn`])),
  };
}

// What both runners' command lines share: the error a bad argument raises, and the workflow option.
import { APP, DEFAULT_WORKFLOW, findWorkflow, UnknownEntry } from '../workflow/app.ts';
import type { Application, WorkflowSpec } from '../workflow/description.ts';

export class InvalidArguments extends Error {
  override name = 'InvalidArguments';
}

/** `--workflow NAME` (`make local|run WORKFLOW=NAME`): a workflow of the description, transfer-records by default. */
export function selectWorkflow(name: string | undefined, app: Application = APP): WorkflowSpec {
  try {
    return findWorkflow(app, name ?? DEFAULT_WORKFLOW);
  } catch (error) {
    if (error instanceof UnknownEntry) throw new InvalidArguments(`--workflow: ${error.message}`);
    throw error;
  }
}

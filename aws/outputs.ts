// Reads the deployed stack's outputs from Terraform state, so `make run` talks to exactly
// the resources `make deploy` created.
import { execFile } from 'node:child_process';
import { outputNames } from '../stacks/outputs.ts';
import { STACK_DIR, terraformDataDir } from '../stacks/paths.ts';
import { deployRegion } from '../stacks/region.ts';
import { APP, DEFAULT_WORKFLOW, findWorkflow } from '../workflow/app.ts';
import type { Application, WorkflowSpec } from '../workflow/description.ts';
import { namePrefix, STACK_NAME } from '../workflow/settings.ts';

/** What the run client needs of the stack for one workflow: its state machine and, when it is reconciled, where its items and messages go. */
export interface StackOutputs {
  stateMachineArn: string;
  tableName?: string;
  queueUrl?: string;
}

/** The output names a workflow's run reads, by StackOutputs key. */
function wantedOutputs(workflow: WorkflowSpec, app: Application): Partial<Record<keyof StackOutputs, string>> {
  const names = outputNames(app);
  const { reconcile } = workflow;
  return {
    stateMachineArn: names.workflows[workflow.name]!,
    ...(reconcile
      ? { tableName: names.resources[reconcile.items]!, queueUrl: names.resources[reconcile.deliveries]! }
      : {}),
  };
}

export class TerraformMissing extends Error {
  override name = 'TerraformMissing';
}

export class StackNotDeployed extends Error {
  override name = 'StackNotDeployed';
}

/** Runs a program in an environment and resolves with its stdout; rejects like execFile does. */
export type RunProgram = (file: string, args: string[], env: NodeJS.ProcessEnv) => Promise<string>;

const runProgram: RunProgram = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024, env }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr }));
      else resolve(stdout);
    });
  });

export async function readStackOutputs(
  run: RunProgram = runProgram,
  stackDir: string = STACK_DIR,
  workflow: WorkflowSpec = findWorkflow(APP, DEFAULT_WORKFLOW),
  env: NodeJS.ProcessEnv = process.env,
): Promise<StackOutputs> {
  // The deployment's own data folder, which `make deploy` initialised (scripts/terraform.ts).
  const terraformEnv = { ...env, TF_DATA_DIR: terraformDataDir(namePrefix(env), deployRegion(env).region) };
  let stdout: string;
  try {
    stdout = await run('terraform', [`-chdir=${stackDir}`, 'output', '-json', '-no-color'], terraformEnv);
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    if (code === 'ENOENT') {
      throw new TerraformMissing('terraform is not installed or not on PATH: install Terraform, then run make deploy first');
    }
    throw new StackNotDeployed(
      `could not read the outputs of ${stackDir} (${terraformError(stderr) ?? `terraform exited with ${code}`}): run make deploy first`,
    );
  }
  return parseOutputs(stdout, stackDir, workflow);
}

/** Turns `terraform output -json` into StackOutputs, naming any output that is missing. */
export function parseOutputs(
  json: string,
  stackDir: string = STACK_DIR,
  workflow: WorkflowSpec = findWorkflow(APP, DEFAULT_WORKFLOW),
  app: Application = APP,
): StackOutputs {
  const wanted = wantedOutputs(workflow, app);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new StackNotDeployed(`terraform output in ${stackDir} did not print JSON: run make deploy first`);
  }
  const outputs = (raw ?? {}) as Record<string, { value?: unknown } | undefined>;
  const missing = Object.values(wanted).filter((name) => {
    const value = outputs[name]?.value;
    return typeof value !== 'string' || value === '';
  });
  if (missing.length > 0) {
    throw new StackNotDeployed(
      Object.keys(outputs).length === 0
        ? `the ${STACK_NAME} stack has no outputs in ${stackDir}: run make deploy first`
        : `the ${STACK_NAME} stack lacks the output(s) ${missing.join(', ')}: run make deploy first`,
    );
  }
  return Object.fromEntries(Object.entries(wanted).map(([key, name]) => [key, outputs[name]!.value])) as unknown as StackOutputs;
}

/** The first `Error: ...` line of Terraform's stderr, which also carries warnings. */
function terraformError(stderr: string | undefined): string | undefined {
  return stderr
    ?.split('\n')
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim())
    .find((line) => line.startsWith('Error: '));
}

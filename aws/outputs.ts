// Reads the deployed stack's outputs from Terraform state, so `make run` talks to exactly
// the resources `make deploy` created.
import { execFile } from 'node:child_process';
import { OUTPUTS } from '../stacks/outputs.ts';
import { STACK_DIR } from '../stacks/paths.ts';
import { STACK_NAME } from '../workflow/resources.ts';

export type StackOutputs = Record<keyof typeof OUTPUTS, string>;

export class TerraformMissing extends Error {
  override name = 'TerraformMissing';
}

export class StackNotDeployed extends Error {
  override name = 'StackNotDeployed';
}

/** Runs a program and resolves with its stdout; rejects like execFile does. */
export type RunProgram = (file: string, args: string[]) => Promise<string>;

const runProgram: RunProgram = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr }));
      else resolve(stdout);
    });
  });

export async function readStackOutputs(
  run: RunProgram = runProgram,
  stackDir: string = STACK_DIR,
): Promise<StackOutputs> {
  let stdout: string;
  try {
    stdout = await run('terraform', [`-chdir=${stackDir}`, 'output', '-json', '-no-color']);
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    if (code === 'ENOENT') {
      throw new TerraformMissing('terraform is not installed or not on PATH: install Terraform, then run make deploy first');
    }
    throw new StackNotDeployed(
      `could not read the outputs of ${stackDir} (${terraformError(stderr) ?? `terraform exited with ${code}`}): run make deploy first`,
    );
  }
  return parseOutputs(stdout, stackDir);
}

/** Turns `terraform output -json` into StackOutputs, naming any output that is missing. */
export function parseOutputs(json: string, stackDir: string = STACK_DIR): StackOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new StackNotDeployed(`terraform output in ${stackDir} did not print JSON: run make deploy first`);
  }
  const outputs = (raw ?? {}) as Record<string, { value?: unknown } | undefined>;
  const missing = Object.values(OUTPUTS).filter((name) => {
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
  const keys = Object.keys(OUTPUTS) as (keyof StackOutputs)[];
  return Object.fromEntries(keys.map((key) => [key, outputs[OUTPUTS[key]]!.value])) as StackOutputs;
}

/** The first `Error: ...` line of Terraform's stderr, which also carries warnings. */
function terraformError(stderr: string | undefined): string | undefined {
  return stderr
    ?.split('\n')
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim())
    .find((line) => line.startsWith('Error: '));
}

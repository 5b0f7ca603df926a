// Reads an ASL template, fills its placeholders and parses it. Every way a definition file can
// be unusable (missing, unreadable, not JSON, unknown placeholder, invalid ASL) is found here,
// before any emulator starts, and reported as a DefinitionError naming the file.
import { readFile } from 'node:fs/promises';
import { checkDefinition, DefinitionError, nestingMessage, tooDeep } from '../engine/index.ts';
import { APP, DEFAULT_WORKFLOW, findWorkflow, resolveAttribute } from '../workflow/app.ts';
import type { Application, WorkflowSpec } from '../workflow/description.ts';
import { renderTemplate } from '../workflow/template.ts';
import { isObject } from '../workflow/json.ts';

export { DefinitionError };

/** A state machine definition, parsed: its structure is checked by the engine. */
export type StateMachineDefinition = Record<string, unknown> & { StartAt: string; States: Record<string, unknown> };

export interface AslTemplate {
  path: string;
  text: string;
  /**
   * The definition rendered with stand-in values: its structure is final, so the fidelity
   * guards and the ASL validation run on it before the emulators (and the real values) exist.
   */
  preview: StateMachineDefinition;
}

// Shaped like an ARN so that a placeholder used as a Task's Resource passes the ARN check.
const standIn = (name: string) => `arn:aws:states:::placeholder:${name}`;

/**
 * The values a workflow's template is previewed with: a stand-in for what only exists once the
 * resources do (an ARN, a name, a URL), and the description's own value for the rest (a number,
 * the FIFO parameters its queue type splices in, which shape the definition).
 */
export function previewVars(app: Application, workflow: WorkflowSpec): Record<string, string> {
  return Object.fromEntries(
    Object.entries(workflow.placeholders).map(([name, attribute]) => [
      name,
      resolveAttribute(app, attribute, { resource: () => standIn(name), function: () => standIn(name), workflow: () => standIn(name) }),
    ]),
  );
}

/**
 * Reads a template whose placeholders are the ones its workflow resolves (the default
 * workflow's unless named), previewed with `vars` (previewVars): a placeholder without a value
 * is refused here, naming it.
 */
export async function loadDefinition(
  path: string,
  vars: Record<string, string> = previewVars(APP, findWorkflow(APP, DEFAULT_WORKFLOW)),
): Promise<AslTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DefinitionError(
      code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  return { path, text, preview: parse(path, text, vars) };
}

/** The definition that runs, with the local resources' ARNs, names and URLs filled in. */
export function renderDefinition(template: AslTemplate, vars: Record<string, string>): StateMachineDefinition {
  return parse(template.path, template.text, vars);
}

function parse(path: string, text: string, vars: Record<string, string>): StateMachineDefinition {
  let rendered: string;
  try {
    rendered = renderTemplate(text, vars);
  } catch (error) {
    throw new DefinitionError(`${path}: ${(error as Error).message}`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(rendered);
  } catch (error) {
    throw new DefinitionError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  // Before the walks over its states, which recurse into nested machines.
  if (tooDeep(definition)) throw new DefinitionError(`${path}: ${nestingMessage('the definition')}`);
  if (!isObject(definition) || !isObject(definition.States) || typeof definition.StartAt !== 'string') {
    throw new DefinitionError(`${path} is not a state machine: it needs a "StartAt" string and a "States" object`);
  }
  return definition as unknown as StateMachineDefinition;
}

export type AslState = Record<string, unknown>;

/**
 * Visits every state in definition order, each one followed by the states nested in it (its
 * Parallel branches, its Map's item processor, old Iterator form included). A nested state's
 * path names its Parallel or Map state too, `Outer › Inner`. visitMachine sees each state
 * machine first: the top level one with owner '', a nested one with its state's path.
 * Whatever is not an object is skipped; validation reports it.
 */
export function forEachState(
  definition: unknown,
  visit: (name: string, state: AslState, path: string) => void,
  visitMachine?: (machine: AslState, owner: string) => void,
): void {
  const walk = (machine: unknown, owner: string) => {
    if (!isObject(machine)) return;
    visitMachine?.(machine, owner);
    if (!isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      const path = owner === '' ? name : `${owner} › ${name}`;
      visit(name, state, path);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        for (const branch of state.Branches) walk(branch, path);
      }
      if (state.Type === 'Map') walk(state.ItemProcessor ?? state.Iterator, path);
    }
  };
  walk(definition, '');
}

/**
 * The engine's check of the preview: the ASL's structure, and what the engine refuses rather than
 * run differently from AWS (UnsupportedFeature, naming the state and the field).
 */
export function validateDefinition(template: AslTemplate): void {
  try {
    checkDefinition(template.preview);
  } catch (error) {
    if (error instanceof DefinitionError) throw new DefinitionError(`${template.path} is not valid ASL: ${error.message}`);
    throw error;
  }
}

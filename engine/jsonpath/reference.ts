// Resolves one JSONPath reference against a PathScope: `$…` reads the state input, `$$…` the
// context object, `$name…` a variable (`$x`, `$x.field`, `$x[0]`).
import { StatesError } from '../errors.ts';
import { compilePath, PathNotFound, readPath, REFERENCE_PATH_CONFLICT } from './path.ts';
import type { PathScope } from './scope.ts';
import { rememberedByText } from '../memo.ts';

const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

interface Parts {
  source: 'input' | 'context' | 'variable';
  name?: string;
  path: string;
}

// Each reference's parts, found once: a state reads the same references at every entry.
const MAX_PARTS = 10_000;
/** Where a reference reads: the input, the context object or a variable, and the `$…` path there. */
const parts = rememberedByText(partsOf, MAX_PARTS);

function partsOf(reference: string): Parts {
  if (reference.startsWith('$$')) return { source: 'context', path: reference.slice(1) };
  const variable = VARIABLE.exec(reference);
  if (variable !== null) return { source: 'variable', name: variable[1]!, path: `$${reference.slice(variable[0].length)}` };
  return { source: 'input', path: reference };
}

/** Checks that a reference parses, before anything runs; throws InvalidPath when it does not. */
export function checkReference(reference: string): void {
  compilePath(parts(reference).path);
}

/** The document a reference reads and the `$…` path it reads there. */
function target(reference: string, scope: PathScope): { data: unknown; path: string } {
  const { source, name, path } = parts(reference);
  if (source === 'context') return { data: scope.context, path };
  if (source === 'input') return { data: scope.input, path };
  if (!Object.hasOwn(scope.variables, name!)) throw new PathNotFound(reference, `The variable '$${name}' is not defined`);
  return { data: scope.variables[name!], path };
}

/** Reads a reference; throws PathNotFound when a definite path matches nothing. */
export function readReference(reference: string, scope: PathScope): unknown {
  const { data, path } = target(reference, scope);
  try {
    return readPath(path, data);
  } catch (error) {
    if (error instanceof PathNotFound && error.path !== reference) throw new PathNotFound(reference, error.detail, error.step);
    throw error;
  }
}

/** The document a reference reads, as the cause texts quote it. */
function referencedDocument(reference: string, scope: PathScope): unknown {
  try {
    return target(reference, scope).data;
  } catch {
    return undefined;
  }
}

/** Fields where a path that matches nothing is reported the way Jayway words it ("Invalid path …"), as AWS records for each. */
const PATH_FIELDS: ReadonlySet<string> = new Set(['InputPath', 'OutputPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath']);

/** AWS's error for a reference that matched nothing, as it words it for the field that holds it. */
export function pathFailure(error: PathNotFound, scope: PathScope, field: string): StatesError {
  if (PATH_FIELDS.has(field)) {
    return new StatesError('States.Runtime', `Invalid path '${error.path}' : ${error.detail}`);
  }
  if (field === 'SecondsPath') {
    return new StatesError('States.Runtime', `The SecondsPath parameter does not reference an input value: ${error.path}`);
  }
  const document = JSON.stringify(referencedDocument(error.path, scope)) ?? 'null';
  if (field === 'ItemsPath' && error.step !== undefined) {
    return new StatesError(REFERENCE_PATH_CONFLICT, `Unable to apply step "${error.step}" to input ${document}`);
  }
  // AWS words a `$$` path's miss the same way ("in the input", recorded), quoting what it read.
  return new StatesError(
    'States.Runtime',
    `The JSONPath '${error.path}' specified for the field '${field}' could not be found in the input '${document}'`,
  );
}

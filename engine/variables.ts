// Workflow variables (`Assign`, read as `$name`) with Step Functions' scoping and limits. The
// top-level states share one scope; each Parallel branch and each inline Map iteration runs in a
// child scope that reads the enclosing ones but may not assign their names, and whose own
// variables vanish when it ends. A distributed Map's child execution starts from an empty scope.

import { StatesError } from './errors.ts';
import { jsonByteLength } from './payload.ts';

/** AWS's size limits on variables, in bytes of their JSON text (UTF-8). */
export const VARIABLE_LIMITS = {
  perVariable: 256 * 1024,
  perAssign: 256 * 1024,
  perExecution: 10 * 1024 * 1024,
} as const;

/** The longest variable name AWS accepts. */
export const MAX_VARIABLE_NAME_LENGTH = 80;

/** `$states` is reserved for the state's input, result, error output and context. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set(['states']);

const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';
const RUNTIME = 'States.Runtime';
// A Unicode identifier (UAX #31): a letter or `_` first, then letters, digits and connectors.
const NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Why `name` is not a valid variable name, or undefined when it is. */
export function variableNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a variable name cannot be empty';
  if (name.length > MAX_VARIABLE_NAME_LENGTH) {
    return `the variable name '${name}' is longer than ${MAX_VARIABLE_NAME_LENGTH} characters`;
  }
  if (RESERVED_VARIABLE_NAMES.has(name)) return `the variable name '${name}' is reserved`;
  if (!NAME.test(name)) return `the variable name '${name}' is not a valid identifier`;
  return undefined;
}

export class VariableScope {
  private readonly own = new Map<string, unknown>();
  /** Each own variable's size, as measured when it was assigned: a value replaced is not measured again. */
  private readonly ownSizes = new Map<string, number>();
  private ownBytes = 0;
  private flat: Record<string, unknown> | undefined;
  private flatParent: Record<string, unknown> | undefined;

  constructor(private readonly parent?: VariableScope) {}

  /** The scope of a Parallel branch or an inline Map iteration: reads this one, writes its own. */
  child(): VariableScope {
    return new VariableScope(this);
  }

  get(name: string): unknown {
    if (this.own.has(name)) return this.own.get(name);
    return this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.own.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Every visible variable, inner names over outer ones (cached until a variable changes). */
  all(): Record<string, unknown> {
    const outer = this.parent?.all();
    if (this.flat === undefined || this.flatParent !== outer) {
      this.flat = { ...outer, ...Object.fromEntries(this.own) };
      this.flatParent = outer;
    }
    return this.flat;
  }

  /** The bytes held by the variables this scope can see. */
  totalBytes(): number {
    return this.ownBytes + (this.parent?.totalBytes() ?? 0);
  }

  /** The size of a variable this scope holds itself; undefined for any other name. */
  ownSize(name: string): number | undefined {
    return this.ownSizes.get(name);
  }

  /** Whether an enclosing scope (not this one) holds `name`. */
  isOuter(name: string): boolean {
    return !this.own.has(name) && (this.parent?.has(name) ?? false);
  }

  /** Stores already-checked values; use `assign`, which checks them. */
  store(values: Readonly<Record<string, unknown>>, sizes: ReadonlyMap<string, number>): void {
    const names = Object.keys(values);
    for (let i = 0; i < names.length; i += 1) {
      const name = names[i]!;
      const value = values[name];
      const bytes = sizes.get(name) ?? jsonByteLength(value);
      this.ownBytes += bytes - (this.ownSizes.get(name) ?? 0);
      this.own.set(name, value);
      this.ownSizes.set(name, bytes);
    }
    this.flat = undefined;
  }
}

/**
 * Stores an Assign's values, all computed beforehand from the variables as they were before the
 * state (so `{"a": "{% $b %}", "b": 1}` reads the old `$b`). Checks names, the outer-scope rule
 * and AWS's size limits before storing anything. `measured` holds sizes already known, by name.
 */
export function assign(scope: VariableScope, assignments: Readonly<Record<string, unknown>>, measured?: ReadonlyMap<string, number>): void {
  const sizes = new Map<string, number>();
  let assignBytes = 0;
  let replacedBytes = 0;
  // By index over the names, as store does: every Assign runs this, mostly unoptimized, where
  // Object.entries and a for...of allocate a pair, an iterator and a result per variable.
  const names = Object.keys(assignments);
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const value = assignments[name];
    const problem = variableNameProblem(name);
    if (problem !== undefined) throw new StatesError(RUNTIME, `Invalid Assign: ${problem}.`);
    if (scope.isOuter(name)) {
      throw new StatesError(
        RUNTIME,
        `Cannot assign the variable '${name}': it belongs to an outer scope, which a Parallel branch or Map iteration can read but not assign.`,
      );
    }
    const bytes = measured?.get(name) ?? jsonByteLength(value);
    if (bytes > VARIABLE_LIMITS.perVariable) {
      throw new StatesError(
        DATA_LIMIT_EXCEEDED,
        `The variable '${name}' has a size of ${bytes} bytes, exceeding the maximum of ${VARIABLE_LIMITS.perVariable} bytes for a variable.`,
      );
    }
    sizes.set(name, bytes);
    assignBytes += bytes;
    // Not an outer scope's (refused above): the scope's own, whose size it remembers.
    replacedBytes += scope.ownSize(name) ?? 0;
  }
  if (assignBytes > VARIABLE_LIMITS.perAssign) {
    throw new StatesError(
      DATA_LIMIT_EXCEEDED,
      `The variables assigned by this state have a combined size of ${assignBytes} bytes, exceeding the maximum of ${VARIABLE_LIMITS.perAssign} bytes for an Assign.`,
    );
  }
  const total = scope.totalBytes() - replacedBytes + assignBytes;
  if (total > VARIABLE_LIMITS.perExecution) {
    throw new StatesError(
      DATA_LIMIT_EXCEEDED,
      `The variables of this execution would have a combined size of ${total} bytes, exceeding the maximum of ${VARIABLE_LIMITS.perExecution} bytes.`,
    );
  }
  scope.store(assignments, sizes);
}

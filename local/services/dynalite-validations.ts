// Whether dynalite's checkValidations (in its validations/index.js) accepts a request, decided by a
// check compiled once from the same validation descriptions. dynalite walks the descriptions
// afresh for every request: it tests each description's type with regular expressions, builds
// each member's path (`requestItems.table.1.putRequest.item`) for the messages, and compiles its
// regex constraints again at every value; for a seed's BatchWriteItem that was a tenth of the
// offline loop's CPU. The fast path needs only the verdict: a request refused here goes to
// dynalite, which finds the same errors and words them. Each constraint's test is dynalite's
// (validateFns); the operation's custom check is not part of this one. test/local/
// dynalite-validations.test.ts compares the verdicts on random requests of every operation.
// The checks loop by index: they run on every request, mostly before V8 has optimized them, and
// there a for...of allocates an iterator and a result object per element.

/** A member's validation as dynalite describes it: its type and constraints, or a bare type name. */
export type ValidationSpec = string | ({ type?: string; children?: ValidationSpec | Record<string, ValidationSpec> } & Record<string, unknown>);

/** Whether a request passes checkValidations' checks (its custom check aside). */
export type ValidationCheck = (data: Record<string, unknown>) => boolean;

type Check = (value: unknown) => boolean;

const pass: Check = () => true;
const fail: Check = () => false;

/** The length dynalite's length constraints read: an object's key count, anything else's length. */
function lengthOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value).length : (value as { length?: unknown }).length;
}

/**
 * dynalite's constraints (validateFns), each a test of one value. keys and values apply their own
 * constraints to each of a map's keys or values, as dynalite's do.
 */
function constraint(name: string, bound: unknown): Check | undefined {
  switch (name) {
    case 'notNull':
      return (value) => value != null;
    case 'greaterThanOrEqual':
      return (value) => (value as number) >= (bound as number);
    case 'lessThanOrEqual':
      return (value) => (value as number) <= (bound as number);
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^${String(bound)}$`);
      } catch {
        return undefined;
      }
      return (value) => pattern.test(value as string);
    }
    case 'lengthGreaterThanOrEqual':
      return (value) => (lengthOf(value) as number) >= (bound as number);
    case 'lengthLessThanOrEqual':
      return (value) => (lengthOf(value) as number) <= (bound as number);
    case 'enum':
      return (value) => (bound as unknown[]).indexOf(value) !== -1;
    case 'keys':
    case 'values': {
      const inner = Object.keys(bound as object).map((innerName) => constraint(innerName, (bound as Record<string, unknown>)[innerName]));
      if (inner.some((check) => check === undefined)) return (value) => Object.keys(value as object).length === 0;
      const checks = inner as Check[];
      const ofKeys = name === 'keys';
      // dynalite counts a constraint that throws on a member (a length of null) as failed.
      return (value) => {
        const map = value as Record<string, unknown>;
        const keys = Object.keys(map);
        for (let i = 0; i < keys.length; i += 1) {
          const key = keys[i]!;
          const member = ofKeys ? key : map[key];
          try {
            for (let j = 0; j < checks.length; j += 1) if (!checks[j]!(member)) return false;
          } catch {
            return false;
          }
        }
        return true;
      };
    }
    default:
      return undefined;
  }
}

/** One member's checks (checkNonRequired): its constraints and its children's, in the description's order. */
function compileMember(spec: ValidationSpec | undefined): Check {
  if (spec === null || typeof spec !== 'object') return pass;
  const steps: Check[] = [];
  for (const name in spec) {
    if (name === 'type' || name === 'required' || name === 'tableName') continue;
    let step: Check;
    if (name === 'children') {
      const type = String(spec.type);
      if (/List$/.test(type)) {
        const item = compileMember(spec.children as ValidationSpec);
        if (item === pass) continue;
        step = (value) => {
          const list = value as unknown[];
          for (let index = 0; index < list.length; index++) if (!item(list[index])) return false;
          return true;
        };
      } else if (/Map/.test(type)) {
        const item = compileMember(spec.children as ValidationSpec);
        if (item === pass) continue;
        step = (value) => {
          const map = value as Record<string, unknown>;
          const keys = Object.keys(map);
          for (let i = 0; i < keys.length; i += 1) if (!item(map[keys[i]!])) return false;
          return true;
        };
      } else {
        const struct = compileStruct(spec.children as Record<string, ValidationSpec>);
        step = (value) => struct(value as Record<string, unknown>);
      }
    } else {
      step = constraint(name, spec[name]) ?? fail;
    }
    // Only notNull is checked on a member without a value.
    steps.push(name === 'notNull' ? step : (value) => value == null || step(value));
  }
  if (steps.length === 0) return pass;
  return (value) => {
    for (let i = 0; i < steps.length; i += 1) if (!steps[i]!(value)) return false;
    return true;
  };
}

/** A struct's members' checks (checkNonRequireds). */
function compileStruct(specs: Record<string, ValidationSpec> | string | undefined): (data: Record<string, unknown>) => boolean {
  if (specs === null || typeof specs !== 'object') return () => true;
  const keys: string[] = [];
  const checks: Check[] = [];
  for (const key of Object.keys(specs)) {
    const check = compileMember(specs[key]);
    if (check === pass) continue;
    keys.push(key);
    checks.push(check);
  }
  return (data) => {
    for (let i = 0; i < keys.length; i += 1) if (!checks[i]!(data[keys[i]!])) return false;
    return true;
  };
}

/** The compiled checkValidations of one operation's descriptions (dynalite's validations/<operation>.js `types`), less its custom check. */
export function compileValidations(specs: Record<string, ValidationSpec>): ValidationCheck {
  const required = Object.keys(specs).filter((key) => typeof specs[key] === 'object' && (specs[key] as Record<string, unknown>).required);
  const tableNames = Object.keys(specs).filter((key) => typeof specs[key] === 'object' && (specs[key] as Record<string, unknown>).tableName);
  const members = compileStruct(specs);
  return (data) => {
    for (let i = 0; i < required.length; i += 1) if (data[required[i]!] == null) return false;
    for (let i = 0; i < tableNames.length; i += 1) {
      const name = data[tableNames[i]!] as { length: number } | null | undefined;
      if (name != null && (name.length < 3 || name.length > 255)) return false;
    }
    return members(data);
  };
}

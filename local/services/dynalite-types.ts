// dynalite's type checks of a request (checkTypes, in its validations/index.js), compiled once
// from the same type descriptions. dynalite walks the descriptions afresh for every value: it
// parses each type's name with a regular expression and builds the attribute value's description
// again for every attribute, which made its type checks about a twentieth of a large seed's CPU.
// The compiled check returns what checkTypes returns for every request checkTypes accepts, and
// throws for every request it refuses (with no message of its own: the fast path then leaves the
// request to dynalite, which answers with its error). test/local/dynalite-types.test.ts compares
// the two on random requests.

/** A type as dynalite describes it: a name, or an object with a name and its children's types. */
export type TypeSpec = string | { type?: string; children?: TypeSpec | Record<string, TypeSpec> };

/** What checkTypes returns for a request of these types, or a throw where it throws. */
export type TypeCheck = (data: Record<string, unknown>) => Record<string, unknown>;

type Check = (value: unknown) => unknown;

/** A value checkTypes would refuse. */
class TypeRefused extends Error {
  override name = 'TypeRefused';
}

const refuse = (): never => {
  throw new TypeRefused();
};

// An attribute value's members and their types, as dynalite's checkType describes an AttrStruct.
const ATTRIBUTE_VALUE: Record<string, TypeSpec> = {
  S: 'String',
  B: 'Blob',
  N: 'String',
  BOOL: 'Boolean',
  NULL: 'Boolean',
  BS: { type: 'List', children: 'Blob' },
  NS: { type: 'List', children: 'String' },
  SS: { type: 'List', children: 'String' },
  L: { type: 'List', children: 'AttrStruct<ValueStruct>' },
  M: { type: 'Map<AttributeValue>', children: 'AttrStruct<ValueStruct>' },
};

const TRUE_TEXTS = new Set(['TRUE', '1', 'YES']);
const FALSE_TEXTS = new Set(['FALSE', '0', 'NO']);

const isArray = Array.isArray;

/**
 * The checks of a struct's members (checkTypes): each member its type's check, members without a
 * value left out. A member without a value passes every check as null, so it is not checked: an
 * attribute value holds one member of ten, a request a few of its operation's.
 */
function structCheck(types: Record<string, TypeSpec>, attrStructs: Map<string, Check>): TypeCheck {
  const keys = Object.keys(types);
  const checks = keys.map((key) => compile(types[key]!, attrStructs));
  return (data) => {
    const checked: Record<string, unknown> = {};
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const given = data[key];
      if (given == null) continue;
      const value = checks[index]!(given);
      if (value != null) checked[key] = value;
    }
    return checked;
  };
}

/** One type's check (checkType): null for no value, the value (converted as dynalite converts it), or a throw. */
function compile(spec: TypeSpec, attrStructs: Map<string, Check>): Check {
  let children = typeof spec === 'object' ? spec.children : undefined;
  if (typeof children === 'string') children = { type: children };
  const named = typeof spec === 'string' ? spec : spec.type;
  if (typeof named !== 'string') return orNull(refuse);
  const generic = /(.+?)<(.+)>$/.exec(named);
  const type = generic ? generic[1]! : named;
  const subtype = generic ? generic[2]! : undefined;
  const childCheck = (): Check => (children === undefined ? orNull(refuse) : compile(children as TypeSpec, attrStructs));
  let check: Check;
  switch (type) {
    case 'AttrStruct': {
      // Its own members nest it again (L, M): compiled once per subtype, through a stub while it compiles.
      const key = String(subtype);
      const known = attrStructs.get(key);
      if (known !== undefined) return known;
      let compiled: Check = orNull(refuse);
      const stub: Check = (value) => compiled(value);
      attrStructs.set(key, stub);
      compiled = compile({ type: `${key}<AttributeValue>`, children: ATTRIBUTE_VALUE }, attrStructs);
      return stub;
    }
    case 'Boolean':
      check = (value) => {
        if (typeof value === 'number' || typeof value === 'object') return refuse();
        if (typeof value !== 'string') return value;
        const text = value.toUpperCase();
        if (TRUE_TEXTS.has(text)) return true;
        if (FALSE_TEXTS.has(text)) return false;
        return refuse();
      };
      break;
    case 'Short':
    case 'Integer':
    case 'Long':
    case 'Double': {
      const whole = type !== 'Double';
      check = (value) => {
        if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'object') return refuse();
        return whole && typeof value === 'number' ? Math.floor(value) : value;
      };
      break;
    }
    case 'String':
      check = (value) => (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'object' ? refuse() : value);
      break;
    case 'Blob':
      check = (value) => {
        if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'object') return refuse();
        const text = value as string;
        if (text.length % 4 || Buffer.from(text, 'base64').toString('base64') != text) return refuse();
        return value;
      };
      break;
    case 'List':
    case 'ParameterizedList': {
      const item = childCheck();
      check = (value) => (isArray(value) ? value.map((member) => item(member)) : refuse());
      break;
    }
    case 'Map':
    case 'ParameterizedMap': {
      const item = childCheck();
      check = (value) => {
        if (typeof value !== 'object' || isArray(value)) return refuse();
        const source = value as Record<string, unknown>;
        const checked: Record<string, unknown> = {};
        // By index, as structCheck's: unoptimized, a for...of allocates per element.
        const keys = Object.keys(source);
        for (let i = 0; i < keys.length; i += 1) checked[keys[i]!] = item(source[keys[i]!]);
        return checked;
      };
      break;
    }
    case 'ValueStruct':
    case 'FieldStruct': {
      if (children === undefined) {
        check = refuse;
        break;
      }
      const struct = structCheck(children as Record<string, TypeSpec>, attrStructs);
      check = (value) => (typeof value !== 'object' || isArray(value) ? refuse() : struct(value as Record<string, unknown>));
      break;
    }
    default:
      check = refuse;
  }
  return orNull(check);
}

/** dynalite checks a type only for a value: no value (undefined or null) is null, whatever the type. */
function orNull(check: Check): Check {
  return (value) => (value == null ? null : check(value));
}

/** The compiled checkTypes of one operation's types (dynalite's validations/<operation>.js `types`). */
export function compileTypes(types: Record<string, TypeSpec>): TypeCheck {
  return structCheck(types, new Map());
}

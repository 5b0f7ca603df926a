// Random requests of every operation dynalite validates, from its own type descriptions: the
// compiled checks (dynalite-types.ts, dynalite-validations.ts) are compared with dynalite's on them.
import { createRequire } from 'node:module';
import type { TypeSpec } from '../../local/services/dynalite-types.ts';

// Every operation dynalite validates, for the variety of their types (Boolean, Integer, Long, Map, …).
const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
export const OPERATIONS = [
  'batchGetItem', 'batchWriteItem', 'createTable', 'deleteItem', 'deleteTable', 'describeTable', 'describeTimeToLive', 'getItem',
  'listTables', 'listTagsOfResource', 'putItem', 'query', 'scan', 'tagResource', 'untagResource', 'updateItem', 'updateTable',
];
export const typesOf = (operation: string) => (requireDynalite(`./validations/${operation}.js`) as { types: Record<string, TypeSpec> }).types;

// A small seeded generator, so that a failure names a case that can be run again.
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATTRIBUTE_MEMBERS: Record<string, TypeSpec> = {
  S: 'String', B: 'Blob', N: 'String', BOOL: 'Boolean', NULL: 'Boolean',
  BS: { type: 'List', children: 'Blob' }, NS: { type: 'List', children: 'String' }, SS: { type: 'List', children: 'String' },
  L: { type: 'List', children: 'AttrStruct<ValueStruct>' }, M: { type: 'Map<AttributeValue>', children: 'AttrStruct<ValueStruct>' },
};

/** A value of the type, mostly as dynalite expects it, sometimes of another kind at any depth. */
function valueOf(spec: TypeSpec, next: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const stray = () => pick<unknown>([null, undefined, 7, 2.5, -3, true, false, 'text', '', [], ['x'], {}, { a: 1 }]);
  if (next() < 0.06 || depth > 6) return stray();
  let children = typeof spec === 'object' ? spec.children : undefined;
  if (typeof children === 'string') children = { type: children };
  const named = typeof spec === 'string' ? spec : spec.type!;
  const [, type = named] = /(.+?)<(.+)>$/.exec(named) ?? [];
  switch (type) {
    case 'AttrStruct': {
      const members = Object.keys(ATTRIBUTE_MEMBERS);
      const value: Record<string, unknown> = {};
      for (let i = next() < 0.85 ? 1 : Math.floor(next() * 3); i > 0; i--) {
        const member = pick(members);
        value[member] = valueOf(ATTRIBUTE_MEMBERS[member]!, next, depth + 1);
      }
      if (next() < 0.05) value.X = 'unknown member';
      return value;
    }
    case 'Boolean':
      return pick<unknown>([true, false, 'true', 'YES', '1', 'no', 'False', '0', 'maybe', 1]);
    case 'Short':
    case 'Integer':
    case 'Long':
    case 'Double':
      return pick<unknown>([0, 1, 25, 3.7, -2.5, 1e21, '5']);
    case 'String':
      return pick<unknown>(['a', 'records', 'MessageId', 'é', '\u{1F600}', '', 'id-1', '12.50', 'x'.repeat(300)]);
    case 'Blob':
      return pick<unknown>(['AAAA', 'aGVsbG8=', 'abc', 'ab==', 'a=bc', '', '////']);
    case 'List':
    case 'ParameterizedList':
      return Array.from({ length: Math.floor(next() * 4) }, () => (children === undefined ? stray() : valueOf(children as TypeSpec, next, depth + 1)));
    case 'Map':
    case 'ParameterizedMap': {
      const value: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 3); i > 0; i--) value[pick(['records', 'k', '', 'constructor', 'a.b'])] = valueOf(children as TypeSpec, next, depth + 1);
      return value;
    }
    case 'ValueStruct':
    case 'FieldStruct': {
      const members = children as Record<string, TypeSpec>;
      const value: Record<string, unknown> = {};
      for (const key of Object.keys(members)) if (next() < 0.7) value[key] = valueOf(members[key]!, next, depth + 1);
      if (next() < 0.1) value.Unknown = 'left out';
      return value;
    }
    default:
      return stray();
  }
}

/** A request for the operation: each of its members present or not, of its type or not. */
export function requestOf(types: Record<string, TypeSpec>, next: () => number): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const key of Object.keys(types)) if (next() < 0.6) request[key] = valueOf(types[key]!, next);
  if (next() < 0.1) request.Unknown = { left: 'out' };
  return request;
}


// The AWS JSON protocols' body, written and read without the SDK's per-call schema work, for the
// values the SDK's own codec (@smithy/core's JsonShapeSerializer2 and JsonShapeDeserializer2,
// with DynamoDB's AttributeValue codec) treats as plain JSON: structures in their schema's member
// order, lists, maps, strings, finite numbers, booleans, and DynamoDB attribute values other than
// binary ones. Each operation's schema is compiled once into a plan; a call's value is written or
// read against it. Whatever the plan cannot vouch for (blobs, timestamps, big numbers, documents,
// media-typed strings, unions' unknown members, idempotency tokens, sparse collections, non-finite
// numbers, ill-formed strings, error answers) returns undefined, and the caller uses the SDK's
// codec: so the body is the SDK's byte for byte, and the output the SDK's, key order included
// (test/local/json-codec.test.ts compares both on every shape the bridge's calls take). The
// loops a call runs go by index: mostly before V8 has optimized them, a for...of allocates an
// iterator and a result object per element.
import { NormalizedSchema } from '@smithy/core/schema';

/** DynamoDB's attribute value, which its codec writes and reads by its own rules. */
const ATTRIBUTE_VALUE = 'com.amazonaws.dynamodb#AttributeValue';

type Plan =
  | { kind: 'plain' }
  | { kind: 'unsupported' }
  | { kind: 'attribute-value' }
  | { kind: 'list'; value: Plan }
  | { kind: 'map'; value: Plan }
  | { kind: 'struct'; members: Member[]; names: Set<string>; union: boolean };

interface Member {
  name: string;
  /** The name as JSON text, as the body writes it. */
  nameText: string;
  plan: Plan;
  /** The SDK fills an absent idempotency token with a new one. */
  idempotencyToken: boolean;
}

const PLAIN: Plan = { kind: 'plain' };
const UNSUPPORTED: Plan = { kind: 'unsupported' };

// Plans of aggregate schemas, by the schema itself: one compile per shape, cycles included.
const plans = new WeakMap<object, Plan>();

function planOf(ns: NormalizedSchema): Plan {
  if (ns.isIdempotencyToken() || ns.getMergedTraits().sparse || ns.getMergedTraits().jsonName !== undefined) return UNSUPPORTED;
  if (ns.isStructSchema()) {
    if (ns.getName(true) === ATTRIBUTE_VALUE) return { kind: 'attribute-value' };
    return aggregate(ns, () => {
      const members: Member[] = [];
      const plan: Plan = { kind: 'struct', members, names: new Set(), union: ns.isUnionSchema() };
      return [plan, () => {
        for (const [name, member] of ns.structIterator()) {
          members.push({ name, nameText: JSON.stringify(name), plan: planOf(member), idempotencyToken: member.isIdempotencyToken() });
          plan.names.add(name);
        }
      }];
    });
  }
  if (ns.isListSchema() || ns.isMapSchema()) {
    const kind = ns.isListSchema() ? 'list' : 'map';
    return aggregate(ns, () => {
      const plan = { kind, value: UNSUPPORTED } as Plan & { value: Plan };
      return [plan, () => {
        plan.value = planOf(ns.getValueSchema());
      }];
    });
  }
  if (ns.isBlobSchema() || ns.isTimestampSchema() || ns.isDocumentSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) return UNSUPPORTED;
  if (ns.isStringSchema() && ns.getMergedTraits().mediaType) return UNSUPPORTED;
  return PLAIN;
}

/** An aggregate's plan, registered before its members are planned, so that a shape may contain itself. */
function aggregate(ns: NormalizedSchema, create: () => [Plan, () => void]): Plan {
  const schema = ns.getSchema();
  const key = typeof schema === 'object' && schema !== null ? schema : undefined;
  const known = key && plans.get(key);
  if (known) return known;
  const [plan, fill] = create();
  if (key) plans.set(key, plan);
  fill();
  return plan;
}

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

/** The plan of an operation's input or output schema, as the SDK's command carries it; event streams are the SDK's. */
export function compilePlan(schema: unknown): Plan {
  const ns = NormalizedSchema.of(schema as SchemaRef);
  return ns.isStructSchema() && ns.getEventStreamMember() ? UNSUPPORTED : planOf(ns);
}

export type { Plan as JsonPlan };

/** What the SDK's protocol reports of an answer in the output's $metadata. */
export function responseMetadata(statusCode: number, headers: Record<string, string>) {
  return {
    httpStatusCode: statusCode,
    requestId: headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'],
    extendedRequestId: headers['x-amz-id-2'],
    cfId: headers['x-amz-cf-id'],
  };
}

class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

/** A plain object: JSON.parse's and literals', or one without a prototype, as JSONata builds them. */
const isRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A primitive as the SDK writes it: JSON's own text for strings (well-formed), finite numbers and booleans. */
function writePrimitive(value: unknown): string {
  if (typeof value === 'string') {
    // The SDK writes a lone surrogate its own way: such a string is left to it.
    if (!value.isWellFormed()) throw NOT_PLAIN;
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw NOT_PLAIN;
}

function writeValue(plan: Plan, value: unknown): string {
  switch (plan.kind) {
    case 'plain':
      return writePrimitive(value);
    case 'struct': {
      if (!isRecord(value) || typeof value.__type === 'string') throw NOT_PLAIN;
      // A member the schema does not name is dropped by the SDK; here, sent to the SDK.
      for (const key in value) if (!plan.names.has(key) && value[key] !== undefined) throw NOT_PLAIN;
      let text = '{';
      for (let i = 0; i < plan.members.length; i += 1) {
        const member = plan.members[i]!;
        const item = value[member.name];
        if (item === undefined || item === null) {
          if (member.idempotencyToken) throw NOT_PLAIN;
          continue;
        }
        if (text.length > 1) text += ',';
        text += `${member.nameText}:${writeValue(member.plan, item)}`;
      }
      return `${text}}`;
    }
    case 'list': {
      if (!Array.isArray(value)) throw NOT_PLAIN;
      let text = '[';
      for (let i = 0; i < value.length; i += 1) {
        if (value[i] === undefined || value[i] === null) throw NOT_PLAIN;
        text += `${i > 0 ? ',' : ''}${writeValue(plan.value, value[i])}`;
      }
      return `${text}]`;
    }
    case 'map':
      return writeEntries(value, (item) => writeValue(plan.value, item));
    case 'attribute-value':
      return writeAttributeValue(value);
    case 'unsupported':
      throw NOT_PLAIN;
  }
}

/** An object's entries in its own order, as the SDK writes a map's; a null member is the SDK's to write. */
function writeEntries(value: unknown, writeItem: (item: unknown, key: string) => string): string {
  if (!isRecord(value)) throw NOT_PLAIN;
  let text = '{';
  for (const key in value) {
    const item = value[key];
    if (item === undefined || item === null) throw NOT_PLAIN;
    if (text.length > 1) text += ',';
    text += `${writePrimitive(key)}:${writeItem(item, key)}`;
  }
  return `${text}}`;
}

/** DynamoDB's attribute value as its codec writes it: its keys in the value's order. */
function writeAttributeValue(value: unknown): string {
  return writeEntries(value, writeAttributeMember);
}

function writeAttributeMember(item: unknown, key: string): string {
  switch (key) {
    case 'S':
    case 'N':
    case 'B':
      if (typeof item !== 'string') throw NOT_PLAIN;
      return writePrimitive(item);
    case 'BOOL':
    case 'NULL':
      if (typeof item !== 'boolean') throw NOT_PLAIN;
      return writePrimitive(item);
    case 'SS':
    case 'NS':
      if (!Array.isArray(item) || !item.every((element) => typeof element === 'string')) throw NOT_PLAIN;
      return `[${item.map(writePrimitive).join(',')}]`;
    case 'L':
      if (!Array.isArray(item)) throw NOT_PLAIN;
      return `[${item.map(writeAttributeValue).join(',')}]`;
    case 'M':
      return writeEntries(item, writeAttributeValue);
    // BS (binary sets) and anything else: the SDK's to write.
    default:
      throw NOT_PLAIN;
  }
}

/** The request body the SDK would write for `input`, or undefined when the SDK must write it. */
export function writeJson(plan: Plan, input: unknown): string | undefined {
  try {
    return writeValue(plan, input ?? {});
  } catch (error) {
    if (error === NOT_PLAIN) return undefined;
    throw error;
  }
}

function readValue(plan: Plan, value: unknown): unknown {
  switch (plan.kind) {
    case 'plain':
      // The SDK turns a numeric member's "NaN" or "Infinity" into a number: its to read.
      if (typeof value === 'object' && value !== null) throw NOT_PLAIN;
      if (typeof value === 'string' && /^(?:NaN|-?Infinity)$/.test(value)) throw NOT_PLAIN;
      return value;
    case 'struct': {
      if (!isRecord(value) || typeof value.__type === 'string') throw NOT_PLAIN;
      if (plan.union) for (const key in value) if (!plan.names.has(key)) throw NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < plan.members.length; i += 1) {
        const member = plan.members[i]!;
        const item = value[member.name];
        if (item !== undefined && item !== null) out[member.name] = readValue(member.plan, item);
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) throw NOT_PLAIN;
      for (let i = 0; i < value.length; i += 1) value[i] = readValue(plan.value, value[i]);
      return value;
    case 'map':
      if (!isRecord(value) || Object.hasOwn(value, '__proto__')) throw NOT_PLAIN;
      for (const key in value) value[key] = readValue(plan.value, value[key]);
      return value;
    case 'attribute-value':
      return readAttributeValue(value);
    case 'unsupported':
      throw NOT_PLAIN;
  }
}

/** DynamoDB's attribute value as its codec reads it; binary values (decoded to bytes) are the SDK's to read. */
function readAttributeValue(value: unknown): unknown {
  if (!isRecord(value) || 'B' in value || 'BS' in value) throw NOT_PLAIN;
  if (Array.isArray(value.L)) for (let i = 0; i < value.L.length; i += 1) readAttributeValue(value.L[i]);
  if (isRecord(value.M)) for (const name in value.M) readAttributeValue(value.M[name]);
  return value;
}

/** The output the SDK would read from a successful answer's body, or undefined when the SDK must read it. */
export function readJson(plan: Plan, body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  try {
    return readValue(plan, parsed) as Record<string, unknown>;
  } catch (error) {
    if (error === NOT_PLAIN) return undefined;
    throw error;
  }
}

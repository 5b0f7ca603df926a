// Reads and checks a request's fields as AWS does: a missing required member, a wrong type or a
// value outside its constraint is a ValidationException worded as AWS words it.
import { nestingMessage, tooDeep } from '../../engine/index.ts';
import { ApiError, invalidArn, validationError } from './errors.ts';

export type Body = Record<string, unknown>;

const violation = (field: string, value: unknown, constraint: string) =>
  validationError(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);

export function optionalString(body: Body, field: string, maxLength = Infinity): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('SerializationException', `'${field}' must be a string`);
  if (value.length > maxLength) {
    throw violation(field, value.length > 64 ? `${value.slice(0, 64)}…` : value, `Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

export function requiredString(body: Body, field: string, maxLength = Infinity): string {
  const value = optionalString(body, field, maxLength);
  if (value === undefined) {
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (value === '') throw violation(field, value, 'Member must have length greater than or equal to 1');
  return value;
}

export function optionalInteger(body: Body, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ApiError('SerializationException', `'${field}' must be an integer`);
  if (value < min) throw violation(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw violation(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `'${field}' must be a boolean`);
  return value;
}

export function optionalEnum<T extends string>(body: Body, field: string, values: readonly T[]): T | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) throw violation(field, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

export function optionalObject(body: Body, field: string): Body | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiError('SerializationException', `'${field}' must be a structure`);
  return value as Body;
}

// AWS's rule for state machine and execution names: 1-80 characters, none of whitespace,
// brackets, wildcards, special characters or control characters.
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/u;
const isControl = (char: string) => {
  const code = char.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

export class InvalidName extends ApiError {
  constructor(name: string) {
    super('InvalidName', `Invalid Name: '${name}'`);
  }
}

export function checkName(name: string): string {
  if (!NAME.test(name) || [...name].some(isControl)) throw new InvalidName(name);
  return name;
}

export interface ParsedArn {
  region: string;
  account: string;
  resourceType: string;
  /** What follows the resource type: `name` or `machine:execution`. */
  resource: string;
}

/** An ARN of Step Functions (`arn:aws:states:…:<type>:…`) of one of `types`; anything else is InvalidArn. */
export function parseStatesArn(arn: string, types: readonly string[]): ParsedArn {
  const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/.exec(arn);
  if (!match || !types.includes(match[3]!)) throw invalidArn(arn);
  return { region: match[1]!, account: match[2]!, resourceType: match[3]!, resource: match[4]! };
}

/** A field holding JSON text, parsed; invalid JSON or JSON nested too deep for the engine is `errorCode`. */
export function parseJsonField(text: string, field: string, errorCode: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(errorCode, `Invalid ${field}: ${(error as Error).message}`);
  }
  if (tooDeep(value)) throw new ApiError(errorCode, `Invalid ${field}: ${nestingMessage('the JSON')}`);
  return value;
}

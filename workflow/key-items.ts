// A key-list line and a Map Run batch item: the record's DynamoDB key, `{<field>: {"S": key}}`,
// exactly as BatchGetItem takes it, so that a child hands its batch's items to BatchGetItem as
// they are instead of building each key with JSONata. The seed writes them, the at-scale
// workflow reads them, and the AWS run's reconciliation reads them back.
import { isObject } from './json.ts';

/** The key item of `key` in the string attribute `field`. */
export function keyItem(field: string, key: string): Record<string, { S: string }> {
  return { [field]: { S: key } };
}

/** The key a key item holds in `field`, or undefined when it is not a key item. */
export function keyOfItem(item: unknown, field: string): string | undefined {
  const attribute = isObject(item) ? item[field] : undefined;
  const key = isObject(attribute) ? attribute.S : undefined;
  return typeof key === 'string' ? key : undefined;
}

// MD5OfMessageAttributes as SQS computes it: the attributes in name order, each as its name, its
// data type and its value, every one of them preceded by its length in UTF-8 bytes (four bytes,
// big-endian), with a transport byte before the value (1 for a String or Number, 2 for a Binary).
// local-aws-sqs computes it with the aws-md5-of-message-attributes package, which counts a
// string's length in UTF-16 code units: a value such as "café" got a digest AWS never gives. The
// package's function is replaced by this one, which local-aws-sqs calls for each message it stores
// and each ReceiveMessage answer; it also builds one buffer per message instead of seven per
// attribute.
import { hash } from 'node:crypto';
import md5Package from 'aws-md5-of-message-attributes';

/** A message attribute as SendMessage takes it (JSON protocol: a Binary value in base64). */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string | Uint8Array;
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/** The digest of a message's attributes, as SQS answers it. */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttribute>>): string {
  const names = Object.keys(attributes).sort();
  const parts: { name: Buffer; type: Buffer; binary: boolean; value: Buffer }[] = [];
  let size = 0;
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    const binary = DataType.startsWith('Binary');
    const value = binary ? (typeof BinaryValue === 'string' ? Buffer.from(BinaryValue, 'base64') : Buffer.from(BinaryValue ?? [])) : Buffer.from(StringValue ?? '', 'utf8');
    const part = { name: Buffer.from(name, 'utf8'), type: Buffer.from(DataType, 'utf8'), binary, value };
    size += 4 + part.name.length + 4 + part.type.length + 1 + 4 + part.value.length;
    parts.push(part);
  }
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  const put = (field: Buffer) => {
    at = bytes.writeUInt32BE(field.length, at);
    at += field.copy(bytes, at);
  };
  for (const part of parts) {
    put(part.name);
    put(part.type);
    at = bytes.writeUInt8(part.binary ? BINARY_TRANSPORT : STRING_TRANSPORT, at);
    put(part.value);
  }
  return hash('md5', bytes, 'hex');
}

/** Makes local-aws-sqs compute the digest as SQS does (the package's module is shared: this is process-wide). */
export function correctAttributesDigest(): void {
  (md5Package as { md5OfMessageAttributes: typeof md5OfMessageAttributes }).md5OfMessageAttributes = md5OfMessageAttributes;
}

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
/** Per attribute: three four-byte lengths and the transport byte. */
const FRAMING_BYTES = 13;

const binaryValue = (value: string | Uint8Array | undefined): Uint8Array =>
  typeof value === 'string' ? Buffer.from(value, 'base64') : (value ?? new Uint8Array(0));

/** Writes the text's length in UTF-8 bytes, then the text; returns where the next field goes. */
function putText(bytes: Buffer, at: number, text: string): number {
  const length = bytes.write(text, at + 4, 'utf8');
  bytes.writeUInt32BE(length, at);
  return at + 4 + length;
}

/**
 * The digest of a message's attributes, as SQS answers it. Every SendMessage of a message with
 * attributes computes one: the bytes are written into one buffer, its size counted first.
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttribute>>): string {
  const names = Object.keys(attributes).sort();
  const values: (string | Uint8Array)[] = [];
  let size = 0;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    const value = DataType.startsWith('Binary') ? binaryValue(BinaryValue) : (StringValue ?? '');
    values.push(value);
    size += FRAMING_BYTES + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(DataType, 'utf8') + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length);
  }
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const value = values[i]!;
    at = putText(bytes, at, name);
    at = putText(bytes, at, attributes[name]!.DataType);
    if (typeof value === 'string') {
      at = bytes.writeUInt8(STRING_TRANSPORT, at);
      at = putText(bytes, at, value);
    } else {
      at = bytes.writeUInt8(BINARY_TRANSPORT, at);
      at = bytes.writeUInt32BE(value.length, at);
      bytes.set(value, at);
      at += value.length;
    }
  }
  return hash('md5', bytes, 'hex');
}

/** Makes local-aws-sqs compute the digest as SQS does (the package's module is shared: this is process-wide). */
export function correctAttributesDigest(): void {
  (md5Package as { md5OfMessageAttributes: typeof md5OfMessageAttributes }).md5OfMessageAttributes = md5OfMessageAttributes;
}

// A call in an AWS JSON protocol made with Node's http alone, and its raw answer: what the
// emulator tests compare, byte for byte, between an emulator and the package it wraps.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  /** Every header but those that differ from one answer to the next, or from one server to another. */
  headers: Record<string, string>;
  body: string;
}

const VARYING = new Set(['x-amzn-requestid', 'date', 'connection', 'keep-alive']);

/** POSTs `body` (JSON unless a string) to `target` (X-Amz-Target, none when undefined); the answer, and its request id apart. */
export function postJson(endpoint: string, target: string | undefined, body: unknown, headers: Record<string, string>): Promise<{ answer: RawAnswer; requestId: string | undefined }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request(
      `${endpoint}/`,
      { method: 'POST', agent: false, headers: { ...headers, ...(target === undefined ? {} : { 'x-amz-target': target }), 'content-length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const kept = Object.entries(res.headers).filter(([name]) => !VARYING.has(name));
          resolve({
            answer: { status: res.statusCode!, headers: Object.fromEntries(kept.map(([name, value]) => [name, String(value)])), body: Buffer.concat(chunks).toString() },
            requestId: res.headers['x-amzn-requestid'] as string | undefined,
          });
        });
      },
    );
    call.on('error', reject);
    call.end(text);
  });
}

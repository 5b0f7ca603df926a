// The endpoint answers only requests addressed to this machine: a web page can make a browser
// send requests to 127.0.0.1 under a name it controls (DNS rebinding), and the endpoint checks no
// credentials, so a Host that is not a loopback name or address is refused before anything is read.
import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_TYPE, toWire } from './protocol.ts';

type Listener = (request: IncomingMessage, response: ServerResponse) => unknown;

/** localhost, 127.x.x.x or [::1], with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  const name = match?.[1];
  if (name === undefined) return false;
  if (name === 'localhost' || name === '[::1]') return true;
  return isIPv4(name) && name.startsWith('127.');
}

/** The listener, behind a check of the Host header: 403 in AWS's error shape for any other. */
export function loopbackOnly(listener: Listener): Listener {
  return (request, response) => {
    if (isLoopbackHost(request.headers.host)) return listener(request, response);
    const text = toWire({
      __type: 'AccessDeniedException',
      message: `Host ${JSON.stringify(request.headers.host ?? '')} is not a loopback name or address: the local endpoint answers requests to localhost, 127.0.0.1 or [::1] only`,
    });
    response.writeHead(403, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': randomUUID() });
    response.end(text);
    request.resume();
    return undefined;
  };
}

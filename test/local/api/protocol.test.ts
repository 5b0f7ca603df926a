// Requests the SDK would never send: each gets AWS's error code and status, never a crash or a hang.
import { expect } from 'chai';
import { ApiError } from '../../../local/api/errors.ts';
import { CONTENT_TYPE, MAX_BODY_BYTES, protocolHandler, toWire } from '../../../local/api/protocol.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

describe('local/api protocol', () => {
  let server: Server;
  let endpoint: string;
  const internal: Error[] = [];

  before(async () => {
    const operations = {
      Echo: (body: Record<string, unknown>) => ({ ...body, at: new Date(1_500_000_000_500) }),
      Refuse: () => {
        throw new ApiError('StateMachineDoesNotExist', 'nope');
      },
      Crash: () => {
        throw new TypeError('boom');
      },
      // An answer JSON.stringify cannot write: it overflows the call stack.
      Deep: () => {
        let value: unknown = 1;
        for (let i = 0; i < 100_000; i++) value = [value];
        return { value };
      },
    };
    server = createServer(protocolHandler(operations, (error) => internal.push(error)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const call = async (target: string | undefined, body: string | Uint8Array) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': CONTENT_TYPE, ...(target === undefined ? {} : { 'X-Amz-Target': `AWSStepFunctions.${target}` }) },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, type: response.headers.get('content-type') };
  };

  it('answers an operation with its JSON, timestamps as epoch seconds', async () => {
    const answer = await call('Echo', '{"a": 1}');
    expect(answer).to.deep.include({ status: 200, type: CONTENT_TYPE });
    expect(answer.body).to.deep.equal({ a: 1, at: 1_500_000_000.5 });
  });

  it('refuses malformed JSON with SerializationException', async () => {
    const answer = await call('Echo', '{"a": ');
    expect(answer.status).to.equal(400);
    expect(answer.body.__type).to.equal('SerializationException');
    expect((await call('Echo', '[1]')).body.__type).to.equal('SerializationException');
  });

  it('refuses a wrong or missing target with UnknownOperationException', async () => {
    expect((await call('Nope', '{}')).body.__type).to.equal('UnknownOperationException');
    expect((await call('toString', '{}')).body.__type).to.equal('UnknownOperationException');
    const missing = await call(undefined, '{}');
    expect(missing.status).to.equal(400);
    expect(missing.body.__type).to.equal('UnknownOperationException');
  });

  it('refuses an oversized body with 413, before reading it all', async () => {
    const answer = await call('Echo', new Uint8Array(MAX_BODY_BYTES + 1));
    expect(answer.status).to.equal(413);
    expect(answer.body.__type).to.equal('RequestEntityTooLargeException');
  });

  it("passes an operation's ApiError on as AWS's error, and an unexpected one as a 500", async () => {
    expect(await call('Refuse', '{}')).to.deep.include({ status: 400, body: { __type: 'StateMachineDoesNotExist', message: 'nope' } });
    const crash = await call('Crash', '{}');
    expect(crash).to.deep.include({ status: 500, body: { __type: 'InternalServerError', message: 'TypeError: boom' } });
    expect(internal.map((error) => error.message)).to.deep.equal(['boom']);
  });

  it('answers InternalServerError when the answer itself cannot be written, and goes on serving', async () => {
    const deep = await call('Deep', '{}');
    expect(deep).to.deep.include({ status: 500, type: CONTENT_TYPE });
    expect(deep.body).to.deep.equal({ __type: 'InternalServerError', message: 'RangeError: Maximum call stack size exceeded' });
    expect((await call('Echo', '{"a": 2}')).body).to.deep.include({ a: 2 });
  });

  it('refuses a body nested deeper than the engine takes with ValidationException', async () => {
    const answer = await call('Echo', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(answer.status).to.equal(400);
    expect(answer.body.__type).to.equal('ValidationException');
  });

  it('writes nested dates as epoch seconds and leaves other values alone', () => {
    expect(JSON.parse(toWire({ events: [{ timestamp: new Date(2000) }], n: 1 }))).to.deep.equal({ events: [{ timestamp: 2 }], n: 1 });
  });
});

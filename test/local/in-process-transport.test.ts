import { expect } from 'chai';
import { Agent, createServer, request, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createClients, type Clients } from '../../execution/clients.ts';
import type { LocalEnvironment } from '../../local/contracts.ts';
import { createLocalClients, LOCAL_CREDENTIALS } from '../../local/services/emulators.ts';
import { startLocalEnvironment } from '../../local/host/environment.ts';
import { sessionToken } from '../../local/services/iam.ts';
import {
  handleAtOnce,
  handleInProcess,
  InProcessRequestHandler,
  inProcessTransport,
  isInProcess,
  registerInProcess,
  type SdkHttpResponse,
} from '../../local/services/in-process-transport.ts';
import { rejection } from '../helpers.ts';
import { entriesOf } from '../fixtures/names.ts';

const ROLE = 'arn:aws:sts::000000000000:assumed-role/transport-test-role/transport-test';

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

// Headers whose values differ from one response to the next.
const VARYING = new Set(['date', 'x-amzn-requestid']);

function comparable(response: RawResponse): RawResponse {
  const headers = Object.fromEntries(
    Object.entries(response.headers).map(([name, value]) => [name, VARYING.has(name) ? '<varies>' : value]),
  );
  return { ...response, headers };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
}

/** One request over a real socket, on a keep-alive connection as the SDK's, as Node's client sees the answer. */
function overHttp(url: string, method: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
  const agent = new Agent({ keepAlive: true });
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  }).finally(() => agent.destroy());
}

async function inProcess(url: string, method: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
  const { protocol, hostname, port, pathname } = new URL(url);
  // Node's client adds these two to what it is given.
  const sent = { ...headers, host: `${hostname}:${port}`, connection: 'keep-alive' };
  const response: SdkHttpResponse = await handleInProcess({ method, protocol, hostname, port: Number(port), path: pathname, headers: sent, body });
  return { statusCode: response.statusCode, headers: response.headers, body: response.body.toString() };
}

async function serve(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The SDK's raw HTTP responses, beside the parsed output. */
function recordResponses(client: DynamoDBClient | SQSClient): SdkHttpResponse[] {
  const seen: SdkHttpResponse[] = [];
  (client as DynamoDBClient).middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      seen.push(result.response as SdkHttpResponse);
      return result;
    },
    { step: 'deserialize', name: 'recordResponsesForTest', priority: 'high' },
  );
  return seen;
}

describe('local/in-process-transport', () => {
  describe('a listener answered in process', () => {
    // The ways the emulators and the door answer: end with a body, write then end, writeHead with headers, no content.
    const listeners: Record<string, RequestListener> = {
      'end with a body': (req, res) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/x-amz-json-1.0');
        res.setHeader('x-amz-crc32', 1234);
        res.end(JSON.stringify({ method: req.method, url: req.url, target: req.headers['x-amz-target'] }));
      },
      'write then end': (_req, res) => {
        res.setHeader('Content-Type', 'text/xml');
        res.write('<a>');
        res.end('</a>');
      },
      'writeHead with headers, reading the body first': (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          res.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' });
          res.end(Buffer.concat(chunks));
        });
      },
      'no content': (_req, res) => {
        res.statusCode = 204;
        res.end();
      },
    };

    for (const [name, listener] of Object.entries(listeners)) {
      it(`gives what Node's server sends over a socket: ${name}`, async () => {
        const { server, url } = await serve(listener);
        const unregister = registerInProcess(url, listener);
        try {
          const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' };
          const body = '{"TableName":"t"}';
          const viaSocket = await overHttp(`${url}/path`, 'POST', headers, body);
          const viaProcess = await inProcess(`${url}/path`, 'POST', headers, body);
          expect(comparable(viaProcess)).to.deep.equal(comparable(viaSocket));
        } finally {
          unregister();
          server.close();
        }
      });
    }

    it('hands a listener of read bodies the head a socket\'s listener sees, and the body whole, in its stead', async () => {
      const seen: unknown[] = [];
      const listener: RequestListener = (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.setHeader('Content-Type', 'application/x-amz-json-1.0');
          res.end('{"from":"stream"}');
        });
      };
      const { server, url } = await serve(listener);
      const unregister = registerInProcess(url, listener, {
        bodyListener: (head, res, body) => {
          seen.push({ method: head.method, url: head.url, headers: head.headers, body: body.toString() });
          res.setHeader('Content-Type', 'application/x-amz-json-1.0');
          res.end('{"from":"stream"}');
        },
      });
      try {
        const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'SQS.SendMessage' };
        const viaSocket = await overHttp(`${url}/queue?a=1`, 'POST', headers, '{"MessageBody":"é"}');
        const viaProcess = await inProcess(`${url}/queue`, 'POST', headers, '{"MessageBody":"é"}');
        expect(comparable(viaProcess)).to.deep.equal(comparable(viaSocket));
        const [socketHead, bodyHead] = seen as { url: string }[];
        expect({ ...bodyHead, url: `${bodyHead!.url}?a=1` }).to.deep.equal(socketHead);
      } finally {
        unregister();
        server.close();
      }
    });

    it("gives a listener's answer at once as its listener would send it, and leaves a request it declines to the listener", async () => {
      const written = (target: string) => ({
        statusCode: 400,
        headers: [['Content-Type', 'application/x-amz-json-1.0'], ['x-amzn-RequestId', 'r'], ['content-type', 'application/x-amz-json-1.1']] as [string, string][],
        body: JSON.stringify({ target, é: 'é' }),
      });
      const heard: string[] = [];
      const listener: RequestListener = (req, res) => {
        heard.push(String(req.headers['x-amz-target']));
        const answer = written(String(req.headers['x-amz-target']));
        res.statusCode = answer.statusCode;
        for (const [name, value] of answer.headers) res.setHeader(name, value);
        res.end(answer.body);
      };
      const { server, url } = await serve(listener);
      const unregister = registerInProcess(url, listener, {
        answerAtOnce: (head, body) => {
          expect(JSON.parse(body.toString())).to.deep.equal({ TableName: 't' });
          return head.headers['x-amz-target'] === 'Answered' ? written('Answered') : undefined;
        },
      });
      const { hostname, port } = new URL(url);
      const requestOf = (target: string) => ({
        method: 'POST',
        protocol: 'http:',
        hostname,
        port: Number(port),
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body: '{"TableName":"t"}',
      });
      try {
        const atOnce = handleAtOnce(requestOf('Answered'))!;
        expect(heard).to.deep.equal([]);
        const viaSocket = await overHttp(url, 'POST', requestOf('Answered').headers, '{"TableName":"t"}');
        expect(comparable({ ...atOnce, body: atOnce.body.toString() })).to.deep.equal(comparable(viaSocket));
        expect(handleAtOnce(requestOf('Declined'))).to.equal(undefined);
        expect(heard).to.deep.equal(['Answered']);
        expect(handleAtOnce({ ...requestOf('Answered'), port: 9 })).to.equal(undefined);
      } finally {
        unregister();
        server.close();
      }
    });

    it('answers as a closed port does once the listener is unregistered, and rejects an aborted call as the SDK does', async () => {
      const url = 'http://127.0.0.1:9';
      const unregister = registerInProcess(url, (_req, res) => res.end('{}'));
      expect(isInProcess(url)).to.be.true;
      const aborted = new AbortController();
      aborted.abort();
      const abort = await rejection(handleInProcess({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9, path: '/', headers: {} }, aborted.signal));
      expect(abort.name).to.equal('AbortError');
      unregister();
      expect(isInProcess(url)).to.be.false;
      const refused = await rejection(handleInProcess({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9, path: '/', headers: {} }));
      expect(refused).to.include({ code: 'ECONNREFUSED' });
    });
  });

  describe('SDK clients of the emulators', () => {
    let env: LocalEnvironment;
    let clients: Clients;
    let overSockets: { dynamodb: DynamoDBClient; sqs: SQSClient };

    before(async () => {
      env = await startLocalEnvironment({ prefix: 'transport-test' });
      const { region } = env.resources;
      clients = createLocalClients(region, env.endpoints);
      // Clients with the SDK's own HTTP transport.
      const settings = { region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
      overSockets = {
        dynamodb: new DynamoDBClient({ ...settings, endpoint: env.endpoints.dynamodb }),
        sqs: new SQSClient({ ...settings, endpoint: env.endpoints.sqs }),
      };
      await clients.dynamodb.send(new PutItemCommand({ TableName: entriesOf(env.resources).names.table, Item: { MessageId: { S: 'a' }, Message: { S: 'Message a' } } }));
    });

    after(async () => {
      for (const client of [...Object.values(clients), ...Object.values(overSockets)]) client.destroy();
      await env.stop();
    });

    it('are built with the in-process transport; the emulators still listen on their ports', async () => {
      expect(clients.dynamodb.config.requestHandler).to.be.instanceOf(InProcessRequestHandler);
      expect(clients.sqs.config.requestHandler).to.be.instanceOf(InProcessRequestHandler);
      expect(overSockets.dynamodb.config.requestHandler).to.not.be.instanceOf(InProcessRequestHandler);
      // They skip the User-Agent no emulator reads; everything else runs as over HTTP.
      const middleware = (client: DynamoDBClient | SQSClient) => client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
      expect(middleware(clients.dynamodb)).to.deep.equal(middleware(overSockets.dynamodb).filter((name) => name !== 'getUserAgentMiddleware'));
      expect(middleware(clients.sqs)).to.not.include('getUserAgentMiddleware');
      expect(middleware(overSockets.sqs)).to.include('getUserAgentMiddleware');
      const { Item } = await overSockets.dynamodb.send(new GetItemCommand({ TableName: entriesOf(env.resources).names.table, Key: { MessageId: { S: 'a' } } }));
      expect(Item).to.deep.equal({ MessageId: { S: 'a' }, Message: { S: 'Message a' } });
    });

    it('get what the HTTP path gets: output, status and headers of GetItem and SendMessage', async () => {
      const recorded = { inProcess: recordResponses(clients.dynamodb), socket: recordResponses(overSockets.dynamodb) };
      const getItem = () => new GetItemCommand({ TableName: entriesOf(env.resources).names.table, Key: { MessageId: { S: 'a' } }, ConsistentRead: true });
      const [viaProcess, viaSocket] = [await clients.dynamodb.send(getItem()), await overSockets.dynamodb.send(getItem())];
      expect({ ...viaProcess, $metadata: { ...viaProcess.$metadata, requestId: '' } }).to.deep.equal({
        ...viaSocket,
        $metadata: { ...viaSocket.$metadata, requestId: '' },
      });
      const raw = (response: SdkHttpResponse) => comparable({ statusCode: response.statusCode, headers: response.headers, body: '' });
      expect(raw(recorded.inProcess[0]!)).to.deep.equal(raw(recorded.socket[0]!));

      const send = () => new SendMessageCommand({ QueueUrl: entriesOf(env.resources).queueUrl, MessageBody: 'hello', MessageAttributes: { Id: { DataType: 'String', StringValue: 'a' } } });
      const [sentInProcess, sentOverSocket] = [await clients.sqs.send(send()), await overSockets.sqs.send(send())];
      // The emulator's sums are the ones the SDK checked over HTTP; in process it does not hash the
      // body again (no wire between them). The message ids differ.
      expect((clients.sqs.config as { md5?: unknown }).md5).to.equal(false);
      expect((overSockets.sqs.config as { md5?: unknown }).md5).to.be.a('function');
      expect(sentInProcess.MD5OfMessageBody).to.equal(sentOverSocket.MD5OfMessageBody);
      expect(sentInProcess.MD5OfMessageAttributes).to.equal(sentOverSocket.MD5OfMessageAttributes);
      expect(sentInProcess.$metadata.httpStatusCode).to.equal(sentOverSocket.$metadata.httpStatusCode);
    });

    it('get the same service error as over HTTP', async () => {
      const missing = () => new GetItemCommand({ TableName: 'no-such-table', Key: { MessageId: { S: 'a' } } });
      const [viaProcess, viaSocket] = [await rejection(clients.dynamodb.send(missing())), await rejection(overSockets.dynamodb.send(missing()))];
      expect(viaProcess.name).to.equal('ResourceNotFoundException');
      expect({ name: viaProcess.name, message: viaProcess.message }).to.deep.equal({ name: viaSocket.name, message: viaSocket.message });
    });

    it("still meet the IAM door: a role's call outside its policy is denied in process", async () => {
      const denied = createClients({
        region: env.resources.region,
        endpoints: env.endpoints,
        credentials: { ...LOCAL_CREDENTIALS, sessionToken: sessionToken({ arn: ROLE, policy: [] }) },
        transportFor: inProcessTransport,
      });
      try {
        expect(denied.dynamodb.config.requestHandler).to.be.instanceOf(InProcessRequestHandler);
        const error = await rejection(denied.dynamodb.send(new GetItemCommand({ TableName: entriesOf(env.resources).names.table, Key: { MessageId: { S: 'a' } } })));
        expect(error.name).to.equal('AccessDeniedException');
        expect(error.message).to.include(`User: ${ROLE} is not authorized to perform: dynamodb:GetItem`);
        // SQS names it with its query-protocol code, as over HTTP.
        const sqsError = await rejection(denied.sqs.send(new SendMessageCommand({ QueueUrl: entriesOf(env.resources).queueUrl, MessageBody: 'x' })));
        expect(sqsError.name).to.equal('AccessDenied');
        expect(sqsError.message).to.include(`User: ${ROLE} is not authorized to perform: sqs:SendMessage`);
      } finally {
        for (const client of Object.values(denied)) client.destroy();
      }
    });
  });
});

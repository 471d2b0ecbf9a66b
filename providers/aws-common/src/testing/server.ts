/**
 * A local AWS for tests: one `node:http` / `node:http2` server on 127.0.0.1 (port 0) speaking the wire protocols the
 * four SDK v3 clients use, and checking every request's SigV4 signature (see `sigv4.ts`).
 *
 * | service | protocol (as the clients send it) | operation |
 * |---|---|---|
 * | Lambda | REST-JSON, HTTP/1.1: `POST /2015-03-31/functions/{FunctionName}/invocations` | `Invoke` |
 * | SQS | AWS JSON 1.0, HTTP/1.1: `X-Amz-Target: AmazonSQS.SendMessage` | `SendMessage` |
 * | Kinesis | AWS JSON 1.1 over **HTTP/2** (cleartext, prior knowledge): `Kinesis_20131202.PutRecord` | `PutRecord` |
 * | Firehose | AWS JSON 1.1, HTTP/1.1: `Firehose_20150804.PutRecord` | `PutRecord` |
 *
 * One port serves both HTTP versions: a connection that opens with the HTTP/2 preface goes to the HTTP/2 server.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { verifySignature, type AwsError, type TestCredentials } from './sigv4.ts';

export type AwsServiceName = 'lambda' | 'sqs' | 'kinesis' | 'firehose';

/** One request the server received, accepted or not. */
export interface AwsRequest {
  readonly service: AwsServiceName | undefined;
  /** `Invoke`, `SendMessage`, `PutRecord`. */
  readonly operation: string | undefined;
  /** `x-amz-target`, for the JSON protocols. */
  readonly target: string | undefined;
  readonly httpVersion: string;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The parsed JSON input of the JSON protocols (`{ QueueUrl, MessageBody }`, …); undefined for Lambda. */
  readonly input: Record<string, unknown> | undefined;
  /** What the caller sent on: the Lambda payload, the SQS message body, the Kinesis / Firehose record data (decoded). */
  readonly payload: string;
  /** From the signature's credential scope. */
  readonly region: string | undefined;
  readonly accessKeyId: string | undefined;
  /** Lambda: the function name or ARN of the path (decoded); SQS: the queue URL; Kinesis/Firehose: the stream name. */
  readonly resource: string | undefined;
  /** Lambda: `X-Amz-Invocation-Type` (absent means RequestResponse). */
  readonly invocationType: string | undefined;
  /** Kinesis: the record's partition key. */
  readonly partitionKey: string | undefined;
  /** The error code the server answered with; undefined for a success. */
  readonly error: string | undefined;
}

/** What a scripted Lambda function answers. */
export interface LambdaReply {
  /** JSON-encoded unless a string or Buffer. Default: an empty payload. */
  readonly payload?: unknown;
  /** Sets `X-Amz-Function-Error` (`Unhandled`, `Handled`). */
  readonly functionError?: string;
  /** Default 200. */
  readonly statusCode?: number;
}

export type LambdaHandler = (payload: string, request: AwsRequest) => LambdaReply | Promise<LambdaReply>;

export interface AwsTestServerOptions {
  /** The keys the server accepts. More with `addCredentials`. */
  readonly credentials?: readonly TestCredentials[];
}

export interface AwsTestServer {
  /** `http://127.0.0.1:<port>`: the endpoint override for every client. */
  readonly endpoint: string;
  readonly received: AwsRequest[];
  /** Register a Lambda function by name; it is found by name or by any ARN ending in `:function:<name>`. */
  lambda(name: string, handler: LambdaHandler): void;
  addCredentials(credentials: TestCredentials): void;
  /** Answer the next verified request with this error (a queue: one error per request). */
  failNext(error: AwsError): void;
  /** Hold each reply this long (ms), e.g. to test deadlines. */
  delayMs: number;
  /** Connections accepted so far, by HTTP version (`1.1` or `2`). */
  readonly connections: { '1.1': number; '2': number };
  close(): Promise<void>;
}

/** Operation by JSON-protocol target, with the service that signs for it. */
const TARGETS: Readonly<Record<string, { service: AwsServiceName; operation: string; contentType: string }>> = {
  'AmazonSQS.SendMessage': { service: 'sqs', operation: 'SendMessage', contentType: 'application/x-amz-json-1.0' },
  'Kinesis_20131202.PutRecord': { service: 'kinesis', operation: 'PutRecord', contentType: 'application/x-amz-json-1.1' },
  'Firehose_20150804.PutRecord': { service: 'firehose', operation: 'PutRecord', contentType: 'application/x-amz-json-1.1' },
};

const LAMBDA_INVOKE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;
const CORAL = ':http://internal.amazon.com/coral/com.amazon.coral.service/';
const ACCOUNT = '123456789012';

/** The parts of a request and response both Node's HTTP/1 and HTTP/2 compatibility APIs have. */
interface Req extends AsyncIterable<unknown> {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
}
interface Res {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string | Buffer): unknown;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

function errorReply(error: AwsError, service: AwsServiceName | undefined, restJson: boolean): Reply {
  if (restJson) {
    // Lambda: the code in x-amzn-ErrorType, the body `{"Type","message"}`; authentication errors are 403.
    const status = error.status ?? (AUTH_CODES.has(error.code) ? 403 : 400);
    return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${error.code}${CORAL}` }, body: JSON.stringify({ Type: 'User', message: error.message }) };
  }
  const contentType = service === 'sqs' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  return {
    status: error.status ?? 400,
    headers: { 'content-type': contentType, 'x-amzn-errortype': `${error.code}${CORAL}` },
    body: JSON.stringify({ __type: `com.amazon.coral.service#${error.code}`, message: error.message }),
  };
}

const AUTH_CODES = new Set([
  'MissingAuthenticationTokenException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'AccessDeniedException', 'IncompleteSignatureException',
]);

function json(contentType: string, value: unknown): Reply {
  return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

function stringField(input: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = input?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A socket whose first chunk was already read, as a Duplex (http2 reads a net.Socket's handle directly and would miss it). */
function replay(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  duplex.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (err) => duplex.destroy(err));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/** Starts the server. `close()` it when done. */
export async function startAwsTestServer(options: AwsTestServerOptions = {}): Promise<AwsTestServer> {
  const keys = new Map<string, TestCredentials>();
  for (const c of options.credentials ?? []) keys.set(c.accessKeyId, c);
  const functions = new Map<string, LambdaHandler>();
  const failures: AwsError[] = [];
  const received: AwsRequest[] = [];
  const sockets = new Set<Socket>();
  let sequence = 49_600_000_000_000_000_000_000_000_000_000_000_000_000_000n;

  async function handle(req: Req): Promise<Reply> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? '';
    const path = req.url ?? '/';
    const headers = req.headers;
    const target = typeof headers['x-amz-target'] === 'string' ? headers['x-amz-target'] : undefined;
    const lambdaMatch = method === 'POST' ? LAMBDA_INVOKE.exec(path) : null;
    const route = target !== undefined ? TARGETS[target] : undefined;
    const service: AwsServiceName | undefined = lambdaMatch !== null ? 'lambda' : route?.service;
    const restJson = lambdaMatch !== null;

    let input: Record<string, unknown> | undefined;
    if (!restJson && service !== undefined) {
      try {
        input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        input = undefined;
      }
    }
    const resource = lambdaMatch !== null ? decodeURIComponent(lambdaMatch[1]!) : stringField(input, service === 'sqs' ? 'QueueUrl' : service === 'firehose' ? 'DeliveryStreamName' : 'StreamName');
    let payload = '';
    if (restJson) payload = body.toString('utf8');
    else if (service === 'sqs') payload = stringField(input, 'MessageBody') ?? '';
    else if (service === 'kinesis') payload = Buffer.from(stringField(input, 'Data') ?? '', 'base64').toString('utf8');
    else if (service === 'firehose') {
      const record = input?.['Record'];
      const data = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)['Data'] : undefined;
      payload = Buffer.from(typeof data === 'string' ? data : '', 'base64').toString('utf8');
    }

    const verified = service === undefined ? undefined : verifySignature({ method, path, headers, body }, keys, service);
    const auth = verified?.auth;
    const record = (error: string | undefined): AwsRequest => {
      const entry: AwsRequest = {
        service,
        operation: restJson ? 'Invoke' : route?.operation,
        target,
        httpVersion: req.httpVersion,
        method,
        path,
        headers,
        body,
        input,
        payload,
        region: auth?.region,
        accessKeyId: auth?.accessKeyId,
        resource,
        invocationType: typeof headers['x-amz-invocation-type'] === 'string' ? headers['x-amz-invocation-type'] : undefined,
        partitionKey: service === 'kinesis' ? stringField(input, 'PartitionKey') : undefined,
        error,
      };
      received.push(entry);
      return entry;
    };

    if (service === undefined || verified === undefined) {
      const error = { code: 'UnknownOperationException', message: `Unknown operation ${target ?? `${method} ${path}`}` };
      record(error.code);
      return errorReply(error, undefined, false);
    }
    if (!verified.ok) {
      record(verified.error.code);
      return errorReply(verified.error, service, restJson);
    }
    if (verified.key.denied === true) {
      const action = restJson ? 'lambda:InvokeFunction' : `${service}:${route?.operation ?? ''}`;
      const error = { code: 'AccessDeniedException', message: `User: arn:aws:iam::${ACCOUNT}:user/${verified.key.accessKeyId} is not authorized to perform: ${action} on resource: ${resource ?? '*'}` };
      record(error.code);
      return errorReply(error, service, restJson);
    }
    const scripted = failures.shift();
    if (scripted !== undefined) {
      record(scripted.code);
      return errorReply(scripted, service, restJson);
    }
    if (input === undefined && !restJson) {
      const error = { code: 'SerializationException', message: 'Start of structure or map found where not expected.' };
      record(error.code);
      return errorReply(error, service, false);
    }

    if (restJson) {
      const name = resource ?? '';
      const handler = functions.get(name) ?? functions.get(name.slice(name.lastIndexOf(':function:') + ':function:'.length).split(':')[0] ?? '');
      if (handler === undefined) {
        const error = { code: 'ResourceNotFoundException', message: `Function not found: ${name}`, status: 404 };
        record(error.code);
        return errorReply(error, service, true);
      }
      const entry = record(undefined);
      const reply = await handler(payload, entry);
      const out = reply.payload === undefined ? '' : typeof reply.payload === 'string' || Buffer.isBuffer(reply.payload) ? reply.payload : JSON.stringify(reply.payload);
      const replyHeaders: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      if (reply.functionError !== undefined) replyHeaders['x-amz-function-error'] = reply.functionError;
      return { status: reply.statusCode ?? 200, headers: replyHeaders, body: out };
    }

    record(undefined);
    const contentType = route!.contentType;
    if (service === 'sqs') {
      return json(contentType, { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(payload, 'utf8').digest('hex') });
    }
    sequence += 1n;
    if (service === 'kinesis') return json(contentType, { ShardId: 'shardId-000000000000', SequenceNumber: sequence.toString() });
    return json(contentType, { RecordId: `${randomUUID()}-${sequence.toString(36)}`, Encrypted: false });
  }

  const state = { delayMs: 0 };
  const respond = (req: Req, res: Res): void => {
    handle(req).then(
      async (reply) => {
        if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
        res.statusCode = reply.status;
        for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
        res.setHeader('x-amzn-requestid', randomUUID());
        res.end(reply.body);
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ __type: 'InternalFailure', message: err instanceof Error ? err.message : String(err) }));
      },
    );
  };
  const http1 = createHttpServer((req, res) => respond(req, res));
  const http2 = createHttp2Server((req, res) => respond(req, res));
  const connections = { '1.1': 0, '2': 0 };
  const tcp = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, 3).toString('latin1') === 'PRI') {
        connections['2'] += 1;
        http2.emit('connection', replay(socket, first));
      } else {
        connections['1.1'] += 1;
        socket.unshift(first);
        http1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const { port } = tcp.address() as AddressInfo;

  const server: AwsTestServer = {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    connections,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    lambda(name, handler) {
      functions.set(name, handler);
    },
    addCredentials(credentials) {
      keys.set(credentials.accessKeyId, credentials);
    },
    failNext(error) {
      failures.push(error);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      http1.closeAllConnections();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
  return server;
}

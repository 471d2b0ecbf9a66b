/**
 * Test helpers: real HTTP servers on 127.0.0.1:0 and invocations.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CloudEvent, Invocation, SpecVersion } from '@switchyard/core';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface TestServer {
  readonly origin: string;
  readonly server: Server;
  readonly received: Received[];
  /** Connections accepted so far. */
  connections: number;
  /** Connections currently open. */
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const reply: Handler = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"statusCode":200,"body":"ok"}');
};

export async function startServer(handler: Handler = reply): Promise<TestServer> {
  const received: Received[] = [];
  const open = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const state: TestServer = {
    origin: '',
    server,
    received,
    connections: 0,
    open,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { origin: `http://127.0.0.1:${port}` });
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sampleEvent(overrides: Partial<CloudEvent> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: 'https://example.com/orders',
    type: 'order.created',
    time: '2024-01-01T00:00:00Z',
    datacontenttype: 'application/json',
    data: { orderId: 42, note: 'hello world' },
    ...overrides,
  };
}

export function invocation(provider: Record<string, unknown>, extra: Partial<Invocation> = {}, specVersion: SpecVersion = '1.0'): Invocation {
  return {
    space: 'default',
    function: { space: 'default', functionId: 'fn-test', type: 'http', provider },
    mode: 'sync',
    event: sampleEvent(),
    specVersion,
    ...extra,
  };
}

export function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** Small helpers of this package's tests: contexts for the validation hook, real HTTP functions, the distribution. */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent, EventContext, EventType, Gateway, GatewayPlugin, Logger } from '@switchyard/core';

/** An event context as the pipeline builds it, for calling `gateway.hooks.validation` directly. */
export function contextFor(event: Partial<CloudEvent> & { type: string }, space = 'default'): EventContext {
  return {
    request: { method: 'POST', path: '/', decodedPath: '/', host: '127.0.0.1', headers: {}, query: {}, body: Buffer.alloc(0) },
    event: { specversion: '1.0', id: 'e-1', source: '/test', ...event },
    specVersion: '1.0',
    space,
    spaceScoped: false,
    state: {},
    receivedAt: Date.now(),
  };
}

/** Put an event type into the routing table, as the store watch does. */
export function putEventType(gateway: Gateway, definition: EventType & Record<string, unknown>, revision = 1): void {
  gateway.table.apply({ op: 'put', entry: { kind: 'eventtypes', space: definition.space, id: definition.name, value: definition, revision } });
}

/** The default distribution (`switchyard`). */
export interface Distribution {
  createGateway(options: { readonly plugins?: readonly GatewayPlugin[]; readonly logger?: Logger; readonly dataDir?: string }): Gateway;
}

/**
 * Load the default distribution at run time. It depends on this package, so a static import would make the
 * build cyclic (tsc -b builds this package first); the test runs after the whole build.
 */
export async function loadDistribution(): Promise<Distribution> {
  const name = 'switchyard';
  return (await import(name)) as Distribution;
}

export interface ReceivedCall {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FunctionServer {
  readonly url: string;
  readonly calls: ReceivedCall[];
  close(): Promise<void>;
}

/** A real HTTP function on 127.0.0.1 that records its calls and answers `reply` (default `{}`). */
export async function startFunction(reply = '{}'): Promise<FunctionServer> {
  const calls: ReceivedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.setHeader('content-type', 'application/json');
      res.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export interface ApiReply<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/** A JSON request; the reply parsed (undefined when empty or not JSON). */
export async function request<T = unknown>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiReply<T>> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text };
}

/** The JSON error envelope. */
export interface ErrorEnvelope {
  errors: { message: string; pointer?: string }[];
}

/**
 * Test helpers: the default distribution in process (imported by name at run time: `switchyard` depends on this
 * package, so a compile-time import would be a project-reference cycle), real HTTP function servers, Config API
 * calls, and a recorder of system events. Everything binds 127.0.0.1 and is closed by the test that opened it.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent, Gateway, GatewayOptions, GatewayPlugin, Logger, SpecVersion } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';

interface DistributionOptions {
  readonly logger?: Logger;
  readonly dataDir?: string;
  readonly envelope?: SpecVersion;
  readonly spaceStrategy?: GatewayOptions['spaceStrategy'];
  readonly plugins?: readonly GatewayPlugin[];
}
type CreateGateway = (options: DistributionOptions) => Gateway;

/** The distribution's module name, kept in a variable so tsc does not resolve it at build time. */
const DISTRIBUTION = 'switchyard';

export interface Running {
  readonly gateway: Gateway;
  readonly events: string;
  readonly config: string;
  /** System events published, in order. */
  readonly systemEvents: { readonly space: string; readonly event: CloudEvent }[];
  close(): Promise<void>;
}

/** `createGateway` of the default distribution with these plugins (plus a system-event recorder), started on free ports. */
export async function startDistribution(plugins: readonly GatewayPlugin[], options: Omit<DistributionOptions, 'plugins'> = {}): Promise<Running> {
  const { createGateway } = (await import(DISTRIBUTION)) as { createGateway: CreateGateway };
  const systemEvents: { space: string; event: CloudEvent }[] = [];
  const recorder: GatewayPlugin = {
    name: 'test-system-event-recorder',
    apply(gw) {
      gw.hooks.systemEvent.tap('test-system-event-recorder', (space, event) => void systemEvents.push({ space, event }));
    },
  };
  const gateway = createGateway({ logger: captureLogger(), ...options, plugins: [...plugins, recorder] });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  return { gateway, events: eventsUrl, config: configUrl, systemEvents, close: () => gateway.close({ timeoutMs: 2000 }) };
}

export interface Call {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  json<T = unknown>(): T;
}

export interface FunctionServer {
  readonly url: string;
  readonly calls: Call[];
  close(): Promise<void>;
}

export type Handler = (call: Call, res: ServerResponse) => void;

/** A real HTTP function recording its calls; by default a sync-compatible 200 `{}`. */
export async function startFunction(handler?: Handler): Promise<FunctionServer> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const call: Call = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json: <T>() => JSON.parse(body) as T };
      calls.push(call);
      if (handler) return handler(call, res);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
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

/** A function answering with this JSON body. */
export function replyJson(value: unknown, status = 200): Handler {
  return (_call, res) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(typeof value === 'string' ? value : JSON.stringify(value));
  };
}

export interface ApiReply<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

/** An HTTP call; JSON bodies are sent and parsed. */
export async function request<T = unknown>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiReply<T>> {
  const { method = 'GET', body, headers = {} } = init;
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** Register an http function (and, with `eventType`, the event type), then a subscription. */
export async function setup(config: string, o: {
  space?: string; functionId: string; url: string; eventType: string; authorizerId?: string; type: 'sync' | 'async'; path?: string; method?: string; headers?: Record<string, string>;
}): Promise<void> {
  const base = `${config}/v1/spaces/${o.space ?? 'default'}`;
  const headers = o.headers ?? {};
  const fn = await request(`${base}/functions`, { method: 'POST', headers, body: { functionId: o.functionId, type: 'http', provider: { url: o.url } } });
  if (fn.status !== 201 && fn.status !== 409) throw new Error(`function: ${fn.status} ${fn.text}`);
  const et = await request(`${base}/eventtypes`, { method: 'POST', headers, body: { name: o.eventType, ...(o.authorizerId ? { authorizerId: o.authorizerId } : {}) } });
  if (et.status !== 201 && et.status !== 409) throw new Error(`event type: ${et.status} ${et.text}`);
  const sub = await request(`${base}/subscriptions`, {
    method: 'POST', headers, body: { type: o.type, eventType: o.eventType, functionId: o.functionId, path: o.path ?? '/', method: o.method ?? 'POST' },
  });
  if (sub.status !== 201) throw new Error(`subscription: ${sub.status} ${sub.text}`);
}

/** Register an http function only. */
export async function addFunction(config: string, functionId: string, url: string, space = 'default', headers: Record<string, string> = {}): Promise<void> {
  const fn = await request(`${config}/v1/spaces/${space}/functions`, { method: 'POST', headers, body: { functionId, type: 'http', provider: { url } } });
  if (fn.status !== 201) throw new Error(`function: ${fn.status} ${fn.text}`);
}

/** A structured CloudEvents 1.0 emit. */
export function emit10(events: string, type: string, data: unknown = { n: 1 }, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<ApiReply> {
  return request(events, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...headers },
    body: JSON.stringify({ specversion: '1.0', id: `id-${Math.random()}`, source: '/test', type, data, ...extra }),
  });
}

/** A structured CloudEvents 0.1 emit. */
export function emit01(events: string, eventType: string, data: unknown = { n: 1 }, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<ApiReply> {
  return request(events, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...headers },
    body: JSON.stringify({ cloudEventsVersion: '0.1', eventID: `id-${Math.random()}`, source: '/test', eventType, contentType: 'application/json', data, ...extra }),
  });
}

export { waitFor, sleep } from '@switchyard/core/testing';

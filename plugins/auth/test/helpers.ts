/**
 * Test helpers: the default distribution in process (imported by name at run time: `switchyard` depends on this
 * package, so a compile-time import would be a project-reference cycle), real HTTP function servers, Config API
 * calls, and a recorder of system events. Everything binds 127.0.0.1 and is closed by the test that opened it.
 */
import type { CloudEvent, Gateway, GatewayOptions, GatewayPlugin, Logger, SpecVersion } from '@switchyard/core';
import { captureLogger, requestJson as request } from '@switchyard/core/testing';
import type { JsonReply as ApiReply } from '@switchyard/core/testing';

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

export type { FunctionCall as Call, FunctionServer, JsonReply as ApiReply } from '@switchyard/core/testing';
export { replyJson, requestJson as request, startFunctionServer as startFunction } from '@switchyard/core/testing';

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

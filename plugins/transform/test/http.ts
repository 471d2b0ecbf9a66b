/**
 * Helpers of the over-HTTP tests: the default distribution with this plugin, real function servers, Config API
 * calls. Everything binds 127.0.0.1 and is stopped by the test that started it.
 *
 * The distribution (`switchyard`) depends on this package, so this package's TypeScript project cannot reference
 * it (a cycle): it is imported at run time, typed by the small interface below.
 */
import type { Gateway, GatewayPlugin, Logger } from '@switchyard/core';
import { requestJson } from '@switchyard/core/testing';
import type { JsonReply } from '@switchyard/core/testing';

interface Distribution {
  readonly createGateway: (options: { readonly logger?: Logger; readonly plugins?: readonly GatewayPlugin[] }) => Gateway;
}

const DISTRIBUTION = 'switchyard';

export interface Running {
  readonly gateway: Gateway;
  readonly events: string;
  readonly config: string;
  close(): Promise<void>;
}

export async function startGateway(plugins: readonly GatewayPlugin[], logger: Logger): Promise<Running> {
  const { createGateway } = (await import(DISTRIBUTION)) as Distribution;
  const gateway = createGateway({ logger, plugins });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  return { gateway, events: eventsUrl, config: configUrl, close: () => gateway.close({ timeoutMs: 5000 }) };
}

export type { FunctionCall as Call, FunctionServer } from '@switchyard/core/testing';
export { startFunctionServer as startFunction } from '@switchyard/core/testing';

/** A request with a JSON body (a string is sent as is); the reply parsed when it is JSON. */
export function request<T = unknown>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonReply<T>> {
  return requestJson<T>(url, { method, body, headers });
}

/** Emit a structured CloudEvents 1.0 event. */
export function emit(events: string, path: string, type: string, data: unknown, id = String(Math.random())): Promise<JsonReply> {
  const event = { specversion: '1.0', type, source: 'https://shop.test', id, datacontenttype: 'application/json', data };
  return request(events + path, 'POST', event, { 'content-type': 'application/cloudevents+json' });
}

/** Create a resource; throws unless 201 (or 409 for shared functions and event types). */
export async function create(config: string, kind: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await request<Record<string, unknown>>(`${config}/v1/spaces/default/${kind}`, 'POST', body);
  if (res.status !== 201 && !(res.status === 409 && kind !== 'subscriptions')) throw new Error(`${kind}: ${res.status} ${res.text}`);
  return res.body;
}

/** Poll `predicate` until it holds, or fail after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

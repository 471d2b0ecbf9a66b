/** Small helpers of this package's tests: contexts for the validation hook, real HTTP functions, the distribution. */
import type { CloudEvent, EventContext, EventType, Gateway, GatewayPlugin, Logger } from '@switchyard/core';
import { replyJson, requestJson, startFunctionServer } from '@switchyard/core/testing';
import type { FunctionServer, JsonReply } from '@switchyard/core/testing';

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
  readonly createGateway: (options: { readonly plugins?: readonly GatewayPlugin[]; readonly logger?: Logger; readonly dataDir?: string }) => Gateway;
}

/**
 * Load the default distribution at run time. It depends on this package, so a static import would make the
 * build cyclic (tsc -b builds this package first); the test runs after the whole build.
 */
export async function loadDistribution(): Promise<Distribution> {
  const name = 'switchyard';
  return (await import(name)) as Distribution;
}

export type { FunctionServer } from '@switchyard/core/testing';

/** A real HTTP function on 127.0.0.1 that records its calls and answers `reply` (default `{}`). */
export function startFunction(reply = '{}'): Promise<FunctionServer> {
  return startFunctionServer(replyJson(reply));
}

/** A JSON request; the reply parsed (undefined when empty or not JSON). */
export function request<T = unknown>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonReply<T>> {
  return requestJson<T>(url, { method, body, headers });
}

/** The JSON error envelope. */
export interface ErrorEnvelope {
  errors: { message: string; pointer?: string }[];
}

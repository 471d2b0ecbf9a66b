/**
 * A real Gateway with the http and weighted providers, on free ports, and small Config API helpers.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, isGatewayError, type CloudEvent, type GatewayError } from '@switchyard/core';
import { captureLogger, requestJson, startFunctionServer, replyJson, waitFor, type FunctionServer, type JsonReply } from '@switchyard/core/testing';
import { httpProvider } from '@switchyard/provider-http';
import { weightedProvider, type WeightedProviderOptions } from '../src/index.ts';

export interface Harness {
  readonly gateway: Gateway;
  readonly eventsUrl: string;
  /** `<configUrl>/v1/spaces/default` */
  readonly api: string;
  /** POST a function; asserts 201. */
  addFunction(functionId: string, type: string, provider: Record<string, unknown>): Promise<void>;
  /** POST a resource of any kind; returns the reply. */
  post(kind: string, body: unknown): Promise<JsonReply>;
}

export async function startGateway(t: TestContext, options: WeightedProviderOptions = {}): Promise<Harness> {
  const gateway = new Gateway({ logger: captureLogger() }).use(httpProvider()).use(weightedProvider(options));
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  t.after(() => gateway.close());
  const api = `${configUrl}/v1/spaces/default`;
  const post = (kind: string, body: unknown): Promise<JsonReply> => requestJson(`${api}/${kind}`, { method: 'POST', body });
  return {
    gateway,
    eventsUrl,
    api,
    post,
    async addFunction(functionId, type, provider) {
      const reply = await post('functions', { functionId, type, provider });
      assert.equal(reply.status, 201, reply.text);
      await waitFor(() => gateway.table.function('default', functionId) !== undefined, 5_000, `function ${functionId} routed`);
    },
  };
}

/** A function server answering sync calls with `{"statusCode":200,"body":"<name>"}`. */
export async function namedFunction(t: TestContext, name: string): Promise<FunctionServer> {
  const server = await startFunctionServer(replyJson({ statusCode: 200, body: name }));
  t.after(() => server.close());
  return server;
}

/** A sync subscription `GET <path>` for `http.request` events to `functionId`, ready once it answers non-404. */
export async function syncRoute(h: Harness, path: string, functionId: string): Promise<void> {
  if (h.gateway.table.eventType('default', 'http.request') === undefined) {
    const created = await h.post('eventtypes', { name: 'http.request' });
    assert.equal(created.status, 201, created.text);
  }
  const subscribed = await h.post('subscriptions', { type: 'sync', eventType: 'http.request', functionId, path, method: 'GET' });
  assert.equal(subscribed.status, 201, subscribed.text);
  await waitFor(() => h.gateway.table.sync('default', 'GET', path, 'http.request') !== undefined, 5_000, `route ${path}`);
}

/** A CloudEvents 1.0 event in structured mode. */
export function cloudEvent(type: string, data: unknown): CloudEvent {
  return { specversion: '1.0', id: `evt-${Math.random().toString(36).slice(2)}`, source: 'https://switchyard.test', type, datacontenttype: 'application/json', data };
}

/** A random source returning `values` in turn (then repeating the last). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

/** Asserts that `promise` rejects with a `GatewayError` of this code and message; returns it for further checks. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<GatewayError> {
  const err = await promise.then(() => assert.fail(`expected a rejection with ${code}`), (e: unknown) => e);
  assert.ok(isGatewayError(err), `not a GatewayError: ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  return err;
}

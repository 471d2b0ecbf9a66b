/**
 * Spaces on the Events API (reference §7, DESIGN §5): global routing by default, as the original; with a space
 * strategy (header, host, path) an event emitted into one space never reaches another space's subscription.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudEvent } from '@switchyard/core';
import type { DistributionOptions } from 'switchyard';
import type { FunctionServer, RawResponse, RunningGateway } from './helpers.ts';
import { api, callsTo, cloudEvent, emit, quietLogger, send, sleep, startFunction, startGateway, subscribe, waitFor } from './helpers.ts';

const SPACES = ['alpha', 'beta'] as const;

/** A gateway and one function server; each space has its own function (URL path = space) subscribed the same way. */
async function setup(options: DistributionOptions): Promise<{ gw: RunningGateway; fn: FunctionServer; close: () => Promise<void> }> {
  const gw = await startGateway({ logger: quietLogger(), ...options });
  const fn = await startFunction((call, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ statusCode: 200, body: `answered by ${call.url.split('/')[1]}` }));
  });
  for (const space of SPACES) {
    await subscribe(gw.config, { space, functionId: 'worker', url: `${fn.url}${space}/async`, eventType: 'order.placed', type: 'async', path: '/orders' });
    await subscribe(gw.config, { space, functionId: 'greeter', url: `${fn.url}${space}/sync`, eventType: 'http.request', type: 'sync', path: '/hello', method: 'GET' });
  }
  return { gw, fn, close: async () => { await gw.close(); await fn.close(); } };
}

const ids = (fn: FunctionServer, path: string): string[] => callsTo(fn, path).map((c) => c.json<CloudEvent>().id).sort();

describe('spaces', () => {
  test('default: routing is global, so async subscriptions of two spaces on the same route both get the event', async () => {
    const { gw, fn, close } = await setup({});
    try {
      const event = cloudEvent('order.placed');
      assert.equal((await emit(gw.events, '/orders', event)).status, 202);
      await waitFor(() => callsTo(fn, '/alpha/async').length === 1 && callsTo(fn, '/beta/async').length === 1, 3000, 'both spaces');
      assert.deepEqual(ids(fn, '/alpha/async'), [event.id]);
      assert.deepEqual(ids(fn, '/beta/async'), [event.id]);
      // The same sync route in two spaces: the first one keeps it (reference §7); the request is answered once.
      const res = await send(`${gw.events}/hello`, { method: 'GET' });
      assert.equal(res.status, 200);
      assert.equal(callsTo(fn, '/alpha/sync').length + callsTo(fn, '/beta/sync').length, 1);
    } finally {
      await close();
    }
  });

  type Strategy = { name: string; options: DistributionOptions; to(space: string | undefined, events: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> };
  const strategies: Strategy[] = [
    {
      name: 'header',
      options: { spaceStrategy: { kind: 'header' } },
      to: (space, events, path, init) => send(events + path, { ...init, headers: { ...init.headers, ...(space ? { 'x-switchyard-space': space } : {}) } }),
    },
    {
      name: 'header (custom name)',
      options: { spaceStrategy: { kind: 'header', header: 'x-tenant' } },
      to: (space, events, path, init) => send(events + path, { ...init, headers: { ...init.headers, ...(space ? { 'x-tenant': space } : {}) } }),
    },
    {
      name: 'host',
      options: { spaceStrategy: { kind: 'host' } },
      to: (space, events, path, init) => {
        const port = new URL(events).port;
        return send(events + path, { ...init, headers: { ...init.headers, host: space ? `${space}.events.test:${port}` : `127.0.0.1:${port}` } });
      },
    },
    {
      name: 'path',
      options: { spaceStrategy: { kind: 'path' } },
      to: (space, events, path, init) => send(`${events}${space ? `/${space}` : ''}${path}`, init),
    },
  ];

  for (const strategy of strategies) {
    test(`spaceStrategy ${strategy.name}: an event in one space never reaches another space's subscription`, async () => {
      const { gw, fn, close } = await setup(strategy.options);
      try {
        const sent: Record<string, string[]> = { alpha: [], beta: [] };
        for (const round of [1, 2]) {
          for (const space of SPACES) {
            const event = cloudEvent('order.placed', { data: { round, space } });
            sent[space]!.push(event.id);
            const res = await strategy.to(space, gw.events, '/orders', { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
            assert.equal(res.status, 202, res.body);
          }
        }
        // No space (or the default space): nobody there is subscribed.
        const stray = cloudEvent('order.placed');
        assert.equal((await strategy.to(undefined, gw.events, '/orders', { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(stray) })).status, 202);

        await waitFor(() => callsTo(fn, '/alpha/async').length >= 2 && callsTo(fn, '/beta/async').length >= 2, 3000, 'deliveries in both spaces');
        await sleep(100);
        assert.deepEqual(ids(fn, '/alpha/async'), [...sent['alpha']!].sort());
        assert.deepEqual(ids(fn, '/beta/async'), [...sent['beta']!].sort());

        // Sync: the same route in both spaces, each answered by its own function.
        for (const space of SPACES) {
          const res = await strategy.to(space, gw.events, '/hello', { method: 'GET' });
          assert.equal(res.status, 200);
          assert.equal(res.body, `answered by ${space}`);
        }
        const none = await strategy.to(undefined, gw.events, '/hello', { method: 'GET' });
        assert.equal(none.status, 202, 'the default space has no sync subscription');
        assert.equal(callsTo(fn, '/alpha/sync').length, 1);
        assert.equal(callsTo(fn, '/beta/sync').length, 1);
      } finally {
        await close();
      }
    });
  }

  test('spaceStrategy path: http.request data carries the path without the space prefix', async () => {
    const { gw, fn, close } = await setup({ spaceStrategy: { kind: 'path' } });
    try {
      assert.equal((await send(`${gw.events}/alpha/hello?x=1`, { method: 'GET' })).status, 200);
      const data = callsTo(fn, '/alpha/sync')[0]!.json<{ data: { path: string; query: unknown } }>().data;
      assert.equal(data.path, '/hello');
      assert.deepEqual(data.query, { x: ['1'] });
    } finally {
      await close();
    }
  });

  test('spaceStrategy host: a host without a subdomain (IP address, localhost, two labels) is the default space', async () => {
    const { gw, fn, close } = await setup({ spaceStrategy: { kind: 'host' } });
    try {
      await subscribe(gw.config, { functionId: 'greeter', url: `${fn.url}default/sync`, eventType: 'http.request', type: 'sync', path: '/hello', method: 'GET' });
      const port = new URL(gw.events).port;
      for (const host of [`127.0.0.1:${port}`, '10.1.2.3', `localhost:${port}`, 'example.com', '[::1]:80']) {
        const res = await send(`${gw.events}/hello`, { method: 'GET', headers: { host } });
        assert.equal(res.body, 'answered by default', host);
      }
      assert.equal((await send(`${gw.events}/hello`, { method: 'GET', headers: { host: 'beta.example.com' } })).body, 'answered by beta');
    } finally {
      await close();
    }
  });

  test('spaceStrategy: CORS configurations belong to their space', async () => {
    const { gw, close } = await setup({ spaceStrategy: { kind: 'header' } });
    try {
      const res = await api(gw.config, 'POST', '/v1/spaces/alpha/cors', { method: 'GET', path: '/hello', allowedOrigins: ['http://alpha.example'] });
      assert.equal(res.status, 201, res.text);
      const preflight = (space: string) => send(`${gw.events}/hello`, {
        method: 'OPTIONS', headers: { 'x-switchyard-space': space, origin: 'http://alpha.example', 'access-control-request-method': 'GET' },
      });
      const alpha = await preflight('alpha');
      assert.equal(alpha.status, 200);
      assert.equal(alpha.headers['access-control-allow-origin'], 'http://alpha.example');
      const beta = await preflight('beta');
      assert.equal(beta.status, 202, 'no CORS config in beta: an ordinary event');
      assert.equal(beta.headers['access-control-allow-origin'], undefined);
    } finally {
      await close();
    }
  });

  test('spaceStrategy header: emit helper with the header reaches only that space', async () => {
    const { gw, fn, close } = await setup({ spaceStrategy: { kind: 'header' } });
    try {
      const event = cloudEvent('order.placed');
      assert.equal((await emit(gw.events, '/orders', event, { 'x-switchyard-space': 'beta' })).status, 202);
      await waitFor(() => callsTo(fn, '/beta/async').length === 1, 3000, 'beta');
      await sleep(100);
      assert.equal(callsTo(fn, '/alpha/async').length, 0);
    } finally {
      await close();
    }
  });
});

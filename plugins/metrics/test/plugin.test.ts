/** Unit tests: request mapping, counting helpers, options, per-gateway registries, call timing, failure isolation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, GatewayError, providerPlugin } from '@switchyard/core';
import type { Invocation, Provider } from '@switchyard/core';
import { captureLogger, makeDelivery } from '@switchyard/core/testing';
import { Registry, register as globalRegistry } from 'prom-client';
import { BoundedLabel, MetricsPlugin, ResourceCounts, configCall, outcomeOf } from '../src/index.ts';
import type { MetricsOptions } from '../src/index.ts';
import { createMetrics } from '../src/metrics.ts';
import { countDeliveries } from '../src/queue.ts';
import { parseExposition, sample } from './helpers.ts';

function fakeProvider(status = 200): Provider {
  return { type: 'fake', validate: () => undefined, invoke: async () => ({ status, headers: {}, body: Buffer.from('{}') }) };
}

function invocation(functionId = 'f1', mode: 'sync' | 'async' = 'sync'): Invocation {
  return {
    space: 'default', mode, specVersion: '1.0',
    function: { space: 'default', functionId, type: 'fake', provider: {} },
    event: { specversion: '1.0', id: 'e-1', source: '/t', type: 'user.created' },
  };
}

describe('configCall', () => {
  const cases: [string, string, string | undefined][] = [
    ['GET', '/v1/spaces/default/functions', 'default function list'],
    ['GET', '/v1/spaces/default/functions/', 'default function list'],
    ['POST', '/v1/spaces/a%20b/eventtypes', 'a b eventtype create'],
    ['GET', '/v1/spaces/default/eventtypes/user.created', 'default eventtype get'],
    ['PUT', '/v1/spaces/default/subscriptions/abc', 'default subscription update'],
    ['DELETE', '/v1/spaces/default/cors/GET%2Fhello', 'default cors delete'],
    ['GET', '/V1/Spaces/default/Functions', 'default function list'],
    ['PATCH', '/v1/spaces/default/functions/f', undefined],
    ['POST', '/v1/spaces/default/functions/f', undefined],
    ['GET', '/v1/spaces/default/deadletters', undefined],
    ['GET', '/v1/metrics', undefined],
    ['GET', '/v1/spaces', undefined],
  ];
  for (const [method, path, expected] of cases) {
    it(`${method} ${path} → ${expected ?? 'not counted'}`, () => {
      const call = configCall(method, path);
      assert.equal(call === undefined ? undefined : `${call.space} ${call.resource} ${call.operation}`, expected);
    });
  }
});

describe('counting helpers', () => {
  it('outcomeOf classifies statuses into four label values', () => {
    assert.deepEqual([200, 302, 404, 429, 500, 503, undefined].map(outcomeOf),
      ['success', 'success', 'client_error', 'client_error', 'server_error', 'server_error', 'error']);
  });
  it('BoundedLabel keeps the first N values, then says _other', () => {
    const label = new BoundedLabel(2);
    assert.deepEqual(['a', 'b', 'c', 'a', 'd'].map((v) => label.value(v)), ['a', 'b', '_other', 'a', '_other']);
  });
  it('ResourceCounts counts ids per kind and space from store changes; updates do not count twice', () => {
    const counts = new ResourceCounts();
    const put = (kind: string, space: string, id: string) => counts.apply({ op: 'put', entry: { kind, space, id, value: {}, revision: 1 } });
    put('functions', 'a', 'f1');
    put('functions', 'a', 'f1');
    put('functions', 'a', 'f2');
    put('functions', 'b', 'f1');
    put('deadletters', 'a', 'd1');
    counts.apply({ op: 'delete', key: { kind: 'functions', space: 'a', id: 'f2' } });
    assert.deepEqual([...counts.counts('functions')], [['a', 1], ['b', 1]]);
    assert.deepEqual([...counts.counts('cors')], []);
  });
});

describe('MetricsPlugin options and registries', () => {
  const refused = (options: unknown, pattern: RegExp) =>
    assert.throws(() => new MetricsPlugin(options as MetricsOptions), (err: unknown) => err instanceof GatewayError && err.code === 'GW_ERR_PLUGIN_OPTIONS' && pattern.test(err.message));
  it('refuses bad options with GW_ERR_PLUGIN_OPTIONS', () => {
    refused({ prefx: 'x' }, /unknown option "prefx"/);
    refused({ prefix: '9bad' }, /"prefix"/);
    refused({ defaultMetrics: 'yes' }, /"defaultMetrics"/);
    refused({ registry: {} }, /"registry"/);
    refused(null, /must be an object/);
    // @ts-expect-error prefix is a string
    assert.throws(() => new MetricsPlugin({ prefix: 1 }));
  });

  it('uses a new registry per instance, never the global one, and the prefix given', async () => {
    const a = new MetricsPlugin({ defaultMetrics: false });
    const b = new MetricsPlugin({ defaultMetrics: false, prefix: 'eg_' });
    assert.notEqual(a.registry, b.registry);
    new Gateway({ logger: captureLogger() }).use(a);
    new Gateway({ logger: captureLogger() }).use(b);
    assert.ok((await a.metrics()).includes('eventgateway_events_received_total'));
    assert.ok((await b.metrics()).includes('eg_events_received_total'));
    assert.ok((await b.metrics()).includes('switchyard_invocation_duration_seconds'));
    assert.ok(!(await globalRegistry.metrics()).includes('events_received_total'));
  });

  it('serves one gateway per instance, and refuses a registry that already holds the names', () => {
    const plugin = new MetricsPlugin({ defaultMetrics: false });
    new Gateway({ logger: captureLogger() }).use(plugin);
    assert.throws(() => new Gateway({ logger: captureLogger() }).use(plugin), /one instance serves one gateway/);
    const shared = new Registry();
    new Gateway({ logger: captureLogger() }).use(new MetricsPlugin({ registry: shared, defaultMetrics: false }));
    assert.throws(() => new Gateway({ logger: captureLogger() }).use(new MetricsPlugin({ registry: shared, defaultMetrics: false })), /cannot register the metrics/);
  });
});

describe('call timing', () => {
  for (const order of ['provider first', 'metrics first'] as const) {
    it(`times calls when the provider is applied ${order === 'provider first' ? 'before' : 'after'} the plugin`, async () => {
      const metrics = new MetricsPlugin({ defaultMetrics: false });
      const gateway = new Gateway({ logger: captureLogger() });
      if (order === 'provider first') gateway.use(providerPlugin(fakeProvider())).use(metrics);
      else gateway.use(metrics).use(providerPlugin(fakeProvider()));
      await gateway.start({ eventsPort: 0, configPort: 0 });
      try {
        await gateway.call(invocation('f1'));
        await assert.rejects(gateway.call({ ...invocation('f1'), function: { ...invocation().function, type: 'missing' } }));
        const samples = parseExposition(await metrics.metrics());
        assert.equal(sample(samples, 'switchyard_invocation_duration_seconds_count', { space: 'default', function: 'f1', outcome: 'success' }), 1);
        assert.equal(sample(samples, 'eventgateway_events_processed_total', { space: 'default', type: 'user.created' }), 1);
      } finally {
        await gateway.close();
      }
    });
  }

  it('does not count an authorizer call (it carries a payload) as a processed event', async () => {
    const metrics = new MetricsPlugin({ defaultMetrics: false });
    const gateway = new Gateway({ logger: captureLogger() }).use(providerPlugin(fakeProvider(403))).use(metrics);
    await gateway.start({ eventsPort: 0, configPort: 0 });
    try {
      await gateway.call({ ...invocation('authz'), payload: { contentType: 'application/json', body: '{}' } });
      const samples = parseExposition(await metrics.metrics());
      assert.equal(sample(samples, 'switchyard_invocation_duration_seconds_count', { space: 'default', function: 'authz', outcome: 'client_error' }), 1);
      assert.equal(sample(samples, 'eventgateway_events_processed_total', { space: 'default', type: 'user.created' }), undefined);
    } finally {
      await gateway.close();
    }
  });
});

describe('failures to record never reach the pipeline', () => {
  it('a throwing metric never reaches the gateway, and is logged', () => {
    const logger = captureLogger();
    const metrics = createMetrics(new Registry(), 'eventgateway_', { backlog: () => 0, resources: () => new Map() });
    const boom = () => {
      throw new Error('metric broken');
    };
    Object.assign(metrics.received, { inc: boom });
    Object.assign(metrics.deliveryAttempts, { inc: boom });
    Object.assign(metrics.processing, { observe: boom });
    const gateway = new Gateway({ logger });
    countDeliveries(gateway, metrics, logger, 'metrics-test');
    const delivery = makeDelivery({ id: 'd-1', attempts: 1 });
    assert.doesNotThrow(() => {
      gateway.hooks.delivery.call({ kind: 'accepted', deliveries: [delivery] });
      gateway.hooks.delivery.call({ kind: 'attempting', delivery });
      gateway.hooks.delivery.call({ kind: 'attempted', delivery, outcome: { ok: true } });
    });
    assert.equal(logger.records.filter((r) => r.level === 'error' && /metrics: counting/.test(r.msg ?? '')).length, 3);
  });

  it('counts deliveries refused by a full queue as received and dropped', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, 'eventgateway_', { backlog: () => 0, resources: () => new Map() });
    const gateway = new Gateway({ logger: captureLogger() });
    countDeliveries(gateway, metrics, captureLogger(), 'metrics-test');
    const batch = ['x1', 'x2', 'x3'].map((id) => makeDelivery({ id, space: 's' }));
    gateway.hooks.delivery.call({ kind: 'refused', deliveries: batch, error: new GatewayError('GW_ERR_QUEUE_FULL', 'full') });
    gateway.hooks.delivery.call({ kind: 'refused', deliveries: batch.slice(0, 1), error: new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', 'down') });
    const samples = parseExposition(await registry.metrics());
    assert.equal(sample(samples, 'eventgateway_events_received_total', { space: 's', type: 'custom' }), 4);
    assert.equal(sample(samples, 'eventgateway_events_dropped_total', { space: 's', type: 'custom' }), 3, 'only "full" is a drop');
  });
});

/**
 * Over real HTTP, through the default distribution: after real traffic (Config API calls, sync and async events to
 * real functions, a failing function, a rejected request) `GET /v1/metrics` shows the expected series and values;
 * two gateways in one process do not share metrics; resource gauges are right after a restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '@switchyard/core';
import { captureLogger, replyJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { CE, cloudEvent, families, loadDistribution, parseExposition, request, sample } from './helpers.ts';

interface Running {
  readonly gateway: Gateway;
  readonly events: string;
  readonly config: string;
}

async function start(options: { dataDir?: string; metrics?: false } = {}): Promise<Running> {
  const { createGateway } = await loadDistribution();
  const gateway = createGateway({
    logger: captureLogger(),
    retryPolicy: { maxAttempts: 2, minBackoffMs: 5, maxBackoffMs: 10, maxAgeMs: 60_000 },
    ...options,
  });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  return { gateway, events: eventsUrl, config: configUrl };
}

async function scrape(gw: Running): Promise<{ samples: Map<string, number>; contentType: string | null; text: string }> {
  const reply = await request(`${gw.config}/v1/metrics`, 'GET');
  assert.equal(reply.status, 200);
  return { samples: parseExposition(reply.text), contentType: reply.headers.get('content-type'), text: reply.text };
}

describe('metrics over HTTP (distribution)', () => {
  let gw: Running;
  let other: Running;
  let ok: FunctionServer;
  let boom: FunctionServer;
  const api = (method: string, path: string, body?: unknown) => request(`${gw.config}/v1/spaces/default${path}`, method, body);
  const D = { space: 'default' };

  before(async () => {
    [gw, other] = await Promise.all([start(), start()]);
    ok = await startFunctionServer();
    boom = await startFunctionServer(replyJson({ error: 'boom' }, 500));
    const created = [
      await api('POST', '/functions', { functionId: 'ok', type: 'http', provider: { url: ok.url } }),
      await api('POST', '/functions', { functionId: 'boom', type: 'http', provider: { url: boom.url } }),
      await api('POST', '/eventtypes', { name: 'user.created' }),
      await api('POST', '/subscriptions', { type: 'sync', eventType: 'user.created', functionId: 'ok', path: '/sync', method: 'POST' }),
      await api('POST', '/subscriptions', { type: 'sync', eventType: 'user.created', functionId: 'boom', path: '/boom', method: 'POST' }),
      await api('POST', '/subscriptions', { type: 'async', eventType: 'user.created', functionId: 'ok', path: '/', method: 'POST' }),
      await api('POST', '/subscriptions', { type: 'async', eventType: 'user.created', functionId: 'boom', path: '/', method: 'POST' }),
      await api('POST', '/cors', { method: 'GET', path: '/hello' }),
    ];
    assert.deepEqual(created.map((r) => r.status), [201, 201, 201, 201, 201, 201, 201, 201]);
    // Config calls that fail count too.
    assert.equal((await api('POST', '/functions', { functionId: 'bad', type: 'http', provider: {} })).status, 400);
    assert.equal((await api('GET', '/functions/nope')).status, 404);
    assert.equal((await api('GET', '/functions')).status, 200);
    assert.equal((await api('PUT', '/functions/ok', { functionId: 'ok', type: 'http', provider: { url: ok.url } })).status, 200);
    assert.equal((await request(`${gw.config}/v1/spaces/other/eventtypes`, 'GET')).status, 200);

    // A sync call answered, a sync call that failed, one async event to two subscribers, a rejected request.
    assert.equal((await request(`${gw.events}/sync`, 'POST', cloudEvent('user.created', 's-1'), CE)).status, 200);
    assert.equal((await request(`${gw.events}/boom`, 'POST', cloudEvent('user.created', 's-2'), CE)).status, 500);
    assert.equal((await request(`${gw.events}/`, 'POST', cloudEvent('user.created', 'a-1'), CE)).status, 202);
    assert.equal((await request(`${gw.events}/`, 'POST', '{not json', CE)).status, 400);
    // boom: 1 sync call + 2 attempts (maxAttempts 2), then a dead letter.
    await waitFor(() => boom.calls.length === 3 && ok.calls.length === 2 && gw.gateway.queue.depth() === 0, 5000, 'deliveries finished');
    await waitFor(async () => (await api('GET', '/deadletters')).text.includes('boom'), 5000, 'dead letter stored');
  });
  after(async () => {
    await Promise.all([gw.gateway.close({ timeoutMs: 5000 }), other.gateway.close({ timeoutMs: 5000 })]);
    await Promise.all([ok.close(), boom.close()]);
  });

  it('serves Prometheus text with prom-client\'s content type and the default process metrics', async () => {
    const { contentType, samples, text } = await scrape(gw);
    assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(text, /# TYPE eventgateway_events_received_total counter/);
    assert.match(text, /# TYPE eventgateway_events_custom_processing_seconds histogram/);
    const names = families(samples);
    assert.ok(names.has('process_cpu_seconds_total'));
    assert.ok([...names].some((n) => n.startsWith('nodejs_')));
  });

  it('counts sync events with their type and async deliveries as "custom", as the original', async () => {
    const { samples } = await scrape(gw);
    const m = (name: string, labels: Record<string, string>) => sample(samples, `eventgateway_${name}`, labels);
    assert.equal(m('events_received_total', { ...D, type: 'user.created' }), 2);
    assert.equal(m('events_processed_total', { ...D, type: 'user.created' }), 2);
    assert.equal(m('events_received_total', { ...D, type: 'custom' }), 2);
    assert.equal(m('events_processed_total', { ...D, type: 'custom' }), 2, 'one delivered, one dead-lettered');
    assert.equal(sample(samples, 'eventgateway_events_backlog'), 0);
    assert.equal(sample(samples, 'eventgateway_events_custom_processing_seconds_count'), 2, 'first attempts only');
    assert.equal(sample(samples, 'eventgateway_events_custom_processing_seconds_bucket', { le: '+Inf' }), 2);
  });

  it('times every function call and counts attempts, retries and dead letters per function', async () => {
    const { samples } = await scrape(gw);
    const calls = (fn: string, outcome: string) => sample(samples, 'switchyard_invocation_duration_seconds_count', { ...D, function: fn, outcome });
    assert.equal(calls('ok', 'success'), 2);
    assert.equal(calls('boom', 'server_error'), 3);
    const attempts = (fn: string, outcome: string) => sample(samples, 'switchyard_delivery_attempts_total', { ...D, function: fn, outcome });
    assert.equal(attempts('ok', 'success'), 1);
    assert.equal(attempts('boom', 'server_error'), 2);
    assert.equal(sample(samples, 'switchyard_delivery_retries_total', { ...D, function: 'boom' }), 1);
    assert.equal(sample(samples, 'switchyard_dead_letters_total', { ...D, function: 'boom' }), 1);
    assert.equal(sample(samples, 'switchyard_dead_letters_total', { ...D, function: 'ok' }), undefined);
    assert.equal(sample(samples, 'switchyard_events_rejected_total', { status: '400' }), 1);
  });

  it('counts resources from the store and every Config API call, errors included', async () => {
    const { samples } = await scrape(gw);
    const g = (name: string) => sample(samples, `eventgateway_${name}_total`, D);
    assert.deepEqual([g('eventtypes'), g('functions'), g('subscriptions'), g('cors')], [1, 2, 4, 1]);
    const calls = (resource: string, operation: string, space = 'default') =>
      sample(samples, 'eventgateway_config_requests_total', { space, resource, operation });
    assert.equal(calls('function', 'create'), 3);
    assert.equal(calls('function', 'get'), 1);
    assert.equal(calls('function', 'list'), 1);
    assert.equal(calls('function', 'update'), 1);
    assert.equal(calls('eventtype', 'create'), 1);
    assert.equal(calls('subscription', 'create'), 4);
    assert.equal(calls('cors', 'create'), 1);
    assert.equal(calls('eventtype', 'list', 'other'), 1);
    const total = [...samples].filter(([k]) => k.startsWith('eventgateway_config_requests_total')).reduce((s, [, v]) => s + v, 0);
    assert.equal(sample(samples, 'eventgateway_config_request_duration_seconds_count'), total);
    assert.ok(total >= 13, 'dead-letter reads and /v1/metrics are not counted as resource calls');
  });

  it('keeps two gateways in one process apart', async () => {
    const { samples } = await scrape(other);
    assert.equal(sample(samples, 'eventgateway_events_received_total', { ...D, type: 'user.created' }), undefined);
    assert.equal(sample(samples, 'eventgateway_functions_total', D), undefined);
    assert.equal(sample(samples, 'eventgateway_config_request_duration_seconds_count'), 0);
    assert.equal(sample(samples, 'switchyard_invocation_duration_seconds_count', { ...D, function: 'ok', outcome: 'success' }), undefined);
  });
});

describe('metrics in the distribution: options and restarts', () => {
  it('metrics: false leaves core\'s empty /v1/metrics', async () => {
    const gw = await start({ metrics: false });
    try {
      assert.ok(!gw.gateway.plugins.includes('MetricsPlugin'));
      const reply = await request(`${gw.config}/v1/metrics`, 'GET');
      assert.equal(reply.status, 200);
      assert.equal(reply.text, '');
    } finally {
      await gw.gateway.close({ timeoutMs: 5000 });
    }
  });

  it('derives the resource gauges from the store, so they are right after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-metrics-'));
    try {
      const first = await start({ dataDir });
      const fn = { functionId: 'f1', type: 'http', provider: { url: 'http://127.0.0.1:9/' } };
      assert.equal((await request(`${first.config}/v1/spaces/team-a/functions`, 'POST', fn)).status, 201);
      assert.equal((await request(`${first.config}/v1/spaces/team-a/eventtypes`, 'POST', { name: 'x' })).status, 201);
      await first.gateway.close({ timeoutMs: 5000 });
      const second = await start({ dataDir });
      try {
        const { samples } = await scrape(second);
        assert.equal(sample(samples, 'eventgateway_functions_total', { space: 'team-a' }), 1);
        assert.equal(sample(samples, 'eventgateway_eventtypes_total', { space: 'team-a' }), 1);
        assert.equal((await request(`${second.config}/v1/spaces/team-a/functions/f1`, 'DELETE')).status, 204);
        const after = (await scrape(second)).samples;
        assert.equal(sample(after, 'eventgateway_functions_total', { space: 'team-a' }), 0);
      } finally {
        await second.gateway.close({ timeoutMs: 5000 });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

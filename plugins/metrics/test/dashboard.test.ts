/**
 * The Grafana dashboard (`grafana/switchyard-dashboard.json`) is importable (a datasource input, every panel on it)
 * and every metric its PromQL queries name is in a real `/v1/metrics` scrape after traffic: sync and async events,
 * a failing function (retries, a dead letter), a rejected request and a config change made after start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Gateway } from '@switchyard/core';
import { captureLogger, replyJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { CE, cloudEvent, families, loadDistribution, parseExposition, request } from './helpers.ts';

interface Target {
  readonly expr: string;
  readonly datasource?: { readonly uid?: string };
}
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly __inputs: readonly { readonly name: string; readonly type: string; readonly pluginId: string }[];
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly query: { readonly query: string } | string }[] };
}

const DASHBOARD = new URL('../grafana/switchyard-dashboard.json', import.meta.url);
// From `test/` (tsx) or `dist/test/` (compiled): the JSON sits beside the package root's `test` either way.
const dashboardUrl = async (): Promise<URL> => {
  try {
    await readFile(DASHBOARD);
    return DASHBOARD;
  } catch {
    return new URL('../../grafana/switchyard-dashboard.json', import.meta.url);
  }
};

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or label values. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [...withoutStrings.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((name) => /^(eventgateway|switchyard)_/.test(name));
}

describe('Grafana dashboard', () => {
  let dashboard: Dashboard;
  let gateway: Gateway;
  let fn: FunctionServer;
  let events: string;
  let config: string;

  before(async () => {
    dashboard = JSON.parse(await readFile(await dashboardUrl(), 'utf8')) as Dashboard;
    fn = await startFunctionServer(async (call, res) => {
      if (call.url === '/fail') return replyJson({ error: 'down' }, 500)(call, res);
      return replyJson({ statusCode: 200, body: 'ok' })(call, res);
    });
    const { createGateway } = await loadDistribution();
    gateway = createGateway({ logger: captureLogger(), retryPolicy: { maxAttempts: 2, minBackoffMs: 5, maxBackoffMs: 10, maxAgeMs: 60_000 } });
    const addresses = await gateway.start({ eventsPort: 0, configPort: 0 });
    events = addresses.eventsUrl;
    config = addresses.configUrl;
  });
  after(async () => {
    await gateway.close({ timeoutMs: 5_000 });
    await fn.close();
  });

  it('is importable: one Prometheus datasource input, used by every panel and query', () => {
    assert.deepEqual(dashboard.__inputs.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']]);
    const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
    assert.ok(queryPanels.length >= 10);
    for (const panel of queryPanels) {
      assert.equal(panel.datasource?.uid, '${DS_PROMETHEUS}', panel.title);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has queries`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource?.uid, '${DS_PROMETHEUS}', panel.title);
    }
  });

  it('queries only metrics a real scrape has after traffic', async () => {
    const api = (method: string, path: string, body?: unknown) => request(`${config}/v1/spaces/default${path}`, method, body);
    for (const [id, path] of [['ok', 'ok'], ['fail', 'fail']]) {
      assert.equal((await api('POST', '/functions', { functionId: id, type: 'http', provider: { url: `${fn.url}${path}` } })).status, 201);
    }
    for (const name of ['http.request', 'user.created']) assert.equal((await api('POST', '/eventtypes', { name })).status, 201);
    assert.equal((await api('POST', '/subscriptions', { type: 'sync', eventType: 'http.request', functionId: 'ok', method: 'GET', path: '/hello' })).status, 201);
    assert.equal((await api('POST', '/subscriptions', { type: 'async', eventType: 'user.created', functionId: 'ok' })).status, 201);
    assert.equal((await api('POST', '/subscriptions', { type: 'async', eventType: 'user.created', functionId: 'fail' })).status, 201);

    assert.equal((await request(`${events}/hello`, 'GET')).status, 200);
    assert.equal((await request(events, 'POST', cloudEvent('user.created'), CE)).status, 202);
    assert.equal((await request(events, 'POST', '{not json', CE)).status, 400);
    await waitFor(async () => (await request(`${config}/v1/spaces/default/deadletters`, 'GET')).text.includes('fail'), 15_000, 'a dead letter');

    const scrape = await request(`${config}/v1/metrics`, 'GET');
    const sampled = families(parseExposition(scrape.text));
    // Declared families (`# TYPE`), a histogram's series included: a counter never incremented has no sample yet.
    const declared = new Set<string>();
    for (const [, name, type] of scrape.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      declared.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) declared.add(name + suffix);
    }
    const queried = new Set<string>();
    for (const panel of dashboard.panels) for (const target of panel.targets ?? []) for (const name of metricNames(target.expr)) queried.add(name);
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      for (const name of metricNames(query)) queried.add(name);
    }
    assert.ok(queried.size >= 10, `the dashboard queries ${[...queried].join(', ')}`);
    const missing = [...queried].filter((name) => !declared.has(name));
    assert.deepEqual(missing, [], `in the dashboard, not in the scrape (scrape has: ${[...declared].filter((n) => !n.startsWith('process_') && !n.startsWith('nodejs_')).join(', ')})`);
    // And this traffic gave each of them samples, except drops (no backlog was full).
    const unsampled = [...queried].filter((name) => !sampled.has(name));
    assert.deepEqual(unsampled, ['eventgateway_events_dropped_total']);
    for (const name of ['switchyard_config_watch_lag_seconds_count', 'switchyard_dead_letters_total', 'switchyard_delivery_retries_total', 'eventgateway_events_backlog']) {
      assert.ok(queried.has(name) || queried.has(name.replace(/_count$/, '_bucket')), `the dashboard shows ${name}`);
    }
  });
});

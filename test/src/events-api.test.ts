/**
 * Events API parsing end to end (reference §4.2–4.5, §19): every way of sending an event reaches a real HTTP
 * function with the right body, in the spec version it arrived in.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_EVENT_SOURCE } from '@switchyard/core';
import type { FunctionServer, RunningGateway } from './helpers.ts';
import { api, callsTo, cloudEvent, emit, registerFunction, send, startGatewayAndFunction, waitFor } from './helpers.ts';

/** The original's 0.1 field order (reference §4.5). */
const V01_ORDER = ['eventType', 'eventTypeVersion', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'schemaURL', 'extensions', 'contentType', 'data'];

function inV01Order(keys: readonly string[]): boolean {
  const positions = keys.map((k) => V01_ORDER.indexOf(k));
  return positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!));
}

async function sub(config: string, o: { id: string; fnPath: string; fnUrl: string; eventType: string; type: 'sync' | 'async'; path: string; method?: string; provider?: Record<string, unknown> }): Promise<void> {
  await registerFunction(config, o.id, { url: o.fnUrl + o.fnPath, ...o.provider });
  const et = await api(config, 'POST', '/v1/spaces/default/eventtypes', { name: o.eventType });
  assert.ok(et.status === 201 || et.status === 409, et.text);
  const s = await api(config, 'POST', '/v1/spaces/default/subscriptions', { type: o.type, eventType: o.eventType, functionId: o.id, path: o.path, method: o.method ?? 'POST' });
  assert.equal(s.status, 201, s.text);
}

/** The single call a function path received (waits for it). */
async function onlyCall(fn: FunctionServer, path: string) {
  await waitFor(() => callsTo(fn, path).length > 0, 3000, `a call to ${path}`);
  const calls = callsTo(fn, path);
  assert.equal(calls.length, 1, `exactly one call to ${path}`);
  return calls[0]!;
}

const HTTP_OK = { statusCode: 200, body: 'ok' };

describe('Events API parsing, through the gateway to a real function', () => {
  let gw: RunningGateway;
  let fn: FunctionServer;

  before(async () => {
    // Sync functions answer with the HTTP response object (reference §4.5).
    ({ gw, fn } = await startGatewayAndFunction(HTTP_OK));
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  test('CloudEvents 1.0 structured: delivered as 1.0, attributes and extensions intact', async () => {
    await sub(gw.config, { id: 'ce1-structured', fnPath: 'ce1s', fnUrl: fn.url, eventType: 'user.created', type: 'sync', path: '/ce1/structured' });
    const event = cloudEvent('user.created', {
      time: '2024-05-01T10:00:00Z', subject: 'u-1', datacontenttype: 'application/json', dataschema: 'https://example.com/schema', myext: 'x', data: { name: 'Ada', tags: [1, 2] },
    });
    const res = await emit(gw.events, '/ce1/structured', event);
    assert.equal(res.status, 200);
    const call = await onlyCall(fn, '/ce1s');
    assert.equal(call.method, 'POST');
    assert.equal(call.headers['content-type'], 'application/cloudevents+json');
    assert.deepEqual(call.json(), event);
  });

  test('CloudEvents 1.0 binary (ce-* headers): attributes from headers, data from the body, delivered as 1.0', async () => {
    await sub(gw.config, { id: 'ce1-binary', fnPath: 'ce1b', fnUrl: fn.url, eventType: 'user.updated', type: 'sync', path: '/ce1/binary' });
    const res = await send(`${gw.events}/ce1/binary`, {
      headers: {
        'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-source': '/crm', 'ce-type': 'user.updated', 'ce-time': '2024-05-01T10:00:00Z',
        'ce-subject': 'user%2F42', 'ce-myext': 'hello', 'content-type': 'application/json',
      },
      body: '{"name":"Grace"}',
    });
    assert.equal(res.status, 200, res.body);
    const call = await onlyCall(fn, '/ce1b');
    assert.equal(call.headers['content-type'], 'application/cloudevents+json');
    assert.deepEqual(call.json(), {
      specversion: '1.0', id: 'b-1', source: '/crm', type: 'user.updated', time: '2024-05-01T10:00:00Z', subject: 'user/42', myext: 'hello',
      datacontenttype: 'application/json', data: { name: 'Grace' },
    });
  });

  test('CloudEvents 1.0 binary in, binary out to a function configured with binary: true', async () => {
    await sub(gw.config, { id: 'ce1-binary-out', fnPath: 'ce1bo', fnUrl: fn.url, eventType: 'user.binary', type: 'async', path: '/ce1/binary-out', provider: { binary: true } });
    const res = await send(`${gw.events}/ce1/binary-out`, {
      headers: {
        'ce-specversion': '1.0', 'ce-id': 'bo-1', 'ce-source': '/crm', 'ce-type': 'user.binary', 'ce-time': '2024-05-01T10:00:00Z',
        'ce-subject': 'a%20b%E2%82%AC%22', 'content-type': 'text/plain',
      },
      body: 'plain text',
    });
    assert.equal(res.status, 202);
    assert.equal(res.body, '');
    const call = await onlyCall(fn, '/ce1bo');
    assert.equal(call.headers['ce-specversion'], '1.0');
    assert.equal(call.headers['ce-id'], 'bo-1');
    assert.equal(call.headers['ce-source'], '/crm');
    assert.equal(call.headers['ce-type'], 'user.binary');
    assert.equal(call.headers['ce-time'], '2024-05-01T10:00:00Z');
    // HTTP binding 1.0.2 §3.1.3.2: space, `"`, `%` and non-printable characters percent-encoded, nothing else.
    assert.equal(call.headers['ce-subject'], 'a%20b%E2%82%AC%22');
    assert.equal(call.headers['content-type'], 'text/plain');
    assert.equal(call.body, 'plain text');
  });

  test('CloudEvents 0.1 in, binary out: a binary-mode function gets the 0.1 binary headers (CE-EventType, CE-X-…)', async () => {
    await sub(gw.config, { id: 'ce01-binary-out', fnPath: 'ce01bo', fnUrl: fn.url, eventType: 'legacy.binout', type: 'async', path: '/ce01/binary-out', provider: { binary: true } });
    const event = {
      eventType: 'legacy.binout', eventTypeVersion: '3', cloudEventsVersion: '0.1', source: '/legacy', eventID: 'lbo-1', eventTime: '2018-04-05T17:31:00Z',
      schemaURL: 'https://example.com/s', extensions: { tenant: 'acme', nested: { a: 1 } }, contentType: 'application/json', data: { k: 'v' },
    };
    assert.equal((await emit(gw.events, '/ce01/binary-out', event)).status, 202);
    const call = await onlyCall(fn, '/ce01bo');
    const ce = Object.fromEntries(Object.entries(call.headers).filter(([name]) => name.startsWith('ce-')));
    assert.deepEqual(ce, {
      'ce-eventtype': 'legacy.binout', 'ce-eventtypeversion': '3', 'ce-cloudeventsversion': '0.1', 'ce-source': '/legacy', 'ce-eventid': 'lbo-1',
      'ce-eventtime': '2018-04-05T17:31:00Z', 'ce-schemaurl': 'https://example.com/s', 'ce-x-tenant': 'acme', 'ce-x-nested': '{"a":1}',
    });
    assert.equal(call.headers['content-type'], 'application/json');
    assert.deepEqual(call.json(), { k: 'v' });
  });

  test('CloudEvents batch: 202 at once, every event delivered asynchronously to its subscribers', async () => {
    await sub(gw.config, { id: 'batch-a', fnPath: 'batcha', fnUrl: fn.url, eventType: 'batch.a', type: 'async', path: '/batch' });
    await sub(gw.config, { id: 'batch-b', fnPath: 'batchb', fnUrl: fn.url, eventType: 'batch.b', type: 'async', path: '/batch' });
    // A sync subscription on the same route is not called for a batch (one reply cannot carry several).
    await sub(gw.config, { id: 'batch-sync', fnPath: 'batchsync', fnUrl: fn.url, eventType: 'batch.a', type: 'sync', path: '/batch' });
    const events = [cloudEvent('batch.a', { data: { n: 1 } }), cloudEvent('batch.b', { data: { n: 2 } }), cloudEvent('batch.a', { data: { n: 3 } })];
    const res = await send(`${gw.events}/batch`, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
    assert.equal(res.status, 202);
    assert.equal(res.body, '');
    await waitFor(() => callsTo(fn, '/batcha').length === 2 && callsTo(fn, '/batchb').length === 1, 3000, 'batch deliveries');
    const a = callsTo(fn, '/batcha').map((c) => c.json<{ id: string }>()).sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepEqual(a, [events[0], events[2]].sort((x, y) => (x!.id < y!.id ? -1 : 1)));
    assert.deepEqual(callsTo(fn, '/batchb')[0]!.json(), events[1]);
    assert.equal(callsTo(fn, '/batchsync').length, 0, 'a batch never reaches a sync subscription');
  });

  test('CloudEvents 0.1 structured: delivered as 0.1 with the original field order and extensions', async () => {
    await sub(gw.config, { id: 'ce01-structured', fnPath: 'ce01s', fnUrl: fn.url, eventType: 'legacy.created', type: 'sync', path: '/ce01/structured' });
    // Sent in a scrambled order, with Go's case-insensitive `eventId`.
    const body = {
      data: { a: 1 }, contentType: 'application/json', extensions: { trace: { id: 't-1' }, plain: 'v' }, eventTime: '2018-04-05T17:31:00Z',
      eventId: 'e-01', source: '/legacy', cloudEventsVersion: '0.1', eventTypeVersion: '2', eventType: 'legacy.created',
    };
    const res = await emit(gw.events, '/ce01/structured', body);
    assert.equal(res.status, 200, res.body);
    const call = await onlyCall(fn, '/ce01s');
    assert.equal(call.headers['content-type'], 'application/cloudevents+json');
    const got = call.json<Record<string, unknown>>();
    assert.deepEqual(got, {
      eventType: 'legacy.created', eventTypeVersion: '2', cloudEventsVersion: '0.1', source: '/legacy', eventID: 'e-01', eventTime: '2018-04-05T17:31:00Z',
      extensions: { trace: { id: 't-1' }, plain: 'v' }, contentType: 'application/json', data: { a: 1 },
    });
    assert.deepEqual(Object.keys(got), ['eventType', 'eventTypeVersion', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'extensions', 'contentType', 'data']);
  });

  test('CloudEvents 0.1 binary (CE-* headers, CE-X- extensions): delivered as 0.1, exact prefix stripped', async () => {
    await sub(gw.config, { id: 'ce01-binary', fnPath: 'ce01b', fnUrl: fn.url, eventType: 'legacy.binary', type: 'sync', path: '/ce01/binary' });
    const res = await send(`${gw.events}/ce01/binary`, {
      headers: {
        'CE-EventType': 'legacy.binary', 'CE-CloudEventsVersion': '0.1', 'CE-Source': '/legacy', 'CE-EventID': 'eb-01',
        'CE-EventTime': '2018-04-05T17:31:00Z', 'CE-X-MyExtension': 'mine', 'CE-X-Xtra': 'kept whole', 'Content-Type': 'application/json',
      },
      body: '{"b":2}',
    });
    assert.equal(res.status, 200, res.body);
    const got = (await onlyCall(fn, '/ce01b')).json<Record<string, unknown>>();
    assert.deepEqual(got, {
      eventType: 'legacy.binary', cloudEventsVersion: '0.1', source: '/legacy', eventID: 'eb-01', eventTime: '2018-04-05T17:31:00Z',
      // Go canonicalises `CE-X-MyExtension` to `Ce-X-Myextension`; `Xtra` keeps its X (the original's TrimLeft bug is fixed).
      extensions: { myextension: 'mine', xtra: 'kept whole' }, contentType: 'application/json', data: { b: 2 },
    });
    assert.ok(inV01Order(Object.keys(got)), `0.1 field order: ${Object.keys(got).join(',')}`);
  });

  test('legacy Event: header: an event of that type, body as data, delivered as 1.0 by default', async () => {
    await sub(gw.config, { id: 'legacy-json', fnPath: 'legjson', fnUrl: fn.url, eventType: 'legacy.header', type: 'sync', path: '/legacy' });
    const res = await send(`${gw.events}/legacy`, { headers: { event: 'legacy.header', 'content-type': 'application/json' }, body: '{"k":"v"}' });
    assert.equal(res.status, 200, res.body);
    const got = (await onlyCall(fn, '/legjson')).json<Record<string, unknown>>();
    assert.equal(got['specversion'], '1.0');
    assert.equal(got['type'], 'legacy.header');
    assert.equal(got['source'], GATEWAY_EVENT_SOURCE);
    assert.equal(got['datacontenttype'], 'application/json');
    assert.deepEqual(got['data'], { k: 'v' });
    assert.equal(typeof got['id'], 'string');
    assert.ok(!Number.isNaN(Date.parse(String(got['time']))));

    await sub(gw.config, { id: 'legacy-text', fnPath: 'legtext', fnUrl: fn.url, eventType: 'legacy.text', type: 'sync', path: '/legacy' });
    const text = await send(`${gw.events}/legacy`, { headers: { event: 'legacy.text', 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(text.status, 200);
    const t = (await onlyCall(fn, '/legtext')).json<Record<string, unknown>>();
    assert.equal(t['type'], 'legacy.text');
    assert.equal(t['datacontenttype'], 'text/plain');
    assert.equal(t['data'], 'hello');
  });

  test('legacy Event: header with a full 0.1 event as application/json body: the body\'s event wins, delivered as 0.1', async () => {
    await sub(gw.config, { id: 'legacy-full', fnPath: 'legfull', fnUrl: fn.url, eventType: 'legacy.inner', type: 'sync', path: '/legacy/full' });
    const inner = { eventType: 'legacy.inner', cloudEventsVersion: '0.1', source: '/inner', eventID: 'in-1', data: { x: true } };
    const res = await send(`${gw.events}/legacy/full`, { headers: { event: 'legacy.outer', 'content-type': 'application/json' }, body: JSON.stringify(inner) });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual((await onlyCall(fn, '/legfull')).json(), inner);
  });

  test('plain HTTP → http.request with the §4.4 data shape (headers canonical, query arrays, JSON body with charset, params)', async () => {
    await sub(gw.config, { id: 'http-sync', fnPath: 'http-sync', fnUrl: fn.url, eventType: 'http.request', type: 'sync', path: '/shop/:shopId/items/*rest' });
    const res = await send(`${gw.events}/shop/s-1/items/a/b%20c?x=1&x=2&y=3&empty=`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-api-key': 'k-1', 'x-multi': ['a', 'b'], 'USER-AGENT': 'e2e' },
      body: '{"key":"value","n":[1,2]}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    const got = (await onlyCall(fn, '/http-sync')).json<Record<string, unknown>>();
    assert.equal(got['specversion'], '1.0');
    assert.equal(got['type'], 'http.request');
    assert.equal(got['source'], GATEWAY_EVENT_SOURCE);
    assert.equal(got['datacontenttype'], 'application/json');
    const data = got['data'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(data).sort(), ['body', 'headers', 'host', 'method', 'params', 'path', 'query']);
    const headers = data['headers'] as Record<string, string>;
    assert.equal(headers['Content-Type'], 'application/json; charset=utf-8');
    assert.equal(headers['X-Api-Key'], 'k-1');
    assert.equal(headers['X-Multi'], 'a, b');
    assert.equal(headers['User-Agent'], 'e2e');
    assert.equal(headers['Content-Length'], String(Buffer.byteLength('{"key":"value","n":[1,2]}')));
    assert.equal(headers['Host'], undefined, 'Host is not a header');
    for (const name of Object.keys(headers)) assert.match(name, /^[A-Z][a-z0-9]*(-[A-Z][a-z0-9]*)*$/, `canonical header name ${name}`);
    assert.deepEqual(data['query'], { x: ['1', '2'], y: ['3'], empty: [''] });
    assert.deepEqual(data['body'], { key: 'value', n: [1, 2] });
    assert.equal(data['host'], new URL(gw.events).host);
    assert.equal(data['path'], '/shop/s-1/items/a/b c');
    assert.equal(data['method'], 'POST');
    assert.deepEqual(data['params'], { shopId: 's-1', rest: 'a/b%20c' });
  });

  test('http.request bodies: JSON arrays kept as JSON, text base64, empty "", malformed JSON kept as text; params null for async', async () => {
    await sub(gw.config, { id: 'http-async', fnPath: 'http-async', fnUrl: fn.url, eventType: 'http.request', type: 'async', path: '/raw', method: 'PUT' });
    const cases: { headers: Record<string, string>; body?: string; expected: unknown }[] = [
      { headers: { 'content-type': 'application/json' }, body: '[1,"two",{"three":3}]', expected: [1, 'two', { three: 3 }] },
      { headers: { 'content-type': 'application/json' }, body: '42', expected: 42 },
      { headers: { 'content-type': 'text/plain' }, body: 'hi there', expected: Buffer.from('hi there').toString('base64') },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2', expected: 'a=1&b=2' },
      { headers: {}, expected: '' },
      { headers: { 'content-type': 'application/json' }, body: '{"broken":', expected: '{"broken":' },
    ];
    for (const [i, c] of cases.entries()) {
      const res = await send(`${gw.events}/raw?case=${i}`, { method: 'PUT', headers: c.headers, ...(c.body === undefined ? {} : { body: c.body }) });
      assert.equal(res.status, 202, `case ${i}: ${res.body}`);
      assert.equal(res.body, '');
    }
    await waitFor(() => callsTo(fn, '/http-async').length === cases.length, 3000, 'every http.request delivered');
    for (const call of callsTo(fn, '/http-async')) {
      const data = call.json<{ data: { query: { case: [string] }; body: unknown; params: unknown; method: string; path: string } }>().data;
      const i = Number(data.query.case[0]);
      assert.deepEqual(data.body, cases[i]!.expected, `case ${i}`);
      assert.equal(data.params, null, 'async http.request has params null');
      assert.equal(data.method, 'PUT');
      assert.equal(data.path, '/raw');
    }
  });

  test('sync http.request on the root path has params null', async () => {
    await sub(gw.config, { id: 'http-root', fnPath: 'http-root', fnUrl: fn.url, eventType: 'http.request', type: 'sync', path: '/', method: 'GET' });
    const res = await send(`${gw.events}/`, { method: 'GET' });
    assert.equal(res.status, 200);
    const data = (await onlyCall(fn, '/http-root')).json<{ data: Record<string, unknown> }>().data;
    assert.equal(data['params'], null);
    assert.deepEqual(data['query'], {});
    assert.equal(data['body'], '');
  });
});

describe('envelope 0.1: events the gateway makes are CloudEvents 0.1', () => {
  let gw: RunningGateway;
  let fn: FunctionServer;

  before(async () => {
    ({ gw, fn } = await startGatewayAndFunction(HTTP_OK, { envelope: '0.1' }));
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  test('http.request is 0.1 with the original\'s transformed extensions and field order', async () => {
    await sub(gw.config, { id: 'env01', fnPath: 'env01', fnUrl: fn.url, eventType: 'http.request', type: 'sync', path: '/orders/:id' });
    const res = await send(`${gw.events}/orders/7?q=a`, { headers: { 'content-type': 'application/json' }, body: '{"total":3}' });
    assert.equal(res.status, 200);
    const got = (await onlyCall(fn, '/env01')).json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(got), ['eventType', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'extensions', 'contentType', 'data']);
    assert.equal(got['eventType'], 'http.request');
    assert.equal(got['cloudEventsVersion'], '0.1');
    assert.equal(got['source'], GATEWAY_EVENT_SOURCE);
    assert.deepEqual(got['extensions'], { eventgateway: { transformed: 'true', 'transformation-version': '0.1' } });
    assert.equal(got['contentType'], 'application/json');
    const data = got['data'] as Record<string, unknown>;
    assert.deepEqual(data['body'], { total: 3 });
    assert.deepEqual(data['query'], { q: ['a'] });
    assert.deepEqual(data['params'], { id: '7' });
  });

  test('a CloudEvents 1.0 event still arrives as 1.0 under the 0.1 envelope', async () => {
    await sub(gw.config, { id: 'env01-ce1', fnPath: 'env01ce1', fnUrl: fn.url, eventType: 'still.one', type: 'async', path: '/one' });
    const event = cloudEvent('still.one', { data: { v: 1 } });
    const res = await emit(gw.events, '/one', event);
    assert.equal(res.status, 202);
    assert.deepEqual((await onlyCall(fn, '/env01ce1')).json(), event);
  });
});

/**
 * CORS on the Events API at runtime (reference §6), configured through the Config API (§3.4).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { FunctionServer, RawResponse, RunningGateway } from './helpers.ts';
import { api, callsTo, send, sleep, startGatewayAndFunction, subscribe, waitFor } from './helpers.ts';

const CORS = '/v1/spaces/default/cors';
const VARY_PREFLIGHT = ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'];

function vary(headers: IncomingHttpHeaders): string[] {
  return String(headers['vary'] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function corsHeaders(res: RawResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (name.startsWith('access-control-')) out[name] = String(value);
  return out;
}

function preflight(url: string, method: string, origin?: string, requestHeaders?: string): Promise<RawResponse> {
  return send(url, {
    method: 'OPTIONS',
    headers: {
      'access-control-request-method': method,
      ...(origin === undefined ? {} : { origin }),
      ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
    },
  });
}

describe('CORS at runtime', () => {
  let gw: RunningGateway;
  let fn: FunctionServer;

  before(async () => {
    ({ gw, fn } = await startGatewayAndFunction({ statusCode: 200, headers: { 'x-from': 'function' }, body: 'processed' }));
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  async function cors(body: Record<string, unknown>): Promise<{ corsId: string }> {
    const res = await api<{ corsId: string }>(gw.config, 'POST', CORS, body);
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  test('no CORS config: a preflight is an ordinary http.request event (202, no CORS headers)', async () => {
    await subscribe(gw.config, { functionId: 'options-fn', url: `${fn.url}options`, eventType: 'http.request', type: 'async', path: '/nocors', method: 'OPTIONS' });
    const res = await preflight(`${gw.events}/nocors`, 'GET', 'http://app.example');
    assert.equal(res.status, 202);
    assert.equal(res.body, '');
    assert.deepEqual(corsHeaders(res), {});
    await waitFor(() => callsTo(fn, '/options').length === 1, 3000, 'the OPTIONS event');
    const data = callsTo(fn, '/options')[0]!.json<{ type: string; data: { method: string; headers: Record<string, string> } }>();
    assert.equal(data.type, 'http.request');
    assert.equal(data.data.method, 'OPTIONS');
    assert.equal(data.data.headers['Access-Control-Request-Method'], 'GET');
  });

  test('preflight with an allowed origin: 200, no body, the requested method and canonicalised headers; the pipeline does not run', async () => {
    const created = await cors({ method: 'GET', path: '/cors/items', allowedOrigins: ['http://allowed.example', 'http://*.wild.example'], allowedHeaders: ['X-Api-Key', 'content-type'] });
    assert.equal(created.corsId, 'GET%2Fcors%2Fitems');
    // An OPTIONS subscriber on the same path would see the preflight if the pipeline ran.
    await subscribe(gw.config, { functionId: 'cors-options', url: `${fn.url}cors-options`, eventType: 'http.request', type: 'async', path: '/cors/items', method: 'OPTIONS' });

    const res = await preflight(`${gw.events}/cors/items`, 'get', 'http://allowed.example', 'x-api-key, Content-Type');
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    for (const v of VARY_PREFLIGHT) assert.ok(vary(res.headers).includes(v), `Vary has ${v}: ${res.headers['vary']}`);
    assert.deepEqual(corsHeaders(res), {
      'access-control-allow-origin': 'http://allowed.example',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'X-Api-Key, Content-Type',
    });

    // Origin is always allowed as a requested header; the wildcard entry matches a subdomain.
    const wild = await preflight(`${gw.events}/cors/items`, 'GET', 'http://shop.wild.example', 'origin');
    assert.equal(wild.headers['access-control-allow-origin'], 'http://shop.wild.example');
    assert.equal(wild.headers['access-control-allow-headers'], 'Origin');

    // Sentinel: a plain OPTIONS (not a preflight) does reach the pipeline; only it is delivered.
    assert.equal((await send(`${gw.events}/cors/items`, { method: 'OPTIONS' })).status, 202);
    await waitFor(() => callsTo(fn, '/cors-options').length >= 1, 3000, 'the sentinel OPTIONS');
    await sleep(100);
    assert.equal(callsTo(fn, '/cors-options').length, 1, 'preflights never became events');
  });

  test('preflight denied (origin, header, method, no Origin): 200 with only Vary', async () => {
    await cors({ method: 'GET', path: '/cors/denied', allowedOrigins: ['http://allowed.example', 'http://*.wild.example'], allowedHeaders: ['X-Api-Key'] });
    const url = `${gw.events}/cors/denied`;
    const cases: [string, Promise<RawResponse>][] = [
      ['origin not allowed', preflight(url, 'GET', 'http://evil.example')],
      ['wildcard does not match another domain', preflight(url, 'GET', 'http://wild.example.evil')],
      ['header not allowed', preflight(url, 'GET', 'http://allowed.example', 'x-other')],
      ['no Origin', preflight(url, 'GET')],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      assert.equal(res.status, 200, what);
      assert.equal(res.body, '', what);
      for (const v of VARY_PREFLIGHT) assert.ok(vary(res.headers).includes(v), `${what}: Vary has ${v}`);
      assert.deepEqual(corsHeaders(res), {}, what);
    }
    // A config for PUT with the default allowed methods (HEAD, GET, POST) refuses the PUT it is looked up by.
    await cors({ method: 'PUT', path: '/cors/denied', allowedOrigins: ['*'] });
    const put = await preflight(url, 'PUT', 'http://allowed.example');
    assert.equal(put.status, 200);
    assert.deepEqual(corsHeaders(put), {});
  });

  test('defaults (all origins, no credentials) answer `*`; with credentials the origin is echoed and credentials allowed', async () => {
    await cors({ method: 'POST', path: '/cors/open' });
    const open = await preflight(`${gw.events}/cors/open`, 'POST', 'http://anyone.example', 'content-type');
    assert.deepEqual(corsHeaders(open), {
      'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'Content-Type',
    });
    await cors({ method: 'POST', path: '/cors/creds', allowCredentials: true });
    const creds = await preflight(`${gw.events}/cors/creds`, 'POST', 'http://anyone.example');
    assert.deepEqual(corsHeaders(creds), {
      'access-control-allow-origin': 'http://anyone.example', 'access-control-allow-methods': 'POST', 'access-control-allow-credentials': 'true',
    });
  });

  test('CORS paths use the path tree: a :param config covers every value', async () => {
    await cors({ method: 'GET', path: '/cors/users/:id', allowedOrigins: ['http://allowed.example'] });
    const res = await preflight(`${gw.events}/cors/users/42`, 'GET', 'http://allowed.example');
    assert.equal(res.headers['access-control-allow-origin'], 'http://allowed.example');
    const miss = await preflight(`${gw.events}/cors/users/42/more`, 'GET', 'http://allowed.example');
    assert.equal(miss.status, 202, 'no config for the deeper path: an ordinary event');
  });

  test('actual requests get Vary: Origin and the allow headers, and are processed whether or not CORS allows them', async () => {
    await cors({ method: 'GET', path: '/cors/actual', allowedOrigins: ['http://allowed.example'], allowCredentials: true });
    await subscribe(gw.config, { functionId: 'cors-actual', url: `${fn.url}cors-actual`, eventType: 'http.request', type: 'sync', path: '/cors/actual', method: 'GET' });

    const allowed = await send(`${gw.events}/cors/actual`, { method: 'GET', headers: { origin: 'http://allowed.example' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.body, 'processed');
    assert.equal(allowed.headers['x-from'], 'function');
    assert.ok(vary(allowed.headers).includes('Origin'));
    assert.deepEqual(corsHeaders(allowed), { 'access-control-allow-origin': 'http://allowed.example', 'access-control-allow-credentials': 'true' });

    const denied = await send(`${gw.events}/cors/actual`, { method: 'GET', headers: { origin: 'http://evil.example' } });
    assert.equal(denied.status, 200);
    assert.equal(denied.body, 'processed', 'the request is processed even when CORS rejects it');
    assert.ok(vary(denied.headers).includes('Origin'));
    assert.deepEqual(corsHeaders(denied), {});

    const noOrigin = await send(`${gw.events}/cors/actual`, { method: 'GET' });
    assert.equal(noOrigin.body, 'processed');
    assert.deepEqual(corsHeaders(noOrigin), {});
    assert.equal(callsTo(fn, '/cors-actual').length, 3);
  });

  test('a CORS update takes effect at once (fixed quirk)', async () => {
    await cors({ method: 'GET', path: '/cors/update', allowedOrigins: ['http://old.example'] });
    assert.equal((await preflight(`${gw.events}/cors/update`, 'GET', 'http://old.example')).headers['access-control-allow-origin'], 'http://old.example');
    const put = await api(gw.config, 'PUT', `${CORS}/GET%2Fcors%2Fupdate`, { method: 'GET', path: '/cors/update', allowedOrigins: ['http://new.example'], allowedHeaders: ['X-New'] });
    assert.equal(put.status, 200, put.text);
    const fresh = await preflight(`${gw.events}/cors/update`, 'GET', 'http://new.example', 'x-new');
    assert.deepEqual(corsHeaders(fresh), { 'access-control-allow-origin': 'http://new.example', 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'X-New' });
    assert.deepEqual(corsHeaders(await preflight(`${gw.events}/cors/update`, 'GET', 'http://old.example')), {});
  });

  test('CORS ids with %2F through the Config API: get, list, delete; after delete preflights are ordinary events', async () => {
    const created = await cors({ method: 'POST', path: '/cors/ids/:id', allowedOrigins: ['http://ids.example'] });
    assert.equal(created.corsId, 'POST%2Fcors%2Fids%2F:id');
    const got = await api<{ corsId: string; path: string }>(gw.config, 'GET', `${CORS}/POST%2Fcors%2Fids%2F:id`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.corsId, 'POST%2Fcors%2Fids%2F:id');
    assert.equal(got.body.path, '/cors/ids/:id');
    const list = await api<{ cors: { corsId: string }[] }>(gw.config, 'GET', CORS);
    assert.ok(list.body.cors.some((c) => c.corsId === 'POST%2Fcors%2Fids%2F:id'));
    assert.equal((await preflight(`${gw.events}/cors/ids/9`, 'POST', 'http://ids.example')).headers['access-control-allow-origin'], 'http://ids.example');

    assert.equal((await api(gw.config, 'DELETE', `${CORS}/POST%2Fcors%2Fids%2F:id`)).status, 204);
    assert.equal((await api(gw.config, 'GET', `${CORS}/POST%2Fcors%2Fids%2F:id`)).status, 404);
    const after = await preflight(`${gw.events}/cors/ids/9`, 'POST', 'http://ids.example');
    assert.equal(after.status, 202);
    assert.deepEqual(corsHeaders(after), {});
  });
});

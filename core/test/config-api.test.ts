import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { MemoryStore } from '../src/embedded/memory-store.ts';
import { errorText, seed, SPACE, startApi, type TestApi } from './config-helpers.ts';

describe('Config API: system endpoints and routing (reference §2.2, §3)', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(() => api.close());

  test('GET /v1/status: 200, empty body', async () => {
    const res = await api.request('GET', '/v1/status');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  test('GET /v1/metrics: 200, Prometheus text, empty without a metrics plugin', async () => {
    const res = await api.request('GET', '/v1/metrics');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
    assert.equal(res.text, '');
  });

  test('GET /v1/spaces lists the spaces in use', async () => {
    assert.equal((await api.request('GET', '/v1/spaces')).text, '{"spaces":[]}\n');
    await seed(api, 'default');
    await seed(api, 'alpha');
    const res = await api.request('GET', '/v1/spaces');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.text, '{"spaces":["alpha","default"]}\n');
  });

  test('unknown paths: 404 "404 page not found\\n" as text/plain', async () => {
    for (const path of ['/', '/v1', '/v1/spaces/default', '/v1/spaces/default/nope', '/v2/status', '/v1/spaces/default/functions/a/b']) {
      const res = await api.request('GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(res.text, '404 page not found\n');
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    }
  });

  test('known path, wrong method: 405 "Method Not Allowed\\n"', async () => {
    for (const [method, path] of [['PATCH', `${SPACE}/functions`], ['PUT', `${SPACE}/eventtypes`], ['POST', `${SPACE}/cors/GET%2Fx`], ['DELETE', '/v1/status'], ['POST', '/v1/spaces']]) {
      const res = await api.request(method!, path!);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.text, 'Method Not Allowed\n');
    }
  });

  test('list endpoints accept a bare trailing "?" and ignore an Authorization header', async () => {
    for (const kind of ['eventtypes', 'functions', 'subscriptions', 'cors']) {
      const res = await api.request('GET', `${SPACE}/${kind}?`, undefined, { Authorization: 'bearer secret' });
      assert.equal(res.status, 200, kind);
    }
  });

  test('a trailing slash or a different case is served like the redirect target', async () => {
    assert.equal((await api.request('GET', `${SPACE}/functions/`)).status, 200);
    assert.equal((await api.request('GET', '/V1/Spaces/default/functions')).status, 200);
  });
});

describe('Config API: bad input never crashes the process', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi({ bodyLimit: 1024 });
  });
  after(() => api.close());

  test('malformed JSON: 400 with Go decoder text, per resource', async () => {
    const cases: [string, string, string][] = [
      ['eventtypes', '{"name":', "Event Type doesn't validate. Validation error: unexpected EOF"],
      ['functions', '', "Function doesn't validate. Validation error: EOF"],
      ['subscriptions', '{x}', "Subscription doesn't validate. Validation error: invalid character 'x' looking for beginning of object key string"],
      ['cors', 'nope', "CORS configuration doesn't validate. Validation error: invalid character 'o' in literal null (expecting 'u')"],
    ];
    for (const [kind, body, message] of cases) {
      const res = await api.request('POST', `${SPACE}/${kind}`, body);
      assert.equal(res.status, 400, kind);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.text, errorText(message));
    }
    const put = await api.request('PUT', `${SPACE}/functions/f`, '[');
    assert.equal(put.text, errorText("Function doesn't validate. Validation error: unexpected EOF"));
  });

  test('oversized body: 413 JSON error', async () => {
    const res = await api.request('POST', `${SPACE}/eventtypes`, JSON.stringify({ name: 'x'.repeat(2048) }));
    assert.equal(res.status, 413);
    assert.equal(res.text, errorText('Request body too large: the limit is 1024 bytes.'));
    assert.equal((await api.request('GET', '/v1/status')).status, 200);
  });

  test('oversized chunked body: 413', async () => {
    const url = new URL(`${api.url}${SPACE}/eventtypes`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('x'.repeat(512));
      req.end();
    });
    assert.equal(status, 413);
  });

  test('JSON values of every kind where an object is expected', async () => {
    for (const body of ['[]', '"x"', '1', 'true']) {
      const res = await api.request('POST', `${SPACE}/eventtypes`, body);
      assert.equal(res.status, 400, body);
      assert.match(String((res.body as { errors: { message: string }[] }).errors[0]?.message), /json: cannot unmarshal \w+ into Go value of type event\.Type$/);
    }
  });
});

describe('Config API: store failures and extension', () => {
  test('a failing store gives 500 with a JSON error, and is logged', async () => {
    const store = new MemoryStore();
    store.list = () => Promise.reject(new Error('disk on fire'));
    const api = await startApi({ store });
    try {
      const res = await api.request('GET', `${SPACE}/functions`);
      assert.equal(res.status, 500);
      assert.equal(res.text, errorText('Internal Server Error'));
      assert.ok(api.logged.some((l) => l.level === 'error'));
    } finally {
      await api.close();
    }
  });

  test('extend: routes added first win (a /v1/metrics override), new routes work', async () => {
    const api = await startApi({
      extend: (router) => {
        router.get('/v1/metrics', (ctx) => {
          ctx.set('Content-Type', 'text/plain; version=0.0.4');
          ctx.body = 'eventgateway_functions_total 1\n';
        });
        router.get('/v1/apikeys', (ctx) => {
          ctx.body = { keys: [] };
        });
      },
    });
    try {
      assert.equal((await api.request('GET', '/v1/metrics')).text, 'eventgateway_functions_total 1\n');
      assert.equal((await api.request('GET', '/v1/apikeys')).status, 200);
    } finally {
      await api.close();
    }
  });

  test('draining: writes and /v1/status get 503, reads still work', async () => {
    let draining = false;
    const api = await startApi({ isDraining: () => draining });
    try {
      await seed(api);
      draining = true;
      const write = await api.request('POST', `${SPACE}/eventtypes`, { name: 'x' });
      assert.equal(write.status, 503);
      assert.equal(write.text, errorText('Service Unavailable'));
      assert.equal((await api.request('GET', '/v1/status')).status, 503);
      assert.equal((await api.request('GET', `${SPACE}/functions`)).status, 200);
    } finally {
      await api.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { errorText, SPACE, startApi, type TestApi } from './config-helpers.ts';

const CORS = "CORS configuration doesn't validate. Validation error: ";
const DEFAULTS = '"allowedOrigins":["*"],"allowedMethods":["HEAD","GET","POST"],"allowedHeaders":["Origin","Accept","Content-Type"],"allowCredentials":false';

describe('Config API: CORS configurations (reference §3.4)', () => {
  let api: TestApi;
  beforeEach(async () => {
    await api?.close();
    api = await startApi();
  });
  after(() => api.close());

  test('create: 201, id method+PathEscape(path), defaults for empty lists', async () => {
    const res = await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/test', allowedOrigins: [], corsId: 'ignored' });
    assert.equal(res.status, 201);
    assert.equal(res.text, `{"space":"default","corsId":"GET%2Ftest","method":"GET","path":"/test",${DEFAULTS}}\n`);
    const custom = await api.request('POST', `${SPACE}/cors`, {
      method: 'POST', path: '/users/:id', allowedOrigins: ['http://*.example.com'], allowedMethods: ['POST'], allowedHeaders: ['X-Api-Key'], allowCredentials: true, metadata: { k: 'v' },
    });
    assert.equal(custom.text, '{"space":"default","corsId":"POST%2Fusers%2F:id","method":"POST","path":"/users/:id","allowedOrigins":["http://*.example.com"],' +
      '"allowedMethods":["POST"],"allowedHeaders":["X-Api-Key"],"allowCredentials":true,"metadata":{"k":"v"}}\n');
  });

  test('create: 409 `CORS configuration "GET%2Ftest" already exists.`', async () => {
    await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/test' });
    const res = await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/test' });
    assert.equal(res.status, 409);
    assert.equal(res.text, errorText('CORS configuration "GET%2Ftest" already exists.'));
  });

  test('validation: method exact (not upper-cased), path absolute (not prefixed), space', async () => {
    const methodTag = "Key: 'CORS.Method' Error:Field validation for 'Method' failed on the 'eq=GET|eq=POST|eq=DELETE|eq=PUT|eq=PATCH|eq=HEAD|eq=OPTIONS' tag";
    const pathTag = "Key: 'CORS.Path' Error:Field validation for 'Path' failed on the 'path' tag";
    assert.equal((await api.request('POST', `${SPACE}/cors`, { method: 'get', path: '/x' })).text, errorText(CORS + methodTag));
    assert.equal((await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: 'x' })).text, errorText(CORS + pathTag));
    assert.equal((await api.request('POST', '/v1/spaces/ab/cors', {})).text, errorText(CORS + [
      "Key: 'CORS.Space' Error:Field validation for 'Space' failed on the 'min' tag", methodTag, pathTag,
    ].join('\n')));
  });

  test('get, update and delete by the raw id segment (GET%2Ftest)', async () => {
    await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/test' });
    const got = await api.request('GET', `${SPACE}/cors/GET%2Ftest`);
    assert.equal(got.status, 200);
    assert.equal((got.body as { corsId: string }).corsId, 'GET%2Ftest');
    const updated = await api.request('PUT', `${SPACE}/cors/GET%2Ftest`, { corsId: 'x', method: 'GET', path: '/test', allowedOrigins: ['http://a.example'] });
    assert.equal(updated.status, 200);
    assert.equal(updated.text, '{"space":"default","corsId":"GET%2Ftest","method":"GET","path":"/test","allowedOrigins":["http://a.example"],' +
      '"allowedMethods":["HEAD","GET","POST"],"allowedHeaders":["Origin","Accept","Content-Type"],"allowCredentials":false}\n');
    assert.equal((await api.request('GET', `${SPACE}/cors?`)).text, `{"cors":[${updated.text.trim()}]}\n`);
    const deleted = await api.request('DELETE', `${SPACE}/cors/GET%2Ftest`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
  });

  test('404 `CORS configuration "GET%2Ftest" not found.` for get, update and delete', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await api.request(method, `${SPACE}/cors/GET%2Ftest`, method === 'PUT' ? { method: 'GET', path: '/test' } : undefined);
      assert.equal(res.status, 404, method);
      assert.equal(res.text, errorText('CORS configuration "GET%2Ftest" not found.'));
    }
  });

  test('ids with params and unescaped path characters', async () => {
    await api.request('POST', `${SPACE}/cors`, { method: 'POST', path: '/users/:id' });
    assert.equal((await api.request('GET', `${SPACE}/cors/POST%2Fusers%2F:id`)).status, 200);
    assert.equal((await api.request('GET', `${SPACE}/cors/GET/test`)).status, 404);
  });

  test('update changing method or path: 400 (fixed quirk); validation before existence', async () => {
    await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/test' });
    const method = await api.request('PUT', `${SPACE}/cors/GET%2Ftest`, { method: 'PUT', path: '/test' });
    assert.equal(method.status, 400);
    assert.equal(method.text, errorText("Invalid update. 'Method' of existing CORS configuration cannot be updated."));
    const path = await api.request('PUT', `${SPACE}/cors/GET%2Ftest`, { method: 'GET', path: '/test1' });
    assert.equal(path.status, 400);
    assert.equal(path.text, errorText("Invalid update. 'Path' of existing CORS configuration cannot be updated."));
    assert.equal((await api.request('PUT', `${SPACE}/cors/nope`, { method: 'nope' })).status, 400);
  });

  test('list with metadata filters', async () => {
    await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/a', metadata: { team: 'x' } });
    await api.request('POST', `${SPACE}/cors`, { method: 'GET', path: '/b' });
    const res = await api.request('GET', `${SPACE}/cors?metadata.team=x`);
    assert.deepEqual((res.body as { cors: { path: string }[] }).cors.map((c) => c.path), ['/a']);
  });
});

import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { errorText, seed, SPACE, startApi, type TestApi } from './config-helpers.ts';

const SUB = "Subscription doesn't validate. Validation error: ";
const ASYNC_ID = 'YXN5bmMsdGVzdC5ldmVudCx0ZXN0LCUyRixQT1NU';
const fieldError = (field: string, tag: string): string => `Key: 'Subscription.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`;

describe('Config API: subscriptions (reference §3.3)', () => {
  let api: TestApi;
  const create = (body: unknown, space = 'default') => api.request('POST', `/v1/spaces/${space}/subscriptions`, body);
  beforeEach(async () => {
    await api?.close();
    api = await startApi();
    await seed(api);
  });
  after(() => api.close());

  test('create: 201, deterministic id, defaults (path /, method POST), output shape', async () => {
    const res = await create({ type: 'async', eventType: 'test.event', functionId: 'test', subscriptionId: 'ignored', space: 'ignored' });
    assert.equal(res.status, 201);
    assert.equal(res.text, `{"space":"default","subscriptionId":"${ASYNC_ID}","type":"async","eventType":"test.event","functionId":"test","path":"/","method":"POST"}\n`);
    assert.equal((await api.request('GET', `${SPACE}/subscriptions/${ASYNC_ID}`)).text, res.text);
    assert.equal((await api.request('GET', `${SPACE}/subscriptions?`)).text, `{"subscriptions":[${res.text.trim()}]}\n`);
  });

  test('normalisation: a leading / added, the method upper-cased; the id uses the normalised values', async () => {
    const res = await create({ type: 'sync', eventType: 'test.event', functionId: 'test', path: 'users/:id', method: 'get', metadata: { k: 'v' } });
    assert.equal(res.status, 201);
    const sub = res.body as Record<string, string>;
    assert.equal(sub['path'], '/users/:id');
    assert.equal(sub['method'], 'GET');
    assert.equal(Buffer.from(sub['subscriptionId']!, 'base64url').toString(), 'sync,test.event,%2Fusers%2F:id,GET');
    assert.deepEqual(sub['metadata'], { k: 'v' });
  });

  test('validation: the SDK-asserted Type message, the other tags, several joined with \\n', async () => {
    assert.equal((await create({ eventType: 'test.event', functionId: 'test' })).text, errorText(SUB + fieldError('Type', 'required')));
    assert.equal((await create({ type: 'later', eventType: 'test.event', functionId: 'test' })).text, errorText(SUB + fieldError('Type', 'eq=async|eq=sync')));
    assert.equal((await create({ type: 'async', eventType: 'bad type', functionId: 'test' })).text, errorText(SUB + fieldError('EventType', 'eventType')));
    assert.equal((await create({ type: 'async', eventType: 'test.event', functionId: 'test', method: 'FETCH' })).text,
      errorText(SUB + fieldError('Method', 'eq=GET|eq=POST|eq=DELETE|eq=PUT|eq=PATCH|eq=HEAD|eq=OPTIONS')));
    const all = await create({}, 'ab');
    assert.equal(all.status, 400);
    assert.equal(all.text, errorText(SUB + [
      "Key: 'Subscription.Space' Error:Field validation for 'Space' failed on the 'min' tag",
      fieldError('Type', 'required'), fieldError('EventType', 'required'), fieldError('FunctionID', 'required'),
    ].join('\n')));
  });

  test('create order: validate, exists (409), path conflict, event type (400), function (400)', async () => {
    await create({ type: 'async', eventType: 'test.event', functionId: 'test' });
    const dup = await create({ type: 'async', eventType: 'test.event', functionId: 'test', path: '/' });
    assert.equal(dup.status, 409);
    assert.equal(dup.text, errorText(`Subscription "${ASYNC_ID}" already exists.`));
    const noType = await create({ type: 'async', eventType: 'nope', functionId: 'missing-func' });
    assert.equal(noType.status, 400);
    assert.equal(noType.text, errorText('Event Type "nope" not found.'));
    const noFn = await create({ type: 'async', eventType: 'test.event', functionId: 'missing-func' });
    assert.equal(noFn.status, 400);
    assert.equal(noFn.text, errorText('Function "missing-func" not found.'));
  });

  test('sync: a second subscription on the same route is 409 (not a conflict), whatever the function', async () => {
    await api.request('POST', `${SPACE}/functions`, { functionId: 'other', type: 'http', provider: { url: 'http://o.example' } });
    assert.equal((await create({ type: 'sync', eventType: 'test.event', functionId: 'test' })).status, 201);
    const res = await create({ type: 'sync', eventType: 'test.event', functionId: 'other' });
    assert.equal(res.status, 409);
    assert.equal(res.text, errorText('Subscription "c3luYyx0ZXN0LmV2ZW50LCUyRixQT1NU" already exists.'));
  });

  test('sync path conflicts: 400 with the path tree message; checked before the function', async () => {
    const sync = (path: string, extra: Record<string, string> = {}) => create({ type: 'sync', eventType: 'test.event', functionId: 'test', path, ...extra });
    assert.equal((await sync('/:foo')).status, 201);
    const param = await sync('/:bar');
    assert.equal(param.status, 400);
    assert.equal(param.text, errorText('Subscription path conflict: parameter with different name ("foo") already defined: for route: /:bar'));
    assert.equal((await sync('/bar')).text, errorText('Subscription path conflict: parameter with different name ("foo") already defined: for route: /bar'));
    assert.equal((await sync('/*rest')).text, errorText('Subscription path conflict: wildcard with different name ("foo") already defined: for route: /*rest'));
    assert.equal((await sync('/:foo/*w/x')).text, errorText('Subscription path conflict: wildcard must be the last parameter'));
    const conflictFirst = await create({ type: 'sync', eventType: 'test.event', functionId: 'missing-func', path: '/:bar' });
    assert.equal(conflictFirst.text, errorText('Subscription path conflict: parameter with different name ("foo") already defined: for route: /:bar'));
    const otherType = await create({ type: 'sync', eventType: 'missing.type', functionId: 'test', path: '/:bar' });
    assert.equal(otherType.text, errorText('Event Type "missing.type" not found.')); // another event type: no conflict
    // other method, other event type, async and other spaces do not conflict
    assert.equal((await sync('/bar', { method: 'GET' })).status, 201);
    assert.equal((await create({ type: 'async', eventType: 'test.event', functionId: 'test', path: '/bar' })).status, 201);
    await seed(api, 'other');
    assert.equal((await create({ type: 'sync', eventType: 'test.event', functionId: 'test', path: '/bar' }, 'other')).status, 201);
  });

  test('sync static routes: siblings coexist, a param beside a static conflicts', async () => {
    const sync = (path: string) => create({ type: 'sync', eventType: 'test.event', functionId: 'test', path });
    for (const p of ['/a', '/b', '/a/b', '/a/']) assert.equal((await sync(p)).status, 201, p);
    assert.equal((await sync('/:id')).text, errorText('Subscription path conflict: static route already defined for route: /:id'));
  });

  test('update: only metadata may change; 404; function checked; id from the URL', async () => {
    const base = { type: 'async', eventType: 'test.event', functionId: 'test' };
    await create(base);
    const ok = await api.request('PUT', `${SPACE}/subscriptions/${ASYNC_ID}`, { ...base, method: 'post', path: '', metadata: { v: '2' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { space: 'default', subscriptionId: ASYNC_ID, ...base, path: '/', method: 'POST', metadata: { v: '2' } });
    const changes: [Record<string, string>, string][] = [
      [{ type: 'sync' }, 'Type'], [{ eventType: 'other' }, 'EventType'], [{ functionId: 'other' }, 'FunctionID'], [{ path: '/x' }, 'Path'], [{ method: 'GET' }, 'Method'],
    ];
    for (const [change, field] of changes) {
      const res = await api.request('PUT', `${SPACE}/subscriptions/${ASYNC_ID}`, { ...base, ...change });
      assert.equal(res.status, 400, field);
      assert.equal(res.text, errorText(`Invalid update. '${field}' of existing subscription cannot be updated.`));
    }
    const missing = await api.request('PUT', `${SPACE}/subscriptions/xxx`, base);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, errorText('Subscription "xxx" not found.'));
    assert.equal((await api.request('PUT', `${SPACE}/subscriptions/xxx`, {})).status, 400);
    await api.request('DELETE', `${SPACE}/subscriptions/${ASYNC_ID}`);
    await api.store.create('subscriptions', 'default', ASYNC_ID, { space: 'default', subscriptionId: ASYNC_ID, ...base, functionId: 'gone', path: '/', method: 'POST' });
    const noFn = await api.request('PUT', `${SPACE}/subscriptions/${ASYNC_ID}`, { ...base, functionId: 'gone' });
    assert.equal(noFn.status, 400);
    assert.equal(noFn.text, errorText('Function "gone" not found.'));
  });

  test('get and delete: 404 `Subscription "xxx" not found.`; delete 204', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await api.request(method, `${SPACE}/subscriptions/xxx`);
      assert.equal(res.status, 404);
      assert.equal(res.text, errorText('Subscription "xxx" not found.'));
    }
    await create({ type: 'async', eventType: 'test.event', functionId: 'test' });
    const res = await api.request('DELETE', `${SPACE}/subscriptions/${ASYNC_ID}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
  });

  test('list with metadata filters', async () => {
    await create({ type: 'async', eventType: 'test.event', functionId: 'test', metadata: { team: 'x' } });
    await create({ type: 'async', eventType: 'test.event', functionId: 'test', path: '/b' });
    const res = await api.request('GET', `${SPACE}/subscriptions?metadata.team=x`);
    assert.deepEqual((res.body as { subscriptions: { path: string }[] }).subscriptions.map((s) => s.path), ['/']);
  });
});

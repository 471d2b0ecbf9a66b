/**
 * The Config API through the SDK against the real default distribution: every collection's create, get, list (with
 * metadata filters), update and delete, what the server stored, its error messages, ids with odd characters, and
 * the deterministic ids computed client-side.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { corsId, subscriptionId, SwitchyardError } from '../src/index.ts';
import type { Switchyard } from '../src/index.ts';
import { startHarness } from './helpers.ts';
import type { Harness } from './helpers.ts';

/** The rejection of `promise`, checked to be a `SwitchyardError` with this status and first message. */
async function rejection(promise: Promise<unknown>, status: number, message?: string | RegExp): Promise<SwitchyardError> {
  const err = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(err instanceof SwitchyardError, String(err));
  assert.equal(err.kind, 'http');
  assert.equal(err.status, status, err.message);
  if (typeof message === 'string') assert.equal(err.messages[0], message);
  else if (message) assert.match(err.messages[0] ?? '', message);
  return err;
}

describe('Config API', () => {
  let h: Harness;
  let sy: Switchyard;
  before(async () => {
    h = await startHarness();
    sy = h.sy;
  });
  after(() => h.close());

  test('functions: create, get, list with metadata filters, update, delete', async () => {
    const created = await sy.functions.create({
      functionId: 'fn.a', type: 'http', provider: { url: 'http://127.0.0.1:1/a' }, metadata: { team: 'x y&z', tier: '1' },
    });
    assert.deepEqual(created, {
      space: 'default', functionId: 'fn.a', type: 'http', provider: { url: 'http://127.0.0.1:1/a' }, metadata: { team: 'x y&z', tier: '1' },
    });
    await sy.functions.create({ functionId: 'fn-b', type: 'http', provider: { url: 'http://127.0.0.1:1/b' }, metadata: { team: 'other' } });
    assert.deepEqual(await sy.functions.get('fn.a'), created);
    assert.deepEqual((await sy.functions.list()).map((f) => f.functionId), ['fn-b', 'fn.a']);
    assert.deepEqual((await sy.functions.list({ metadata: { team: 'x y&z' } })).map((f) => f.functionId), ['fn.a']);
    assert.deepEqual((await sy.functions.list({ metadata: { team: 'x y&z', tier: '2' } })), []);

    const updated = await sy.functions.update('fn.a', { type: 'http', provider: { url: 'http://127.0.0.1:1/a2', timeout: 1000 } });
    assert.deepEqual(updated, { space: 'default', functionId: 'fn.a', type: 'http', provider: { url: 'http://127.0.0.1:1/a2', timeout: 1000 } });
    assert.deepEqual(await sy.functions.get('fn.a'), updated);

    await rejection(sy.functions.create({ functionId: 'fn.a', type: 'http', provider: { url: 'http://127.0.0.1:1/' } }), 409, 'Function "fn.a" already registered.');
    await sy.functions.delete('fn.a');
    const err = await rejection(sy.functions.get('fn.a'), 404, 'Function "fn.a" not found.');
    assert.equal(err.method, 'GET');
    assert.equal(err.url, `${h.configUrl}/v1/spaces/default/functions/fn.a`);
    await rejection(sy.functions.delete('fn.a'), 404, 'Function "fn.a" not found.');
    await rejection(
      sy.functions.create({ functionId: 'bad', type: 'http', provider: {} }),
      400, "Function doesn't validate. Validation error: missing required fields for HTTP endpoint",
    );
    await sy.functions.delete('fn-b');
  });

  test('event types: schema and transform fields; names with odd characters round-trip', async () => {
    const names = ['user.created', 'a/b c', '100%?#é', 'x&y=z+1'];
    for (const name of names) {
      const created = await sy.eventTypes.create({ name, metadata: { n: name } });
      assert.deepEqual(created, { space: 'default', name, metadata: { n: name } });
      assert.deepEqual(await sy.eventTypes.get(name), created);
      assert.deepEqual(await sy.eventTypes.list({ metadata: { n: name } }), [created]);
    }
    const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
    const updated = await sy.eventTypes.update('a/b c', { schema, transform: '{"who": name}' });
    assert.deepEqual(updated, { space: 'default', name: 'a/b c', schema, transform: '{"who": name}' });
    assert.deepEqual(await sy.eventTypes.get('a/b c'), updated);
    await rejection(
      sy.eventTypes.update('user.created', { schema: { type: 'object', propertise: {} } }),
      400, /^Event Type doesn't validate\. Validation error: schema is invalid: strict mode: unknown keyword: "propertise"/,
    );
    await rejection(sy.eventTypes.create({ name: 'user.created' }), 409, 'Event Type "user.created" already exists.');
    await rejection(sy.eventTypes.get('non.existing'), 404, 'Event Type "non.existing" not found.');
    await rejection(sy.eventTypes.create({ name: 'z.z', authorizerId: 'missing' }), 400, "Authorizer function doesn't exists.");
    for (const name of names) await sy.eventTypes.delete(name);
    assert.deepEqual(await sy.eventTypes.list(), []);
  });

  test('subscriptions: deterministic ids, odd paths, retryPolicy/filter/transform, update rules', async () => {
    await sy.functions.create({ functionId: 'sub-fn', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
    await sy.eventTypes.create({ name: 'order.placed' });
    await sy.eventTypes.create({ name: 'http.request' });
    const async = await sy.subscriptions.create({
      type: 'async', eventType: 'order.placed', functionId: 'sub-fn', path: 'odd path/ü;x=1,*', method: 'post',
      retryPolicy: { maxAttempts: 3, minBackoffMs: 10 }, filter: 'data.total > 10', transform: '{"total": data.total}',
      metadata: { owner: 'shop' },
    });
    assert.equal(async.subscriptionId, subscriptionId({ type: 'async', eventType: 'order.placed', functionId: 'sub-fn', path: 'odd path/ü;x=1,*', method: 'post' }));
    assert.equal(async.path, '/odd path/ü;x=1,*');
    assert.equal(async.method, 'POST');
    assert.deepEqual(async.retryPolicy, { maxAttempts: 3, minBackoffMs: 10 });
    assert.equal(async.filter, 'data.total > 10');
    assert.deepEqual(await sy.subscriptions.get(async.subscriptionId), async);

    const sync = await sy.subscriptions.create({ type: 'sync', eventType: 'http.request', functionId: 'sub-fn', path: '/users/:id', method: 'GET' });
    assert.equal(sync.subscriptionId, subscriptionId({ type: 'sync', eventType: 'http.request', path: '/users/:id', method: 'GET' }));
    assert.equal(subscriptionId({ type: 'async', eventType: 'test.event', functionId: 'test' }), 'YXN5bmMsdGVzdC5ldmVudCx0ZXN0LCUyRixQT1NU');

    assert.deepEqual((await sy.subscriptions.list({ metadata: { owner: 'shop' } })).map((s) => s.subscriptionId), [async.subscriptionId]);
    const { space: _s, subscriptionId: id, filter: _f, transform: _t, ...input } = async;
    const updated = await sy.subscriptions.update(id, { ...input, type: 'async', metadata: { owner: 'ops' }, retryPolicy: { maxAttempts: 7 } });
    assert.deepEqual(updated.metadata, { owner: 'ops' });
    assert.deepEqual(updated.retryPolicy, { maxAttempts: 7 });
    assert.equal(updated.filter, undefined, 'an update replaces the whole subscription');
    assert.deepEqual(await sy.subscriptions.get(id), updated);

    await rejection(
      sy.subscriptions.update(id, { ...input, type: 'async', path: '/elsewhere' }),
      400, "Invalid update. 'Path' of existing subscription cannot be updated.",
    );
    await rejection(
      sy.subscriptions.create({ type: 'async', eventType: 'order.placed', functionId: 'sub-fn', retryPolicy: { maxAttempts: 0 } }),
      400, "Subscription doesn't validate. Validation error: retryPolicy.maxAttempts must be an integer from 1 to 100",
    );
    await rejection(
      sy.subscriptions.create({ type: 'async', eventType: 'order.placed', functionId: 'sub-fn', filter: 'data.[' }),
      400, /^Subscription doesn't validate\. Validation error: filter: syntax error/,
    );
    await rejection(
      sy.subscriptions.create({ eventType: 'order.placed', functionId: 'sub-fn' } as never),
      400, "Subscription doesn't validate. Validation error: Key: 'Subscription.Type' Error:Field validation for 'Type' failed on the 'required' tag",
    );
    await rejection(sy.subscriptions.get('nope'), 404, 'Subscription "nope" not found.');
    await rejection(sy.eventTypes.delete('order.placed'), 400, 'Event type cannot be deleted because there are subscriptions using it.');
    await sy.subscriptions.delete(id);
    await sy.subscriptions.delete(sync.subscriptionId);
    await rejection(sy.subscriptions.delete(id), 404, `Subscription "${id}" not found.`);
    assert.deepEqual(await sy.subscriptions.list(), []);
  });

  test('CORS: ids with escaped characters are sent as they are and round-trip', async () => {
    for (const path of ['/hello', '/users/:id', '/files/a b*c', '/p$&+=@~q']) {
      const created = await sy.cors.create({ method: 'GET', path, allowedOrigins: ['https://*.example.com'] });
      assert.equal(created.corsId, corsId('GET', path));
      assert.deepEqual(created, {
        space: 'default', corsId: corsId('GET', path), method: 'GET', path, allowedOrigins: ['https://*.example.com'],
        allowedMethods: ['HEAD', 'GET', 'POST'], allowedHeaders: ['Origin', 'Accept', 'Content-Type'], allowCredentials: false,
      });
      assert.deepEqual(await sy.cors.get(created.corsId), created);
      const updated = await sy.cors.update(created.corsId, { method: 'GET', path, allowCredentials: true, metadata: { p: path } });
      assert.equal(updated.allowCredentials, true);
      assert.deepEqual(await sy.cors.list({ metadata: { p: path } }), [updated]);
      await sy.cors.delete(created.corsId);
      await rejection(sy.cors.get(created.corsId), 404, `CORS configuration "${created.corsId}" not found.`);
    }
    assert.equal(corsId('GET', '/test'), 'GET%2Ftest');
    await sy.cors.create({ method: 'GET', path: '/test' });
    await rejection(sy.cors.create({ method: 'GET', path: '/test' }), 409, 'CORS configuration "GET%2Ftest" already exists.');
    await rejection(sy.cors.update('GET%2Ftest', { method: 'POST', path: '/test' }), 400, "Invalid update. 'Method' of existing CORS configuration cannot be updated.");
    await sy.cors.delete('GET%2Ftest');
  });

  test('spaces: withSpace scopes every collection; GET /v1/spaces lists them; status and metrics', async () => {
    const shop = sy.withSpace('shop.eu');
    assert.equal(shop.space, 'shop.eu');
    await shop.functions.create({ functionId: 'f', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
    assert.deepEqual((await shop.functions.get('f')).space, 'shop.eu');
    await rejection(sy.functions.get('f'), 404);
    await sy.eventTypes.create({ name: 'kept' });
    assert.deepEqual(await sy.spaces(), ['default', 'shop.eu']);
    await rejection(sy.withSpace('ab').eventTypes.create({ name: 'x' }), 400, "Event Type doesn't validate. Validation error: Key: 'Type.Space' Error:Field validation for 'Space' failed on the 'min' tag");
    await sy.status();
    assert.match(await sy.metrics(), /eventgateway_config_requests_total/);
    await shop.functions.delete('f');
    await sy.eventTypes.delete('kept');
  });

  test('a non-JSON error body (an unknown path) gives its text as the message', async () => {
    const wrong = h.client({ configUrl: `${h.configUrl}/nowhere` });
    const err = await rejection(wrong.functions.list(), 404, '404 page not found');
    assert.deepEqual(err.messages, ['404 page not found']);
    assert.equal(err.body, '404 page not found\n');
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthPlugin, APIKEYS_KIND } from '../src/index.ts';
import type { StoredApiKey } from '../src/index.ts';
import type { FunctionServer, Running } from './helpers.ts';
import { emit10, request, setup, startDistribution, startFunction, waitFor } from './helpers.ts';

interface Created {
  space: string;
  keyId: string;
  name?: string;
  eventTypes?: string[];
  metadata?: Record<string, string>;
  createdAt: string;
  key: string;
}

async function createKey(config: string, body: unknown, space = 'default'): Promise<Created> {
  const reply = await request<Created>(`${config}/v1/spaces/${space}/apikeys`, { method: 'POST', body });
  assert.equal(reply.status, 201, reply.text);
  return reply.body;
}

describe('API keys: the Config API resource', () => {
  let gw: Running;
  before(async () => {
    gw = await startDistribution([new AuthPlugin({ apiKeys: true })]);
  });
  after(() => gw.close());

  it('create shows the key once; get and list never show it; delete revokes; 404s are JSON', async () => {
    const base = `${gw.config}/v1/spaces/default/apikeys`;
    const reply = await request<Created>(base, { method: 'POST', body: { name: 'ci', eventTypes: ['a.b'], metadata: { team: 'x' } } });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.ok(reply.text.endsWith('\n'));
    const created = reply.body;
    assert.deepEqual(Object.keys(created), ['space', 'keyId', 'name', 'eventTypes', 'metadata', 'createdAt', 'key']);
    assert.equal(created.space, 'default');
    assert.match(created.keyId, /^[0-9a-f]{16}$/);
    assert.match(created.key, new RegExp(`^sy_${created.keyId}_[A-Za-z0-9_-]{43}$`));
    assert.ok(!Number.isNaN(Date.parse(created.createdAt)));
    const { key, ...shown } = created;
    const got = await request(`${base}/${created.keyId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, shown);
    assert.ok(!got.text.includes(key) && !got.text.includes('sha256'));
    const minimal = await createKey(gw.config, undefined);
    assert.deepEqual(Object.keys(minimal), ['space', 'keyId', 'createdAt', 'key']);
    const list = await request<{ apiKeys: unknown[] }>(base);
    assert.equal(list.status, 200);
    assert.equal(list.body.apiKeys.length, 2);
    assert.ok(!list.text.includes(key) && !list.text.includes(minimal.key) && !list.text.includes('hash'));
    assert.deepEqual((await request(`${gw.config}/v1/spaces/empty/apikeys`)).body, { apiKeys: [] });
    const filtered = await request<{ apiKeys: { keyId: string }[] }>(`${base}?metadata.team=x&other=1`);
    assert.deepEqual(filtered.body.apiKeys.map((k) => k.keyId), [created.keyId]);
    assert.deepEqual((await request<{ apiKeys: unknown[] }>(`${base}?metadata.team=y`)).body.apiKeys, []);

    const deleted = await request(`${base}/${created.keyId}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    const missing = await request(`${base}/${created.keyId}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { errors: [{ message: `API key "${created.keyId}" not found.` }] });
    assert.equal((await request(`${base}/${created.keyId}`, { method: 'DELETE' })).status, 404);
    assert.equal((await request(`${base}/${created.keyId}`, { method: 'PUT', body: {} })).status, 405);
  });

  it('stores only the SHA-256 of the key, under kind "apikeys"', async () => {
    const created = await createKey(gw.config, { name: 'at-rest' });
    const entry = await gw.gateway.store.get<StoredApiKey>(APIKEYS_KIND, 'default', created.keyId);
    assert.ok(entry);
    assert.equal(entry.value.hash, `sha256:${createHash('sha256').update(created.key).digest('hex')}`);
    const secret = created.key.slice(`sy_${created.keyId}_`.length);
    assert.ok(!JSON.stringify(entry.value).includes(secret));
    assert.ok(!JSON.stringify(await gw.gateway.store.list(APIKEYS_KIND)).includes(secret));
  });

  it('refuses bad input with 400 JSON errors, and checks the space on create', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['ab', {}, /Key: 'APIKey.Space' Error:Field validation for 'Space' failed on the 'min' tag/],
      ['default', '{"name":', /^API key doesn't validate. Validation error: malformed JSON/],
      ['default', { eventTypes: 'x' }, /"eventTypes" must be an array of event type names/],
      ['default', { metadata: { a: 1 } }, /"metadata" must be an object of strings/],
    ];
    for (const [space, body, message] of cases) {
      const reply = await request<{ errors: { message: string }[] }>(`${gw.config}/v1/spaces/${space}/apikeys`, { method: 'POST', body });
      assert.equal(reply.status, 400, reply.text);
      assert.match(reply.body.errors[0]!.message, message);
    }
    const big = await request(`${gw.config}/v1/spaces/default/apikeys`, { method: 'POST', body: { name: 'x'.repeat(70_000) } });
    assert.equal(big.status, 413);
  });
});

describe('API keys on the Events API (required)', () => {
  let gw: Running;
  let fn: FunctionServer;
  let all: Created;
  let limited: Created;
  before(async () => {
    fn = await startFunction();
    gw = await startDistribution([new AuthPlugin({ apiKeys: { required: true } })]);
    await setup(gw.config, { functionId: 'fn', url: fn.url, eventType: 'a.b', type: 'async' });
    await setup(gw.config, { functionId: 'fn', url: fn.url, eventType: 'c.d', type: 'async' });
    all = await createKey(gw.config, { name: 'all', metadata: { team: 'x' } });
    limited = await createKey(gw.config, { eventTypes: ['a.b'] });
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  it('401 without a key, with a malformed, unknown or wrong key; JSON bodies and a Bearer challenge', async () => {
    const noKey = await emit10(gw.events, 'a.b');
    assert.equal(noKey.status, 401);
    assert.deepEqual(noKey.body, { errors: [{ message: 'API key required: send "Authorization: Bearer <key>" or "X-Api-Key: <key>".' }] });
    assert.equal(noKey.headers.get('www-authenticate'), 'Bearer realm="switchyard"');
    const wrongSecret = `${all.key.slice(0, -3)}${all.key.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const unknownId = `sy_0000000000000000_${all.key.slice(-43)}`;
    for (const key of ['nonsense', 'sy_', unknownId, wrongSecret]) {
      for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }] as Record<string, string>[]) {
        const reply = await emit10(gw.events, 'a.b', {}, headers);
        assert.equal(reply.status, 401, `${JSON.stringify(headers)}: ${reply.text}`);
        assert.deepEqual(reply.body, { errors: [{ message: 'Invalid API key.' }] });
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer realm="switchyard", error="invalid_token"/);
      }
    }
    const basic = await emit10(gw.events, 'a.b', {}, { authorization: 'Basic eDp5' });
    assert.equal(basic.status, 401);
    assert.equal(fn.calls.length, 0);
  });

  it('accepts the key as a bearer token (any case) or X-Api-Key; its identity is the event\'s authorization', async () => {
    assert.equal((await emit10(gw.events, 'a.b', { n: 1 }, { authorization: `Bearer ${all.key}` })).status, 202);
    assert.equal((await emit10(gw.events, 'a.b', { n: 2 }, { authorization: `bearer ${all.key}` })).status, 202);
    assert.equal((await emit10(gw.events, 'a.b', { n: 3 }, { 'x-api-key': all.key })).status, 202);
    await waitFor(() => fn.calls.length === 3);
    for (const call of fn.calls) {
      assert.deepEqual(call.json<Record<string, unknown>>()['eventgatewayauthorization'], {
        principalId: all.keyId, context: { space: 'default', keyId: all.keyId, name: 'all', metadata: { team: 'x' } },
      });
    }
  });

  it('403 for an event type the key may not emit (also inside a batch)', async () => {
    const calls = fn.calls.length;
    assert.equal((await emit10(gw.events, 'a.b', {}, { 'x-api-key': limited.key })).status, 202);
    const refused = await emit10(gw.events, 'c.d', {}, { 'x-api-key': limited.key });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { errors: [{ message: `API key "${limited.keyId}" may not emit events of type "c.d".` }] });
    const batch = await request(gw.events, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json', 'x-api-key': limited.key },
      body: JSON.stringify([
        { specversion: '1.0', id: 'b1', source: '/t', type: 'a.b' },
        { specversion: '1.0', id: 'b2', source: '/t', type: 'c.d' },
      ]),
    });
    assert.equal(batch.status, 403);
    await waitFor(() => fn.calls.length === calls + 1);
    assert.equal((await emit10(gw.events, 'c.d', {}, { 'x-api-key': all.key })).status, 202);
  });

  it('a revoked key is refused at once; keys written by another instance are picked up through the store watch', async () => {
    const temp = await createKey(gw.config, {});
    assert.equal((await emit10(gw.events, 'a.b', {}, { 'x-api-key': temp.key })).status, 202);
    assert.equal((await request(`${gw.config}/v1/spaces/default/apikeys/${temp.keyId}`, { method: 'DELETE' })).status, 204);
    assert.equal((await emit10(gw.events, 'a.b', {}, { 'x-api-key': temp.key })).status, 401);
    // as another gateway of a cluster would write it
    const keyId = 'abcdefabcdef0123';
    const key = `sy_${keyId}_${'A'.repeat(43)}`;
    const stored: StoredApiKey = { space: 'default', keyId, createdAt: new Date().toISOString(), hash: `sha256:${createHash('sha256').update(key).digest('hex')}` };
    await gw.gateway.store.create(APIKEYS_KIND, 'default', keyId, stored);
    await waitFor(async () => (await emit10(gw.events, 'a.b', {}, { 'x-api-key': key })).status === 202);
    await gw.gateway.store.delete(APIKEYS_KIND, 'default', keyId);
    await waitFor(async () => (await emit10(gw.events, 'a.b', {}, { 'x-api-key': key })).status === 401);
  });
});

describe('API keys: optional, spaces, persistence', () => {
  it('optional keys: no key passes, a bad key is still a 401', async () => {
    const gw = await startDistribution([new AuthPlugin({ apiKeys: {} })]);
    try {
      assert.equal((await emit10(gw.events, 'x.y')).status, 202);
      assert.equal((await emit10(gw.events, 'x.y', {}, { 'x-api-key': 'sy_bad' })).status, 401);
    } finally {
      await gw.close();
    }
  });

  it('with isolated spaces, a key only works in its own space', async () => {
    const gw = await startDistribution([new AuthPlugin({ apiKeys: { required: true } })], { spaceStrategy: { kind: 'header' } });
    try {
      const shop = await createKey(gw.config, {}, 'shop');
      assert.equal((await emit10(gw.events, 'x.y', {}, { 'x-api-key': shop.key, 'x-switchyard-space': 'shop' })).status, 202);
      const other = await emit10(gw.events, 'x.y', {}, { 'x-api-key': shop.key, 'x-switchyard-space': 'other' });
      assert.equal(other.status, 403);
      assert.deepEqual(other.body, { errors: [{ message: `API key "${shop.keyId}" belongs to space "shop", not "other".` }] });
    } finally {
      await gw.close();
    }
  });

  it('keys persist with a data directory and work after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-auth-'));
    try {
      const first = await startDistribution([new AuthPlugin({ apiKeys: { required: true } })], { dataDir });
      const created = await createKey(first.config, { name: 'durable' });
      await first.close();
      const second = await startDistribution([new AuthPlugin({ apiKeys: { required: true } })], { dataDir });
      try {
        assert.equal((await emit10(second.events, 'x.y', {}, { authorization: `Bearer ${created.key}` })).status, 202);
        const listed = await request<{ apiKeys: { keyId: string }[] }>(`${second.config}/v1/spaces/default/apikeys`);
        assert.deepEqual(listed.body.apiKeys.map((k) => k.keyId), [created.keyId]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

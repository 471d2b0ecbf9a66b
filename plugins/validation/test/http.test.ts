/**
 * Over real HTTP, through the default distribution: the Config API stores and returns `schema`, the Events API
 * refuses events that violate it (400 listing every violation) and delivers the others.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '@switchyard/core';
import { captureLogger, sleep, waitFor } from '@switchyard/core/testing';
import { DRAFT_2020_12, ValidationPlugin } from '../src/index.ts';
import type { ValidationOptions } from '../src/index.ts';
import { loadDistribution, request, startFunction } from './helpers.ts';
import type { ErrorEnvelope, FunctionServer } from './helpers.ts';

const USER_SCHEMA = {
  $schema: DRAFT_2020_12,
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 0 } },
};
const CE = { 'content-type': 'application/cloudevents+json' };

interface Running {
  readonly gateway: Gateway;
  readonly events: string;
  readonly config: string;
}

async function start(options: ValidationOptions = {}, dataDir?: string): Promise<Running> {
  const { createGateway } = await loadDistribution();
  const gateway = createGateway({ logger: captureLogger(), plugins: [new ValidationPlugin(options)], ...(dataDir ? { dataDir } : {}) });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  return { gateway, events: eventsUrl, config: configUrl };
}

function event(type: string, data: unknown, id = 'e-1'): Record<string, unknown> {
  return { specversion: '1.0', type, source: '/tests', id, datacontenttype: 'application/json', data };
}

describe('validation over HTTP (distribution)', () => {
  let gw: Running;
  let fn: FunctionServer;
  const api = (method: string, path: string, body?: unknown) => request<ErrorEnvelope & Record<string, unknown>>(`${gw.config}/v1/spaces/default${path}`, method, body);
  before(async () => {
    gw = await start();
    fn = await startFunction();
    assert.equal((await api('POST', '/functions', { functionId: 'users', type: 'http', provider: { url: fn.url } })).status, 201);
  });
  after(async () => {
    await gw.gateway.close({ timeoutMs: 5000 });
    await fn.close();
  });

  it('refuses a bad schema with a 400 naming the problem, and stores nothing', async () => {
    const bad = await api('POST', '/eventtypes', { name: 'user.created', schema: { type: 'object', propertise: {} } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { errors: [{ message: 'Event Type doesn\'t validate. Validation error: schema is invalid: strict mode: unknown keyword: "propertise"' }] });
    assert.equal((await api('GET', '/eventtypes/user.created')).status, 404);
  });

  it('stores the schema and returns it; event types without one keep the original shape', async () => {
    const created = await api('POST', '/eventtypes', { name: 'user.created', schema: USER_SCHEMA });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { space: 'default', name: 'user.created', schema: USER_SCHEMA });
    assert.deepEqual((await api('GET', '/eventtypes/user.created')).body, { space: 'default', name: 'user.created', schema: USER_SCHEMA });
    const plain = await api('POST', '/eventtypes', { name: 'user.deleted', metadata: { team: 'a' } });
    assert.deepEqual(plain.body, { space: 'default', name: 'user.deleted', metadata: { team: 'a' } });
    const list = await request<{ eventTypes: unknown[] }>(`${gw.config}/v1/spaces/default/eventtypes`, 'GET');
    assert.deepEqual(list.body.eventTypes, [
      { space: 'default', name: 'user.created', schema: USER_SCHEMA },
      { space: 'default', name: 'user.deleted', metadata: { team: 'a' } },
    ]);
    const sub = await api('POST', '/subscriptions', { type: 'async', eventType: 'user.created', functionId: 'users', path: '/', method: 'POST' });
    assert.equal(sub.status, 201);
  });

  it('refuses events that violate it with a 400 listing every violation, and delivers valid ones', async () => {
    const bad = await request<ErrorEnvelope>(`${gw.events}/`, 'POST', event('user.created', { email: 'nope', age: -1 }, 'bad'), CE);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      errors: [
        { message: 'Event data doesn\'t match the schema of event type "user.created": must have required property \'name\'; /email must match format "email"; /age must be >= 0' },
        { message: "must have required property 'name'", pointer: '' },
        { message: '/email must match format "email"', pointer: '/email' },
        { message: '/age must be >= 0', pointer: '/age' },
      ],
    });
    const good = await request(`${gw.events}/`, 'POST', event('user.created', { name: 'Ada', email: 'ada@example.com' }, 'good'), CE);
    assert.equal(good.status, 202);
    await waitFor(() => fn.calls.length >= 1);
    await sleep(50);
    assert.deepEqual(fn.calls.map((c) => (JSON.parse(c.body) as { id: string }).id), ['good'], 'the refused event reached no function');
  });

  it('validates binary-mode events (data parsed from the JSON body)', async () => {
    const headers = { 'ce-specversion': '1.0', 'ce-type': 'user.created', 'ce-source': '/tests', 'ce-id': 'binary' };
    const bad = await request<ErrorEnvelope>(`${gw.events}/`, 'POST', { name: 5 }, headers);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[1]?.message, '/name must be string');
    assert.equal((await request(`${gw.events}/`, 'POST', { name: 'Ada' }, headers)).status, 202);
  });

  it('an update without schema removes it (the update replaces the whole object)', async () => {
    const updated = await api('PUT', '/eventtypes/user.created', {});
    assert.deepEqual(updated.body, { space: 'default', name: 'user.created' });
    await waitFor(async () => (await request(`${gw.events}/`, 'POST', event('user.created', { age: -1 }, 'now-valid'), CE)).status === 202);
    const invalid = await api('PUT', '/eventtypes/user.created', { schema: 'object' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errors[0]?.message, "Event Type doesn't validate. Validation error: schema is invalid: a JSON Schema must be an object or a boolean");
  });

  it('keeps serving after a deeply nested payload', async () => {
    assert.equal((await api('POST', '/eventtypes', { name: 'tree', schema: { type: 'array', items: { $ref: '#' } } })).status, 201);
    const depth = 100_000;
    const body = `{"specversion":"1.0","type":"tree","source":"/t","id":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const deep = await request<ErrorEnvelope>(`${gw.events}/`, 'POST', body, CE);
    assert.equal(deep.status, 400);
    // core refuses it at receive (JSON deeper than 1000 levels cannot be re-encoded), before validation runs
    assert.equal(deep.body.errors[0]?.message, "CloudEvent doesn't validate: JSON is nested deeper than 1000 levels");
    assert.equal((await request(`${gw.events}/`, 'POST', event('tree', [[], [[]]], 'shallow'), CE)).status, 202);
  });
});

describe('strict event types over HTTP', () => {
  let gw: Running;
  let fn: FunctionServer;
  before(async () => {
    gw = await start({ strictEventTypes: true });
    fn = await startFunction('{"statusCode":200,"body":"hello"}');
  });
  after(async () => {
    await gw.gateway.close({ timeoutMs: 5000 });
    await fn.close();
  });

  it('refuses events of unregistered types, http.request included, until they are registered', async () => {
    const unknown = await request(`${gw.events}/`, 'POST', event('order.placed', {}), CE);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { errors: [{ message: 'Event type "order.placed" is not registered.' }] });
    const plain = await request(`${gw.events}/hello`, 'GET');
    assert.equal(plain.status, 400);
    assert.deepEqual(plain.body, { errors: [{ message: 'Event type "http.request" is not registered.' }] });
    const base = `${gw.config}/v1/spaces/default`;
    assert.equal((await request(`${base}/functions`, 'POST', { functionId: 'hello', type: 'http', provider: { url: fn.url } })).status, 201);
    assert.equal((await request(`${base}/eventtypes`, 'POST', { name: 'http.request' })).status, 201);
    assert.equal((await request(`${base}/subscriptions`, 'POST', { type: 'sync', eventType: 'http.request', functionId: 'hello', path: '/hello', method: 'GET' })).status, 201);
    await waitFor(async () => (await request(`${gw.events}/hello`, 'GET')).text === 'hello');
  });
});

describe('schemas survive a restart (file store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-validation-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates with a schema stored before the restart', async () => {
    const first = await start({}, dir);
    assert.equal((await request(`${first.config}/v1/spaces/default/eventtypes`, 'POST', { name: 'n', schema: { type: 'number' } })).status, 201);
    await first.gateway.close({ timeoutMs: 5000 });
    const second = await start({}, dir);
    try {
      const refused = await request<ErrorEnvelope>(`${second.events}/`, 'POST', event('n', 'one'), CE);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0]?.message, 'Event data doesn\'t match the schema of event type "n": must be number');
      assert.equal((await request(`${second.events}/`, 'POST', event('n', 1), CE)).status, 202);
    } finally {
      await second.gateway.close({ timeoutMs: 5000 });
    }
  });
});

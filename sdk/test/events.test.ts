/**
 * The Events API through the SDK: `emit` in every encoding (what the function server received), sync replies,
 * `call` with methods, headers, bodies and queries, error mapping, and the three space strategies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replyJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { SwitchyardError } from '../src/index.ts';
import type { Switchyard } from '../src/index.ts';
import { loopbackFetch, startFixture, startHarness, wire } from './helpers.ts';
import type { Harness } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('emit', () => {
  let h: Harness, sy: Switchyard, fn: FunctionServer, close: () => Promise<void>;
  before(async () => {
    ({ h, sy, fn, close } = await startFixture());
    await wire(sy, { functionId: 'sink', url: fn.url, eventType: 'user.created' });
  });
  after(() => close());

  async function received(n: number): Promise<Record<string, unknown>> {
    await waitFor(() => fn.calls.length >= n, 10_000, `delivery #${n}`);
    return fn.calls[n - 1]!.json<Record<string, unknown>>();
  }

  test('structured 1.0 (default): id, time and specversion filled; 202 with no body', async () => {
    const before = Date.now();
    const reply = await sy.emit({ type: 'user.created', source: '/signup', data: { name: 'Ada' }, myext: 'v1' });
    assert.equal(reply.status, 202);
    assert.equal(reply.body, undefined);
    const event = await received(1);
    assert.equal(fn.calls[0]!.headers['content-type'], 'application/cloudevents+json');
    assert.equal(event['specversion'], '1.0');
    assert.match(String(event['id']), UUID);
    assert.ok(Date.parse(String(event['time'])) >= before - 1000);
    assert.deepEqual(event['data'], { name: 'Ada' });
    assert.equal(event['myext'], 'v1');
  });

  test('binary 1.0: attributes as percent-encoded ce-* headers, data as the body', async () => {
    const reply = await sy.emit(
      { type: 'user.created', source: '/signup', id: 'bin-1', subject: 'héllo "x" 100%', data: { n: 1 }, count: 3 },
      { mode: 'binary' },
    );
    assert.equal(reply.status, 202);
    const event = await received(2);
    assert.equal(event['id'], 'bin-1');
    assert.equal(event['subject'], 'héllo "x" 100%');
    assert.equal(event['datacontenttype'], 'application/json');
    assert.deepEqual(event['data'], { n: 1 });
    assert.equal(event['count'], '3', 'binary mode carries extension values as strings');
  });

  test('binary 1.0 with bytes and with text data', async () => {
    await sy.emit({ type: 'user.created', source: '/s', id: 'bytes', data: new Uint8Array([0, 1, 2, 255]) }, { mode: 'binary' });
    const bytes = await received(3);
    assert.equal(bytes['data_base64'], 'AAEC/w==');
    assert.equal(bytes['datacontenttype'], 'application/octet-stream');
    await sy.emit({ type: 'user.created', source: '/s', id: 'text', data: 'plain words' }, { mode: 'binary' });
    const text = await received(4);
    assert.equal(text['data'], 'plain words');
    await sy.emit({ type: 'user.created', source: '/s', id: 'bytes-structured', data: new Uint8Array([104, 105]) });
    assert.equal((await received(5))['data_base64'], 'aGk=');
  });

  test('batch: every event of the array is delivered', async () => {
    const reply = await sy.emit([
      { type: 'user.created', source: '/batch', data: { i: 1 } },
      { type: 'user.created', source: '/batch', data: { i: 2 } },
    ]);
    assert.equal(reply.status, 202);
    await waitFor(() => fn.calls.length >= 7, 10_000, 'both batch events');
    const data = fn.calls.slice(5, 7).map((c) => c.json<{ data: { i: number }; id: string }>());
    assert.deepEqual(data.map((e) => e.data.i).sort(), [1, 2]);
    assert.notEqual(data[0]!.id, data[1]!.id);
  });

  test('0.1 structured: delivered to the function in 0.1, eventID and eventTime filled', async () => {
    const reply = await sy.emit({ eventType: 'user.created', source: '/legacy', data: { old: true }, extensions: { k: 'v' } });
    assert.equal(reply.status, 202);
    const event = await received(8);
    assert.equal(event['eventType'], 'user.created');
    assert.equal(event['cloudEventsVersion'], '0.1');
    assert.match(String(event['eventID']), UUID);
    assert.equal(typeof event['eventTime'], 'string');
    assert.deepEqual(event['data'], { old: true });
    assert.equal((event['extensions'] as Record<string, unknown>)['k'], 'v');
    assert.equal(event['specversion'], undefined);
  });

  test('errors: an invalid event is a 400 with the server\'s message; a system event type is refused', async () => {
    const err = await sy.emit({ type: 'user.created', source: 'not a uri' }).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof SwitchyardError);
    assert.equal(err.status, 400);
    assert.equal(err.method, 'POST');
    assert.equal(err.url, `${h.eventsUrl}/`);
    assert.equal(err.messages[0], 'CloudEvent doesn\'t validate: attribute "source" is not a URI-reference: "not a uri"');
    const system = await sy.emit({ type: 'eventgateway.event.received', source: '/x' }).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(system instanceof SwitchyardError);
    assert.equal(system.status, 400);
    assert.equal(system.messages.length, 1);
  });

  test('schema violations: 400 with every violation and its pointer', async () => {
    await sy.eventTypes.create({ name: 'signup', schema: { type: 'object', required: ['name'], properties: { age: { type: 'integer', minimum: 0 } } } });
    const err = await sy.emit({ type: 'signup', source: '/s', data: { age: -1 } }).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof SwitchyardError);
    assert.equal(err.status, 400);
    assert.match(err.messages[0]!, /^Event data doesn't match the schema of event type "signup"/);
    assert.deepEqual(err.errors.slice(1), [
      { message: "must have required property 'name'", pointer: '' },
      { message: '/age must be >= 0', pointer: '/age' },
    ]);
    assert.equal((await sy.emit({ type: 'signup', source: '/s', data: { name: 'x' } })).status, 202);
  });
});

describe('sync: emit and call', () => {
  let sy: Switchyard, fn: FunctionServer, close: () => Promise<void>;
  before(async () => {
    ({ sy, fn, close } = await startFixture({}, (call, res) => {
      const event = call.json<{ type?: string; data: { path?: string; method?: string; query?: unknown; body?: unknown; params?: unknown } }>();
      const d = event.data;
      let reply: unknown;
      if (event.type === 'order.placed') reply = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ordered: d }) };
      else if (d.path === '/text') reply = { body: 'hello text', headers: { 'content-type': 'text/plain; charset=utf-8' } };
      else if (d.path === '/bytes') reply = { body: 'raw', headers: { 'content-type': 'application/octet-stream' } };
      else if (d.path === '/missing') reply = { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"message":"no such user"}]}' };
      else if (d.path === '/broken') return replyJson('not an object')(call, res);
      else reply = { statusCode: 200, headers: { 'content-type': 'application/json', 'x-fn': 'yes' }, body: JSON.stringify({ method: d.method, params: d.params, query: d.query, body: d.body }) };
      return replyJson(reply)(call, res);
    }));
    await sy.functions.create({ functionId: 'api', type: 'http', provider: { url: fn.url } });
    await sy.eventTypes.create({ name: 'http.request' });
    await sy.eventTypes.create({ name: 'order.placed' });
    for (const [path, method] of [['/users/:id', 'GET'], ['/users/:id', 'POST'], ['/text', 'GET'], ['/bytes', 'GET'], ['/missing', 'GET'], ['/broken', 'GET']] as const) {
      await sy.subscriptions.create({ type: 'sync', eventType: 'http.request', functionId: 'api', path, method });
    }
    await sy.subscriptions.create({ type: 'sync', eventType: 'order.placed', functionId: 'api', path: '/orders' });
  });
  after(() => close());

  test('emit to a sync subscription returns the function\'s reply', async () => {
    const reply = await sy.emit<{ ordered: unknown }>({ type: 'order.placed', source: '/shop', data: { sku: 'a' } }, { path: 'orders' });
    assert.equal(reply.status, 201);
    assert.deepEqual(reply.body, { ordered: { sku: 'a' } });
  });

  test('call: params, query, JSON body, headers; reply JSON parsed', async () => {
    const get = await sy.call<Record<string, unknown>>('/users/42', { query: { q: 'a b', tag: ['x', 'y'] } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('x-fn'), 'yes');
    assert.deepEqual(get.body, { method: 'GET', params: { id: '42' }, query: { q: ['a b'], tag: ['x', 'y'] }, body: '' });
    const post = await sy.call<Record<string, unknown>>('users/7?debug=1', { method: 'POST', body: { name: 'Ada' }, headers: { 'x-trace': 't' } });
    assert.deepEqual(post.body, { method: 'POST', params: { id: '7' }, query: { debug: ['1'] }, body: { name: 'Ada' } });
    const event = fn.calls.at(-1)!.json<{ data: { headers: Record<string, string> } }>();
    assert.equal(event.data.headers['X-Trace'], 't');
    assert.equal(event.data.headers['Content-Type'], 'application/json');
  });

  test('call: text and bytes replies; error statuses returned unless throwOnError', async () => {
    const text = await sy.call('/text');
    assert.equal(text.body, 'hello text');
    const bytes = await sy.call('/bytes');
    assert.ok(bytes.body instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(bytes.body), 'raw');
    const missing = await sy.call('/missing');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { errors: [{ message: 'no such user' }] });
    const err = await sy.call('/missing', { throwOnError: true }).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof SwitchyardError);
    assert.equal(err.status, 404);
    assert.deepEqual(err.messages, ['no such user']);
    const broken = await sy.call('/broken');
    assert.equal(broken.status, 500);
    assert.deepEqual(broken.body, { errors: [{ message: 'HTTP response object malformed' }] });
  });
});

describe('space strategies', () => {
  for (const strategy of [{ kind: 'path' }, { kind: 'header' }, { kind: 'header', header: 'x-tenant' }, { kind: 'host' }] as const) {
    test(`${JSON.stringify(strategy)}: an event emitted into one space reaches only that space's subscription`, async () => {
      const fetch = strategy.kind === 'host' ? loopbackFetch() : undefined;
      const h = await startHarness({ spaceStrategy: strategy }, {
        spaceStrategy: strategy, ...(fetch ? { fetch, eventsUrl: 'http://events.example.test:1' } : {}),
      });
      const eventsPort = new URL(h.eventsUrl).port;
      const client = fetch ? h.client({ eventsUrl: `http://events.example.test:${eventsPort}` }) : h.sy;
      const fa = await startFunctionServer();
      const fb = await startFunctionServer();
      try {
        await wire(client.withSpace('alpha'), { functionId: 'fa', url: fa.url, eventType: 'ping', path: '/in' });
        await wire(client.withSpace('bravo'), { functionId: 'fb', url: fb.url, eventType: 'ping', path: '/in' });
        assert.equal((await client.withSpace('bravo').emit({ type: 'ping', source: '/t', data: 'b' }, { path: '/in' })).status, 202);
        assert.equal((await client.emit({ type: 'ping', source: '/t', data: 'a' }, { path: '/in', space: 'alpha' })).status, 202);
        await waitFor(() => fa.calls.length === 1 && fb.calls.length === 1, 10_000, 'one delivery each');
        assert.equal(fa.calls[0]!.json<{ data: string }>().data, 'a');
        assert.equal(fb.calls[0]!.json<{ data: string }>().data, 'b');
        if (fetch) assert.ok(fetch.calls >= 2, 'the injected fetch made the calls');
      } finally {
        await h.close();
        await fa.close();
        await fb.close();
      }
    });
  }
});

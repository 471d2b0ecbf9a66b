/**
 * Dispatch end to end: sync calls and their reply mapping (reference §4.5, §4.7), async delivery with fan-out,
 * retries, Retry-After, dead letters, backlog limits (DESIGN §6).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Stage } from '@switchyard/core';
import type { CloudEvent } from '@switchyard/core';
import type { FunctionHandler, FunctionServer, RawResponse, ReceivedCall, RunningGateway } from './helpers.ts';
import {
  api, callsTo, cloudEvent, emit, freePort, quietLogger, registerFunction, send, sleep, startFunction, startGateway, subscribe, waitFor,
} from './helpers.ts';

const FAST_RETRIES = { maxAttempts: 5, minBackoffMs: 20, maxBackoffMs: 2000, maxAgeMs: 60_000 };
const CALL_FAILED = { errors: [{ message: 'Function call failed. Please check logs.' }] };
const MALFORMED = { errors: [{ message: 'HTTP response object malformed' }] };

/** One function server; each URL path has its own behaviour (default: 200 `{}`). */
async function startRoutedFunction(): Promise<FunctionServer & { on(path: string, handler: FunctionHandler): void }> {
  const handlers = new Map<string, FunctionHandler>();
  const server = await startFunction((call: ReceivedCall, res: ServerResponse) => {
    const handler = handlers.get(call.url);
    if (handler) return handler(call, res);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  return Object.assign(server, { on: (path: string, handler: FunctionHandler) => void handlers.set(path, handler) });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function assertJsonError(res: RawResponse, status: number, expected?: unknown): void {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json<{ errors: { message: string }[] }>();
  if (expected !== undefined) assert.deepEqual(body, expected);
  else assert.equal(typeof body.errors[0]?.message, 'string');
}

describe('sync dispatch', () => {
  let gw: RunningGateway;
  let fn: Awaited<ReturnType<typeof startRoutedFunction>>;

  before(async () => {
    gw = await startGateway({ logger: quietLogger() });
    fn = await startRoutedFunction();
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  async function syncRoute(id: string, path: string, method = 'GET', provider: Record<string, unknown> = {}): Promise<void> {
    await registerFunction(gw.config, id, { url: `${fn.url}${id}`, ...provider });
    await subscribe(gw.config, { functionId: id, url: `${fn.url}${id}`, eventType: 'http.request', type: 'sync', path, method });
  }

  test('statusCode, headers and body of the function\'s HTTP response object are the reply', async () => {
    fn.on('/map', (_c, res) => json(res, 200, { statusCode: 201, headers: { 'x-custom': 'yes', 'content-type': 'text/plain' }, body: 'created' }));
    await syncRoute('map', '/map');
    const res = await send(`${gw.events}/map`, { method: 'GET' });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-custom'], 'yes');
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'created');
  });

  test('`{}` is 200 with an empty body', async () => {
    fn.on('/empty', (_c, res) => json(res, 200, {}));
    await syncRoute('empty', '/empty');
    const res = await send(`${gw.events}/empty`, { method: 'GET' });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
  });

  test('a malformed HTTP response object is 500 `HTTP response object malformed`', async () => {
    const bad: [string, string][] = [
      ['notjson', 'not json at all'],
      ['array', '[1,2]'],
      ['bodyobj', '{"statusCode":200,"body":{"a":1}}'],
      ['headernum', '{"headers":{"x-n":1}}'],
      ['statusstr', '{"statusCode":"200"}'],
      ['status42', '{"statusCode":42}'],
      // A final reply cannot be informational: sent as is, the client gets a hang-up.
      ['status100', '{"statusCode":100,"body":"x"}'],
      ['status199', '{"statusCode":199}'],
      // Headers that cannot be sent: not a token, CR/LF (header injection), characters beyond Latin-1.
      ['headername', '{"headers":{"bad header":"x"},"body":"ok"}'],
      ['headercrlf', '{"headers":{"x-a":"a\\r\\nx-injected: 1"},"body":"ok"}'],
      ['headereuro', '{"headers":{"x-a":"\u20ac"},"body":"ok"}'],
    ];
    for (const [name, reply] of bad) {
      fn.on(`/mal-${name}`, (_c, res) => json(res, 200, reply));
      await syncRoute(`mal-${name}`, `/malformed/${name}`);
      assertJsonError(await send(`${gw.events}/malformed/${name}`, { method: 'GET' }), 500, MALFORMED);
    }
  });

  test('framing headers in the function\'s response object do not break the reply (the gateway frames it)', async () => {
    fn.on('/framing', (_c, res) => json(res, 200, { statusCode: 200, headers: { 'Content-Length': '999', 'Transfer-Encoding': 'chunked', 'x-kept': 'yes' }, body: 'ok' }));
    await syncRoute('framing', '/framing');
    const res = await send(`${gw.events}/framing`, { method: 'GET' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    assert.equal(res.headers['content-length'], '2');
    assert.equal(res.headers['transfer-encoding'], undefined);
    assert.equal(res.headers['x-kept'], 'yes');
  });

  test('204 and 304 replies carry no body and no Content-Length; statusCode 0 is 200', async () => {
    for (const [name, reply] of [['s204', { statusCode: 204, body: 'dropped' }], ['s304', { statusCode: 304, body: 'dropped' }]] as const) {
      fn.on(`/${name}`, (_c, res) => json(res, 200, reply));
      await syncRoute(name, `/${name}`);
      const res = await send(`${gw.events}/${name}`, { method: 'GET' });
      assert.equal(res.status, reply.statusCode);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-length'], undefined, `${name}: no Content-Length`);
    }
    fn.on('/s0', (_c, res) => json(res, 200, { statusCode: 0, body: 'zero' }));
    await syncRoute('s0', '/s0');
    const zero = await send(`${gw.events}/s0`, { method: 'GET' });
    assert.equal(zero.status, 200);
    assert.equal(zero.body, 'zero');
  });

  test('a function that answers 500 gives 500 `Function call failed. Please check logs.`', async () => {
    fn.on('/fails', (_c, res) => json(res, 500, { statusCode: 200, body: 'never shown' }));
    await syncRoute('fails', '/fails');
    assertJsonError(await send(`${gw.events}/fails`, { method: 'GET' }), 500, CALL_FAILED);
  });

  test('a function timeout gives 500 with the same message', async () => {
    fn.on('/slow', async (_c, res) => {
      await sleep(800);
      json(res, 200, { body: 'too late' });
    });
    await syncRoute('slow', '/slow', 'GET', { timeout: 100 });
    assertJsonError(await send(`${gw.events}/slow`, { method: 'GET' }), 500, CALL_FAILED);
  });

  test('connection refused gives 500 with the same message', async () => {
    const port = await freePort();
    await registerFunction(gw.config, 'refused', { url: `http://127.0.0.1:${port}/` });
    await subscribe(gw.config, { functionId: 'refused', url: `http://127.0.0.1:${port}/`, eventType: 'http.request', type: 'sync', path: '/refused', method: 'GET' });
    assertJsonError(await send(`${gw.events}/refused`, { method: 'GET' }), 500, CALL_FAILED);
  });

  test('non-http.request sync events are answered with the HTTP response object too', async () => {
    fn.on('/typed', (_c, res) => json(res, 200, { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"answer":42}' }));
    await registerFunction(gw.config, 'typed', { url: `${fn.url}typed` });
    await subscribe(gw.config, { functionId: 'typed', url: `${fn.url}typed`, eventType: 'question.asked', type: 'sync', path: '/ask' });
    const res = await emit(gw.events, '/ask', cloudEvent('question.asked'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(res.json(), { answer: 42 });
  });

  test('path tree: :param and *wildcard params reach the function; extra segments do not match', async () => {
    const echoParams: FunctionHandler = (call, res) => json(res, 200, { body: JSON.stringify(call.json<{ data: { params: unknown } }>().data.params) });
    fn.on('/user', echoParams);
    fn.on('/order', echoParams);
    fn.on('/files', echoParams);
    await syncRoute('user', '/users/:id');
    await syncRoute('order', '/users/:id/orders/:orderId');
    await syncRoute('files', '/files/*path');
    const get = (p: string) => send(`${gw.events}${p}`, { method: 'GET' });
    assert.deepEqual((await get('/users/42')).json(), { id: '42' });
    assert.deepEqual((await get('/users/42/orders/7')).json(), { id: '42', orderId: '7' });
    assert.deepEqual((await get('/files/a/b/c.txt')).json(), { path: 'a/b/c.txt' });
    const before = fn.calls.length;
    for (const p of ['/users/42/extra', '/users', '/users/42/orders', '/nothing/here']) {
      const res = await get(p);
      assert.equal(res.status, 202, p);
      assert.equal(res.body, '', p);
    }
    assert.equal(fn.calls.length, before, 'no function called for unmatched paths');
  });

  test('trailing slash is significant', async () => {
    fn.on('/noslash', (_c, res) => json(res, 200, { body: 'no slash' }));
    fn.on('/withslash', (_c, res) => json(res, 200, { body: 'with slash' }));
    await syncRoute('noslash', '/slash');
    await syncRoute('withslash', '/slashed/');
    assert.equal((await send(`${gw.events}/slash`, { method: 'GET' })).body, 'no slash');
    const a = await send(`${gw.events}/slash/`, { method: 'GET' });
    assert.equal(a.status, 202);
    assert.equal((await send(`${gw.events}/slashed/`, { method: 'GET' })).body, 'with slash');
    const b = await send(`${gw.events}/slashed`, { method: 'GET' });
    assert.equal(b.status, 202);
  });

  test('method matching: the request method must equal the subscription method (HEAD is not GET)', async () => {
    fn.on('/getonly', (_c, res) => json(res, 200, { body: 'got' }));
    await syncRoute('getonly', '/method', 'GET');
    assert.equal((await send(`${gw.events}/method`, { method: 'GET' })).body, 'got');
    const before = callsTo(fn, '/getonly').length;
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const res = await send(`${gw.events}/method`, { method });
      assert.equal(res.status, 202, method);
      assert.equal(res.body, '');
    }
    assert.equal(callsTo(fn, '/getonly').length, before);
  });

  test('no sync subscription: 202 with an empty body; unknown event types are accepted and reach nobody', async () => {
    const plain = await send(`${gw.events}/no/subscription/here`, { method: 'POST', body: 'x' });
    assert.equal(plain.status, 202);
    assert.equal(plain.body, '');
    // An async subscriber on the same path for another type must not get the unknown type.
    fn.on('/known', (_c, res) => json(res, 200, {}));
    await subscribe(gw.config, { functionId: 'known', url: `${fn.url}known`, eventType: 'known.type', type: 'async', path: '/typed/route' });
    const unknown = cloudEvent('never.registered.type');
    const res = await emit(gw.events, '/typed/route', unknown);
    assert.equal(res.status, 202);
    assert.equal(res.body, '');
    const sentinel = cloudEvent('known.type');
    assert.equal((await emit(gw.events, '/typed/route', sentinel)).status, 202);
    await waitFor(() => callsTo(fn, '/known').length >= 1, 3000, 'the sentinel');
    await sleep(100);
    assert.deepEqual(callsTo(fn, '/known').map((c) => c.json<CloudEvent>().id), [sentinel.id]);
    assert.ok(!fn.calls.some((c) => c.body.includes(unknown.id)), 'the unknown type reached nobody');
  });
});

test('a respond tap that sets an unsendable header gets a JSON 500, not a broken reply', async () => {
  const gw = await startGateway({
    logger: quietLogger(),
    plugins: [{
      name: 'bad-header',
      apply(gateway) {
        gateway.hooks.respond.tapPromise({ name: 'bad-header', stage: Stage.LATE }, async (reply) => {
          reply.headers['bad header'] = 'x';
          return reply;
        });
      },
    }],
  });
  const fn = await startFunction((_c, res) => json(res, 200, { body: 'fine' }));
  try {
    await subscribe(gw.config, { functionId: 'plain', url: fn.url, eventType: 'http.request', type: 'sync', path: '/tapped', method: 'GET' });
    assertJsonError(await send(`${gw.events}/tapped`, { method: 'GET' }), 500, { errors: [{ message: 'Internal Server Error' }] });
    // The gateway keeps serving.
    assert.equal((await send(`${gw.events}/elsewhere`, { method: 'GET' })).status, 202);
  } finally {
    await gw.close();
    await fn.close();
  }
});

describe('async dispatch', () => {
  let gw: RunningGateway;
  let fn: Awaited<ReturnType<typeof startRoutedFunction>>;
  const deliveryEvents: { subject: string; event: CloudEvent }[] = [];

  before(async () => {
    gw = await startGateway({ logger: quietLogger(), retryPolicy: FAST_RETRIES });
    gw.gateway.bus.subscribe('eventgateway.*.eventgateway.delivery.>', (event, subject) => deliveryEvents.push({ subject, event }));
    fn = await startRoutedFunction();
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  const ofFunction = (type: string, functionId: string) =>
    deliveryEvents.filter((d) => d.event.type === type && (d.event.data as { functionId?: string }).functionId === functionId);

  async function asyncRoute(id: string, eventType: string, path: string): Promise<string> {
    return subscribe(gw.config, { functionId: id, url: `${fn.url}${id}`, eventType, type: 'async', path });
  }

  test('fan-out: every subscriber gets the event once', async () => {
    for (const id of ['fan1', 'fan2', 'fan3']) await asyncRoute(id, 'fan.out', '/fan');
    const event = cloudEvent('fan.out', { data: { n: 1 } });
    const res = await emit(gw.events, '/fan', event);
    assert.equal(res.status, 202);
    assert.equal(res.body, '');
    await waitFor(() => ['/fan1', '/fan2', '/fan3'].every((p) => callsTo(fn, p).length === 1), 3000, 'fan-out');
    for (const p of ['/fan1', '/fan2', '/fan3']) assert.deepEqual(callsTo(fn, p)[0]!.json(), event);
  });

  test('202 is returned before the delivery completes', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered = false;
    fn.on('/held', async (_c, res) => {
      await released;
      answered = true;
      json(res, 200, {});
    });
    await asyncRoute('held', 'held.event', '/held');
    const res = await emit(gw.events, '/held', cloudEvent('held.event'));
    assert.equal(res.status, 202);
    assert.equal(answered, false, 'the function has not answered yet');
    await waitFor(() => callsTo(fn, '/held').length === 1, 3000, 'the held call');
    release();
    await waitFor(() => answered, 3000, 'the function to answer');
  });

  test('retries: a function that fails twice then succeeds is called 3 times and the event is delivered', async () => {
    let n = 0;
    let delivered: string | undefined;
    fn.on('/flaky', (call, res) => {
      n += 1;
      if (n <= 2) return json(res, 500, { error: 'not yet' });
      delivered = call.json<CloudEvent>().id;
      json(res, 200, {});
    });
    await asyncRoute('flaky', 'flaky.event', '/flaky');
    const event = cloudEvent('flaky.event');
    assert.equal((await emit(gw.events, '/flaky', event)).status, 202);
    await waitFor(() => delivered !== undefined, 5000, 'the third attempt');
    assert.equal(delivered, event.id);
    await sleep(150);
    assert.equal(callsTo(fn, '/flaky').length, 3);
    for (const call of callsTo(fn, '/flaky')) assert.deepEqual(call.json(), event, 'every attempt carries the same event');
    assert.equal(ofFunction('eventgateway.delivery.retried', 'flaky').length, 2);
    assert.equal(ofFunction('eventgateway.delivery.deadLettered', 'flaky').length, 0);
  });

  test('Retry-After from the function is honoured', async () => {
    const at: number[] = [];
    fn.on('/limited', (_c, res) => {
      at.push(Date.now());
      if (at.length === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      json(res, 200, {});
    });
    await asyncRoute('limited', 'limited.event', '/limited');
    assert.equal((await emit(gw.events, '/limited', cloudEvent('limited.event'))).status, 202);
    await waitFor(() => at.length === 2, 5000, 'the retry');
    assert.ok(at[1]! - at[0]! >= 950, `retried after ${at[1]! - at[0]!} ms; Retry-After asked for 1000`);
  });

  test('a 4xx (not 408/429) is not retried and is dead-lettered, published on the bus', async () => {
    fn.on('/reject', (_c, res) => json(res, 400, { error: 'bad event' }));
    const subscriptionId = await asyncRoute('reject', 'reject.event', '/reject');
    const event = cloudEvent('reject.event');
    assert.equal((await emit(gw.events, '/reject', event)).status, 202);
    await waitFor(() => ofFunction('eventgateway.delivery.deadLettered', 'reject').length === 1, 3000, 'the dead letter');
    const dead = ofFunction('eventgateway.delivery.deadLettered', 'reject')[0]!;
    assert.equal(dead.subject, 'eventgateway.default.eventgateway.delivery.deadLettered');
    const data = dead.event.data as Record<string, unknown>;
    assert.equal(typeof data['deliveryId'], 'string');
    assert.deepEqual(
      { ...data, reason: undefined },
      {
        space: 'default', subscriptionId, functionId: 'reject', deliveryId: data['deliveryId'], eventId: event.id, eventType: 'reject.event',
        attempts: 1, status: 400, reason: undefined, deadLetterId: data['deliveryId'],
      },
    );
    assert.equal(typeof (dead.event.data as { reason: unknown }).reason, 'string');
    await sleep(150);
    assert.equal(callsTo(fn, '/reject').length, 1);
    assert.equal(ofFunction('eventgateway.delivery.retried', 'reject').length, 0);
  });

  test('retries exhausted: dead-lettered after maxAttempts, with deliveries retried in between', async () => {
    fn.on('/down', (_c, res) => json(res, 503, { error: 'down' }));
    await asyncRoute('down', 'down.event', '/down');
    const event = cloudEvent('down.event');
    assert.equal((await emit(gw.events, '/down', event)).status, 202);
    await waitFor(() => ofFunction('eventgateway.delivery.deadLettered', 'down').length === 1, 5000, 'the dead letter');
    const dead = ofFunction('eventgateway.delivery.deadLettered', 'down')[0]!.event.data as Record<string, unknown>;
    assert.equal(dead['attempts'], FAST_RETRIES.maxAttempts);
    assert.equal(dead['status'], 503);
    assert.equal(dead['eventId'], event.id);
    assert.equal(callsTo(fn, '/down').length, FAST_RETRIES.maxAttempts);
    assert.equal(ofFunction('eventgateway.delivery.retried', 'down').length, FAST_RETRIES.maxAttempts - 1);
  });

  test('updating an async subscription\'s metadata does not cause duplicate delivery (fixed quirk)', async () => {
    fn.on('/dup', (_c, res) => json(res, 200, {}));
    const id = await asyncRoute('dup', 'dup.event', '/dup');
    for (const n of [1, 2, 3]) {
      const put = await api(gw.config, 'PUT', `/v1/spaces/default/subscriptions/${id}`, {
        type: 'async', eventType: 'dup.event', functionId: 'dup', path: '/dup', method: 'POST', metadata: { revision: String(n) },
      });
      assert.equal(put.status, 200, put.text);
    }
    const first = cloudEvent('dup.event');
    const second = cloudEvent('dup.event');
    assert.equal((await emit(gw.events, '/dup', first)).status, 202);
    await waitFor(() => callsTo(fn, '/dup').length >= 1, 3000, 'the first event');
    assert.equal((await emit(gw.events, '/dup', second)).status, 202);
    await waitFor(() => callsTo(fn, '/dup').some((c) => c.json<CloudEvent>().id === second.id), 3000, 'the second event');
    await sleep(150);
    assert.deepEqual(callsTo(fn, '/dup').map((c) => c.json<CloudEvent>().id).sort(), [first.id, second.id].sort());
  });

  test('a deleted async subscription gets nothing more', async () => {
    fn.on('/gone', (_c, res) => json(res, 200, {}));
    const id = await asyncRoute('gone', 'gone.event', '/gone');
    assert.equal((await api(gw.config, 'DELETE', `/v1/spaces/default/subscriptions/${id}`)).status, 204);
    assert.equal((await emit(gw.events, '/gone', cloudEvent('gone.event'))).status, 202);
    await sleep(150);
    assert.equal(callsTo(fn, '/gone').length, 0);
  });
});

describe('async backlog', () => {
  test('backlog full → 429 with Retry-After and a JSON error; every accepted event is delivered', async () => {
    const gw = await startGateway({ logger: quietLogger(), workers: 1, workersBacklog: 2 });
    const delivered = new Set<string>();
    // Calls are held until the burst is over, so nothing leaves the queue while it is being filled.
    let release!: () => void;
    const burstOver = new Promise<void>((resolve) => (release = resolve));
    const fn = await startFunction(async (call, res) => {
      await burstOver;
      await sleep(10);
      delivered.add(call.json<CloudEvent>().id);
      json(res, 200, {});
    });
    try {
      await subscribe(gw.config, { functionId: 'backlog', url: fn.url, eventType: 'burst.event', type: 'async', path: '/burst' });
      const events = Array.from({ length: 12 }, (_, i) => cloudEvent('burst.event', { data: { i } }));
      const replies = await Promise.all(events.map((e) => emit(gw.events, '/burst', e)));
      release();
      const accepted = events.filter((_, i) => replies[i]!.status === 202).map((e) => e.id);
      const refused = replies.filter((r) => r.status === 429);
      assert.equal(accepted.length + refused.length, events.length, `only 202 and 429: ${replies.map((r) => r.status).join(',')}`);
      assert.equal(accepted.length, 3, 'capacity is workers + backlog = 3');
      for (const r of refused) {
        assertJsonError(r, 429);
        assert.match(r.json<{ errors: { message: string }[] }>().errors[0]!.message, /full/);
        assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
      }
      await waitFor(() => accepted.every((id) => delivered.has(id)), 5000, 'every accepted event delivered');

      // Clients that honour Retry-After get everything through.
      let pending = events.filter((e) => !accepted.includes(e.id));
      const deadline = Date.now() + 10_000;
      let rounds = 0;
      while (pending.length > 0 && Date.now() < deadline) {
        const again = await Promise.all(pending.map((e) => emit(gw.events, '/burst', e)));
        for (const r of again) assert.ok(r.status === 202 || r.status === 429, `status ${r.status}`);
        pending = pending.filter((_, i) => again[i]!.status !== 202);
        rounds += 1;
        if (pending.length > 0) await sleep(50);
      }
      assert.equal(pending.length, 0, `every event eventually accepted (${rounds} rounds)`);
      await waitFor(() => events.every((e) => delivered.has(e.id)), 5000, 'every event delivered');
    } finally {
      await gw.close();
      await fn.close();
    }
  });

  test('when the queue refuses a request\'s async deliveries, its sync function is not called; a batch is all or nothing', async () => {
    const gw = await startGateway({ logger: quietLogger(), workers: 1, workersBacklog: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const fn = await startFunction(async (call, res) => {
      if (call.url === '/async') await held;
      json(res, 200, { statusCode: 200, body: 'sync answered' });
    });
    try {
      await subscribe(gw.config, { functionId: 'filler', url: `${fn.url}async`, eventType: 'fill.event', type: 'async', path: '/full' });
      await subscribe(gw.config, { functionId: 'sync-side', url: `${fn.url}sync`, eventType: 'fill.event', type: 'sync', path: '/full' });
      // Capacity 2: the first event's delivery holds the worker, the second waits.
      const e1 = cloudEvent('fill.event');
      const e2 = cloudEvent('fill.event');
      assert.equal((await emit(gw.events, '/full', e1)).status, 200);
      assert.equal((await emit(gw.events, '/full', e2)).status, 200);
      assert.equal(callsTo(fn, '/sync').length, 2);
      const e3 = cloudEvent('fill.event');
      const refused = await emit(gw.events, '/full', e3);
      assertJsonError(refused, 429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(callsTo(fn, '/sync').length, 2, 'the sync function was not called for the refused request');

      const batch = [cloudEvent('fill.event'), cloudEvent('fill.event')];
      const batchReply = await send(`${gw.events}/full`, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
      assertJsonError(batchReply, 429);
      release();
      await waitFor(() => callsTo(fn, '/async').length === 2, 3000, 'the two accepted deliveries');
      await sleep(100);
      const delivered = callsTo(fn, '/async').map((c) => c.json<CloudEvent>().id).sort();
      assert.deepEqual(delivered, [e1.id, e2.id].sort(), 'nothing of the refused request or batch was delivered');
    } finally {
      release();
      await gw.close();
      await fn.close();
    }
  });
});

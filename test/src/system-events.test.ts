/**
 * System events (reference §8, DESIGN §7): delivered to async subscriptions on `POST /` like any event type, and
 * published on the gateway's bus as `eventgateway.<space>.<type>`. None are made about the delivery of system
 * events; clients cannot emit `eventgateway.*`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_EVENT_SOURCE } from '@switchyard/core';
import type { CloudEvent } from '@switchyard/core';
import type { DistributionOptions } from 'switchyard';
import type { FunctionServer, RawResponse, RunningGateway } from './helpers.ts';
import { callsTo, cloudEvent, emit, quietLogger, send, sleep, startFunction, startGateway, subscribe, waitFor } from './helpers.ts';

const RECEIVED = 'eventgateway.event.received';
const INVOKING = 'eventgateway.function.invoking';
const INVOKED = 'eventgateway.function.invoked';
const FAILED = 'eventgateway.function.invocationFailed';
const SYSTEM_TYPES = [RECEIVED, INVOKING, INVOKED, FAILED];

const TARGET_REPLY = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

interface Setup {
  gw: RunningGateway;
  fn: FunctionServer;
  bus: { subject: string; event: CloudEvent }[];
  close(): Promise<void>;
}

/** Observer subscribed to every system type on POST /; `target` (sync, answers 201) and `broken` (sync, 500). */
async function setup(options: DistributionOptions = {}, space = 'default'): Promise<Setup> {
  const gw = await startGateway({ logger: quietLogger(), ...options });
  const bus: Setup['bus'] = [];
  gw.gateway.bus.subscribe('eventgateway.>', (event, subject) => bus.push({ subject, event }));
  const fn = await startFunction((call, res) => {
    if (call.url.startsWith('/broken')) {
      res.statusCode = 500;
      res.end('boom');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(call.url.startsWith('/target') ? TARGET_REPLY : {}));
  });
  for (const type of SYSTEM_TYPES) {
    await subscribe(gw.config, { space, functionId: 'observer', url: `${fn.url}observer`, eventType: type, type: 'async', path: '/' });
  }
  await subscribe(gw.config, { space, functionId: 'target', url: `${fn.url}target`, eventType: 'order.placed', type: 'sync', path: '/orders' });
  await subscribe(gw.config, { space, functionId: 'broken', url: `${fn.url}broken`, eventType: 'order.failed', type: 'sync', path: '/orders' });
  return { gw, fn, bus, close: async () => { await gw.close(); await fn.close(); } };
}

const observed = (s: Setup): CloudEvent[] => callsTo(s.fn, '/observer').map((c) => c.json<CloudEvent>());
const ofType = (events: CloudEvent[], type: string): CloudEvent[] => events.filter((e) => e.type === type);

function assertJsonError(res: RawResponse, status: number, pattern: RegExp): void {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json<{ errors: { message: string }[] }>();
  assert.equal(body.errors.length, 1);
  assert.match(body.errors[0]!.message, pattern);
}

describe('system events', () => {
  let s: Setup;

  before(async () => {
    s = await setup();
  });
  after(async () => {
    await s.close();
  });

  test('received, invoking and invoked reach a subscribed function, with the function\'s response as result; nothing about their own delivery', async () => {
    const event = cloudEvent('order.placed', { data: { total: 12 } });
    const res = await emit(s.gw.events, '/orders', event);
    assert.equal(res.status, 201);
    assert.equal(res.body, '{"ok":true}');

    await waitFor(() => observed(s).length >= 3, 3000, 'three system events');
    await sleep(300); // anything made about the delivery of these three would arrive by now
    const got = observed(s);
    assert.deepEqual(got.map((e) => e.type).sort(), [RECEIVED, INVOKED, INVOKING].sort(), 'exactly one of each, no more');

    for (const e of got) {
      assert.equal(e.specversion, '1.0');
      assert.equal(e.source, GATEWAY_EVENT_SOURCE);
      assert.equal(e.datacontenttype, 'application/json');
      assert.equal(typeof e.id, 'string');
    }
    const received = ofType(got, RECEIVED)[0]!.data as { path: string; event: unknown; headers: Record<string, string> };
    assert.deepEqual(Object.keys(received).sort(), ['event', 'headers', 'path']);
    assert.equal(received.path, '/orders');
    assert.deepEqual(received.event, event);
    assert.equal(received.headers['Content-Type'], 'application/cloudevents+json');
    assert.equal(received.headers['Host'], undefined);

    const invoking = ofType(got, INVOKING)[0]!.data;
    assert.deepEqual(invoking, { space: 'default', functionId: 'target', event });

    const invoked = ofType(got, INVOKED)[0]!.data as Record<string, unknown>;
    assert.deepEqual(invoked, { space: 'default', functionId: 'target', event, result: TARGET_REPLY }, 'result is the function\'s response (fixed quirk)');

    // The bus saw the same three, on eventgateway.<space>.<type>, none about the observer's deliveries.
    await sleep(50);
    const mine = s.bus.filter((b) => JSON.stringify(b.event.data).includes(event.id));
    assert.deepEqual(mine.map((b) => b.subject).sort(), [RECEIVED, INVOKING, INVOKED].map((t) => `eventgateway.default.${t}`).sort());
    assert.ok(!s.bus.some((b) => (b.event.data as { functionId?: string }).functionId === 'observer'), 'no system events about system event deliveries');
    const pipeline = s.bus.filter((b) => /^eventgateway\.(event|function|delivery)\./.test(b.event.type));
    assert.equal(pipeline.length, 3, `bus events: ${pipeline.map((b) => b.event.type).join(', ')}`);
  });

  test('invocationFailed carries { error: { message } }', async () => {
    const before = observed(s).length;
    const busBefore = s.bus.length;
    const event = cloudEvent('order.failed');
    const res = await emit(s.gw.events, '/orders', event);
    assertJsonError(res, 500, /^Function call failed\. Please check logs\.$/);
    await waitFor(() => observed(s).length >= before + 3, 3000, 'received, invoking, invocationFailed');
    await sleep(300);
    const got = observed(s).slice(before);
    assert.deepEqual(got.map((e) => e.type).sort(), [RECEIVED, INVOKING, FAILED].sort());
    const failed = ofType(got, FAILED)[0]!.data as { space: string; functionId: string; event: unknown; error: { message: unknown } };
    assert.deepEqual(Object.keys(failed).sort(), ['error', 'event', 'functionId', 'space']);
    assert.equal(failed.space, 'default');
    assert.equal(failed.functionId, 'broken');
    assert.deepEqual(failed.event, event);
    assert.deepEqual(Object.keys(failed.error), ['message']);
    assert.equal(typeof failed.error.message, 'string');
    assert.ok((failed.error.message as string).length > 0);
    assert.deepEqual(s.bus.slice(busBefore).map((b) => b.event.type).sort(), [RECEIVED, INVOKING, FAILED].sort());
  });

  test('a 0.1 event appears in system event data as 0.1', async () => {
    const before = observed(s).length;
    const v01 = { eventType: 'order.placed', cloudEventsVersion: '0.1', source: '/legacy', eventID: 'sys-01', data: { a: 1 } };
    assert.equal((await emit(s.gw.events, '/orders', v01)).status, 201);
    await waitFor(() => observed(s).length >= before + 3, 3000, 'three system events');
    const got = observed(s).slice(before);
    assert.deepEqual((ofType(got, RECEIVED)[0]!.data as { event: unknown }).event, v01);
    assert.deepEqual((ofType(got, INVOKING)[0]!.data as { event: unknown }).event, v01);
  });

  test('clients cannot emit eventgateway.* types: 400 with a JSON body, whatever the mode', async () => {
    const before = observed(s).length;
    const cases: [string, Promise<RawResponse>][] = [
      ['structured 1.0', emit(s.gw.events, '/', cloudEvent(INVOKED))],
      ['structured 0.1', emit(s.gw.events, '/', { eventType: RECEIVED, cloudEventsVersion: '0.1', source: '/x', eventID: 'x-1' })],
      ['binary 1.0', send(`${s.gw.events}/`, { headers: { 'ce-specversion': '1.0', 'ce-id': 'b', 'ce-source': '/x', 'ce-type': FAILED } })],
      ['legacy header', send(`${s.gw.events}/`, { headers: { event: INVOKING, 'content-type': 'text/plain' }, body: 'x' })],
      ['batch', send(`${s.gw.events}/`, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify([cloudEvent('order.placed'), cloudEvent(RECEIVED)]) })],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      assertJsonError(res, 400, /eventgateway\./);
      assert.ok(what);
    }
    await sleep(200);
    assert.equal(observed(s).length, before, 'no subscriber got any of them');
  });
});

describe('system events per space and envelope', () => {
  test('with a space strategy, system events belong to the event\'s space (subject and subscriptions)', async () => {
    const s = await setup({ spaceStrategy: { kind: 'header' } }, 'my.space');
    try {
      const event = cloudEvent('order.placed');
      assert.equal((await emit(s.gw.events, '/orders', event, { 'x-switchyard-space': 'my.space' })).status, 201);
      await waitFor(() => observed(s).length >= 3, 3000, 'three system events');
      assert.deepEqual(s.bus.map((b) => b.subject).sort(), [RECEIVED, INVOKING, INVOKED].map((t) => `eventgateway.my_space.${t}`).sort());
      assert.equal((ofType(observed(s), INVOKING)[0]!.data as { space: string }).space, 'my.space');
      // An event in the default space makes default-space system events, which the my.space observer never gets.
      const before = observed(s).length;
      assert.equal((await emit(s.gw.events, '/orders', cloudEvent('order.placed'))).status, 202);
      await waitFor(() => s.bus.some((b) => b.subject === `eventgateway.default.${RECEIVED}`), 3000, 'the default-space event.received');
      await sleep(150);
      assert.equal(observed(s).length, before);
    } finally {
      await s.close();
    }
  });

  test('with envelope 0.1, system events are CloudEvents 0.1', async () => {
    const s = await setup({ envelope: '0.1' });
    try {
      assert.equal((await emit(s.gw.events, '/orders', cloudEvent('order.placed'))).status, 201);
      await waitFor(() => observed(s).length >= 3, 3000, 'three system events');
      for (const raw of callsTo(s.fn, '/observer').map((c) => c.json<Record<string, unknown>>())) {
        assert.equal(raw['cloudEventsVersion'], '0.1');
        assert.ok(SYSTEM_TYPES.includes(String(raw['eventType'])));
        // Loop protection's hop count rides in the 0.1 `extensions` map (1: about a client event).
        assert.deepEqual(raw['extensions'], { eventgateway: { transformed: 'true', 'transformation-version': '0.1' }, eventgatewayhops: 1 });
        assert.equal(raw['contentType'], 'application/json');
      }
    } finally {
      await s.close();
    }
  });
});

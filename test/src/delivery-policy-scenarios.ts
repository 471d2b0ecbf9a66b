/**
 * Delivery policy end to end (DESIGN §6, issue #4) as a function of a gateway factory, so that
 * `delivery-policy.test.ts` runs the same scenarios in embedded mode and in cluster mode (NATS): per-subscription
 * `retryPolicy`, Retry-After, non-retryable 4xx, `maxAgeMs`, dead letters (list, get, delete, redrive), the hop
 * count and the refusal of subscriptions that would form a cycle of system events.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { CloudEvent } from '@switchyard/core';
import type { DistributionOptions } from 'switchyard';
import type { FunctionHandler, FunctionServer, RunningGateway } from './helpers.ts';
import { api, callsTo, cloudEvent, emit, quietLogger, registerFunction, send, sleep, startFunction, waitFor } from './helpers.ts';

/** A gateway and the subject pattern that matches all of its system events on its bus. */
export interface ModeGateway extends RunningGateway {
  readonly systemSubjects: string;
}

/** How one mode starts gateways: each call a gateway of its own (own config, queue and dead letters). */
export interface GatewayMode {
  readonly name: string;
  /** A reason to skip every scenario of this mode, or false. */
  readonly skip: string | false;
  start(options: DistributionOptions): Promise<ModeGateway>;
}

/** The gateway-wide default is slow on purpose: a test that finishes quickly used its subscription's own policy. */
const SLOW_DEFAULT = { maxAttempts: 5, minBackoffMs: 5_000, maxBackoffMs: 10_000, maxAgeMs: 60_000 };

export interface DeadLetter {
  space: string; deadLetterId: string; subscriptionId: string; functionId: string; eventType: string; reason: string; attempts: number;
  status?: number; error?: string; acceptedAt: string; deadLetteredAt: string; specVersion: string; event: CloudEvent;
}

type RoutedFunction = FunctionServer & { on(path: string, handler: FunctionHandler): void; times: Map<string, number[]> };

async function startRoutedFunction(): Promise<RoutedFunction> {
  const handlers = new Map<string, FunctionHandler>();
  const times = new Map<string, number[]>();
  const server = await startFunction((call, res: ServerResponse) => {
    const list = times.get(call.url) ?? [];
    list.push(Date.now());
    times.set(call.url, list);
    const handler = handlers.get(call.url);
    if (handler) return handler(call, res);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  return Object.assign(server, { on: (path: string, handler: FunctionHandler) => void handlers.set(path, handler), times });
}

export function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end('{}');
}

/** A function at `<fn.url><id>`, its event type, and an async subscription on `/<id>` with an optional policy. */
export async function asyncRoute(config: string, fnUrl: string, id: string, retryPolicy?: unknown, space = 'default'): Promise<string> {
  await registerFunction(config, id, { url: `${fnUrl}${id}` }, space);
  await api(config, 'POST', `/v1/spaces/${space}/eventtypes`, { name: `${id}.event` });
  const sub = await api<{ subscriptionId: string }>(config, 'POST', `/v1/spaces/${space}/subscriptions`, {
    type: 'async', eventType: `${id}.event`, functionId: id, path: `/${id}`, ...(retryPolicy === undefined ? {} : { retryPolicy }),
  });
  assert.equal(sub.status, 201, sub.text);
  return sub.body.subscriptionId;
}

export const deadLetters = async (config: string, query = ''): Promise<DeadLetter[]> =>
  (await api<{ deadLetters: DeadLetter[] }>(config, 'GET', `/v1/spaces/default/deadletters${query}`)).body.deadLetters;

/** Every scenario of this file against gateways of `mode`. */
export function deliveryPolicyScenarios(mode: GatewayMode): void {
  describe(`delivery policy (${mode.name})`, () => {
    let gw: ModeGateway;
    let fn: RoutedFunction;
    let bus: { type: string; event: CloudEvent }[] = [];
    const ofFunction = (type: string, functionId: string) =>
      bus.filter((b) => b.type === type && (b.event.data as { functionId?: string }).functionId === functionId).map((b) => b.event);

    before(async () => void (fn = await startRoutedFunction()));
    after(() => fn.close());
    beforeEach(async () => {
      gw = await mode.start({ logger: quietLogger(), retryPolicy: SLOW_DEFAULT });
      bus = [];
      const seen = bus;
      gw.gateway.bus.subscribe(gw.systemSubjects, (event) => void seen.push({ type: event.type, event }));
    });
    afterEach(() => gw.close());

    test('fails twice then succeeds: delivered on the third attempt, spaced within the subscription\'s backoff bounds', async () => {
      const policy = { maxAttempts: 4, minBackoffMs: 60, maxBackoffMs: 150 };
      let calls = 0;
      fn.on('/flaky', (_c, res) => reply(res, ++calls <= 2 ? 500 : 200));
      await asyncRoute(gw.config, fn.url, 'flaky', policy);
      assert.equal((await emit(gw.events, '/flaky', cloudEvent('flaky.event'))).status, 202);
      await waitFor(() => calls === 3, 15_000, 'three calls');
      const t = fn.times.get('/flaky')!;
      for (let i = 1; i < t.length; i++) {
        const gap = t[i]! - t[i - 1]!;
        assert.ok(gap >= policy.minBackoffMs - 2 && gap <= policy.maxBackoffMs + 400, `gap ${i}: ${gap} ms`);
      }
      await waitFor(() => ofFunction('eventgateway.delivery.retried', 'flaky').length === 2, 1000, 'two retried events');
      for (const [i, e] of ofFunction('eventgateway.delivery.retried', 'flaky').entries()) {
        const data = e.data as Record<string, unknown>;
        assert.equal(data['attempts'], i + 1);
        assert.equal(data['status'], 500);
        assert.equal(data['eventType'], 'flaky.event');
        assert.equal(typeof data['reason'], 'string');
        const delay = data['delayMs'] as number;
        assert.ok(delay >= policy.minBackoffMs && delay <= policy.maxBackoffMs, `delayMs ${delay}`);
      }
      await sleep(200);
      assert.equal(calls, 3);
      assert.equal(ofFunction('eventgateway.delivery.deadLettered', 'flaky').length, 0);
    });

    test('always failing: dead-lettered with reason, attempts and status; get; redrive delivers once the function recovers', async () => {
      let healthy = false;
      fn.on('/down', (_c, res) => reply(res, healthy ? 200 : 503));
      const subscriptionId = await asyncRoute(gw.config, fn.url, 'down', { maxAttempts: 3, minBackoffMs: 10, maxBackoffMs: 30 });
      const event = cloudEvent('down.event', { data: { n: 1 } });
      assert.equal((await emit(gw.events, '/down', event)).status, 202);
      await waitFor(async () => (await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`)).length === 1, 15_000, 'the dead letter', 100);
      const [dead] = await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`);
      assert.ok(dead);
      assert.equal(dead.attempts, 3);
      assert.equal(dead.status, 503);
      assert.match(dead.reason, /503/);
      assert.equal(dead.functionId, 'down');
      assert.equal(dead.eventType, 'down.event');
      assert.equal(dead.specVersion, '1.0');
      assert.equal(dead.event.id, event.id);
      assert.deepEqual(dead.event.data, { n: 1 });
      assert.equal(callsTo(fn, '/down').length, 3);
      const announced = ofFunction('eventgateway.delivery.deadLettered', 'down');
      assert.equal(announced.length, 1);
      assert.equal((announced[0]!.data as { deadLetterId: string }).deadLetterId, dead.deadLetterId);

      const one = await api<DeadLetter>(gw.config, 'GET', `/v1/spaces/default/deadletters/${dead.deadLetterId}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, dead);

      healthy = true;
      const redrive = await api<{ deadLetterId: string; deliveryId: string }>(gw.config, 'POST', `/v1/spaces/default/deadletters/${dead.deadLetterId}/redrive`);
      assert.equal(redrive.status, 202, redrive.text);
      assert.notEqual(redrive.body.deliveryId, dead.deadLetterId);
      await waitFor(() => callsTo(fn, '/down').length === 4, 15_000, 'the redriven delivery');
      assert.equal(callsTo(fn, '/down')[3]!.json<CloudEvent>().id, event.id);
      assert.equal((await api(gw.config, 'GET', `/v1/spaces/default/deadletters/${dead.deadLetterId}`)).status, 404);
    });

    test('DELETE removes a dead letter; unknown ids are 404 JSON; redrive to a deleted subscription is 400', async () => {
      fn.on('/gone', (_c, res) => reply(res, 500));
      const subscriptionId = await asyncRoute(gw.config, fn.url, 'gone', { maxAttempts: 1 });
      assert.equal((await emit(gw.events, '/gone', cloudEvent('gone.event'))).status, 202);
      assert.equal((await emit(gw.events, '/gone', cloudEvent('gone.event'))).status, 202);
      await waitFor(async () => (await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`)).length === 2, 15_000, 'two dead letters', 100);
      const [first, second] = await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`);
      assert.ok(first && second && first.deadLetteredAt <= second.deadLetteredAt);

      const del = await api(gw.config, 'DELETE', `/v1/spaces/default/deadletters/${first.deadLetterId}`);
      assert.equal(del.status, 204);
      for (const [method, path] of [['GET', ''], ['DELETE', ''], ['POST', '/redrive']] as const) {
        const res: { status: number; body: unknown } = await api<unknown>(gw.config, method, `/v1/spaces/default/deadletters/${first.deadLetterId}${path}`);
        assert.equal(res.status, 404);
        assert.deepEqual(res.body, { errors: [{ message: `Dead letter "${first.deadLetterId}" not found.` }] });
      }

      assert.equal((await api(gw.config, 'DELETE', `/v1/spaces/default/subscriptions/${subscriptionId}`)).status, 204);
      const refused = await api<{ errors: { message: string }[] }>(gw.config, 'POST', `/v1/spaces/default/deadletters/${second.deadLetterId}/redrive`);
      assert.equal(refused.status, 400);
      assert.match(refused.body.errors[0]!.message, new RegExp(`subscription "${subscriptionId}" no longer exists`));
      assert.equal((await api(gw.config, 'GET', `/v1/spaces/default/deadletters/${second.deadLetterId}`)).status, 200);
    });

    test('a 4xx other than 408/429 is not retried: dead-lettered after one attempt', async () => {
      fn.on('/refuse', (_c, res) => reply(res, 422));
      const subscriptionId = await asyncRoute(gw.config, fn.url, 'refuse', { maxAttempts: 5, minBackoffMs: 10, maxBackoffMs: 20 });
      assert.equal((await emit(gw.events, '/refuse', cloudEvent('refuse.event'))).status, 202);
      await waitFor(async () => (await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`)).length === 1, 15_000, 'the dead letter', 100);
      const [dead] = await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`);
      assert.equal(dead!.attempts, 1);
      assert.equal(dead!.status, 422);
      assert.equal(callsTo(fn, '/refuse').length, 1);
    });

    test('Retry-After is honoured (within maxBackoffMs)', async () => {
      let calls = 0;
      fn.on('/later', (_c, res) => (++calls === 1 ? reply(res, 429, { 'retry-after': '1' }) : reply(res, 200)));
      await asyncRoute(gw.config, fn.url, 'later', { maxAttempts: 3, minBackoffMs: 10, maxBackoffMs: 5000 });
      assert.equal((await emit(gw.events, '/later', cloudEvent('later.event'))).status, 202);
      await waitFor(() => calls === 2, 4000, 'the retry');
      const [t0, t1] = fn.times.get('/later')!;
      assert.ok(t1! - t0! >= 990, `retried after ${t1! - t0!} ms`);
    });

    test('maxAgeMs: a delivery older than its policy allows is dead-lettered instead of retried', async () => {
      fn.on('/old', (_c, res) => reply(res, 500));
      const subscriptionId = await asyncRoute(gw.config, fn.url, 'old', { maxAttempts: 100, minBackoffMs: 100, maxBackoffMs: 100, maxAgeMs: 250 });
      assert.equal((await emit(gw.events, '/old', cloudEvent('old.event'))).status, 202);
      await waitFor(async () => (await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`)).length === 1, 15_000, 'the dead letter', 100);
      const [dead] = await deadLetters(gw.config, `?subscriptionId=${subscriptionId}`);
      assert.ok(dead!.attempts >= 2 && dead!.attempts <= 5, `attempts ${dead!.attempts}`);
      assert.equal(dead!.status, 500);
    });

    test('a dead-lettered delivery of a dead-letter notice is kept but not announced (no loop)', async () => {
      fn.on('/alarm', (_c, res) => reply(res, 500));
      fn.on('/boom', (_c, res) => reply(res, 500));
      await registerFunction(gw.config, 'alarm', { url: `${fn.url}alarm` });
      await api(gw.config, 'POST', '/v1/spaces/default/eventtypes', { name: 'eventgateway.delivery.deadLettered' });
      const alarm = await api<{ subscriptionId: string }>(gw.config, 'POST', '/v1/spaces/default/subscriptions', {
        type: 'async', eventType: 'eventgateway.delivery.deadLettered', functionId: 'alarm', path: '/', retryPolicy: { maxAttempts: 2, minBackoffMs: 10, maxBackoffMs: 20 },
      });
      assert.equal(alarm.status, 201, alarm.text);
      await asyncRoute(gw.config, fn.url, 'boom', { maxAttempts: 1 });
      assert.equal((await emit(gw.events, '/boom', cloudEvent('boom.event'))).status, 202);
      await waitFor(async () => (await deadLetters(gw.config, `?subscriptionId=${alarm.body.subscriptionId}`)).length === 1, 15_000, 'the alarm\'s dead letter', 100);
      const [dead] = await deadLetters(gw.config, `?subscriptionId=${alarm.body.subscriptionId}`);
      assert.equal(dead!.eventType, 'eventgateway.delivery.deadLettered');
      assert.equal(dead!.event['eventgatewayhops'], 1);
      await sleep(200);
      assert.equal(callsTo(fn, '/alarm').length, 2);
      assert.equal(ofFunction('eventgateway.delivery.retried', 'alarm').length, 1);
      assert.equal(ofFunction('eventgateway.delivery.deadLettered', 'alarm').length, 0);
      assert.equal((await api(gw.config, 'DELETE', `/v1/spaces/default/subscriptions/${alarm.body.subscriptionId}`)).status, 204);
    });
  });

  describe(`retryPolicy on the Config API (${mode.name})`, () => {
    let gw: ModeGateway;
    before(async () => {
      gw = await mode.start({ logger: quietLogger() });
      await registerFunction(gw.config, 'f', { url: 'http://127.0.0.1:9/' });
      await api(gw.config, 'POST', '/v1/spaces/default/eventtypes', { name: 'p.event' });
    });
    after(() => gw.close());

    test('without retryPolicy the subscription output is the original\'s; with it, it is stored, returned and may change on update', async () => {
      const plain = await api<Record<string, unknown>>(gw.config, 'POST', '/v1/spaces/default/subscriptions', { type: 'async', eventType: 'p.event', functionId: 'f', path: '/plain' });
      assert.equal(plain.status, 201);
      assert.deepEqual(Object.keys(plain.body), ['space', 'subscriptionId', 'type', 'eventType', 'functionId', 'path', 'method']);
      const body = { type: 'async', eventType: 'p.event', functionId: 'f', path: '/pol', retryPolicy: { maxAttempts: 2, maxAgeMs: 5000 } };
      const created = await api<Record<string, unknown>>(gw.config, 'POST', '/v1/spaces/default/subscriptions', body);
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.body['retryPolicy'], { maxAttempts: 2, maxAgeMs: 5000 });
      const id = String(created.body['subscriptionId']);
      const updated = await api<Record<string, unknown>>(gw.config, 'PUT', `/v1/spaces/default/subscriptions/${id}`, { ...body, retryPolicy: { minBackoffMs: 5 } });
      assert.equal(updated.status, 200, updated.text);
      assert.deepEqual((await api<Record<string, unknown>>(gw.config, 'GET', `/v1/spaces/default/subscriptions/${id}`)).body['retryPolicy'], { minBackoffMs: 5 });
    });

    test('an invalid retryPolicy is a 400 naming the field', async () => {
      const res = await api<unknown>(gw.config, 'POST', '/v1/spaces/default/subscriptions', { type: 'async', eventType: 'p.event', functionId: 'f', retryPolicy: { maxAttempts: 0 } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { errors: [{ message: "Subscription doesn't validate. Validation error: retryPolicy.maxAttempts must be an integer from 1 to 100" }] });
      const minMax = await api<{ errors: { message: string }[] }>(gw.config, 'POST', '/v1/spaces/default/subscriptions', {
        type: 'async', eventType: 'p.event', functionId: 'f', retryPolicy: { minBackoffMs: 100, maxBackoffMs: 10 },
      });
      assert.equal(minMax.status, 400);
      assert.match(minMax.body.errors[0]!.message, /minBackoffMs must not be greater than retryPolicy.maxBackoffMs/);
    });

    test('a subscription that would form a cycle of system events is refused with 400', async () => {
      for (const name of ['eventgateway.delivery.retried', 'eventgateway.delivery.deadLettered']) await api(gw.config, 'POST', '/v1/spaces/default/eventtypes', { name });
      const sub = { type: 'async', eventType: 'eventgateway.delivery.retried', functionId: 'f', path: '/' };
      const refused = await api<{ errors: { message: string }[] }>(gw.config, 'POST', '/v1/spaces/default/subscriptions', sub);
      assert.equal(refused.status, 400);
      assert.match(refused.body.errors[0]!.message, /cycle of system events.*retryPolicy\.maxAttempts to 1/);
      const ok = await api<{ subscriptionId: string }>(gw.config, 'POST', '/v1/spaces/default/subscriptions', { ...sub, retryPolicy: { maxAttempts: 1 } });
      assert.equal(ok.status, 201, ok.text);
      const update = await api(gw.config, 'PUT', `/v1/spaces/default/subscriptions/${ok.body.subscriptionId}`, { ...sub, retryPolicy: { maxAttempts: 3 } });
      assert.equal(update.status, 400);
      const dead = await api(gw.config, 'POST', '/v1/spaces/default/subscriptions', { ...sub, eventType: 'eventgateway.delivery.deadLettered' });
      assert.equal(dead.status, 201, dead.text);
    });
  });

  describe(`loop protection: hop count (${mode.name})`, () => {
    let gw: ModeGateway;
    let fn: FunctionServer;
    before(async () => {
      gw = await mode.start({ logger: quietLogger(), maxHops: 3 });
      fn = await startFunction();
      await registerFunction(gw.config, 'obs', { url: `${fn.url}obs` });
      await api(gw.config, 'POST', '/v1/spaces/default/eventtypes', { name: 'eventgateway.event.received' });
      await api(gw.config, 'POST', '/v1/spaces/default/subscriptions', { type: 'async', eventType: 'eventgateway.event.received', functionId: 'obs', path: '/' });
    });
    after(async () => {
      await gw.close();
      await fn.close();
    });

    test('an event past the maximum hop count is refused with 400 (structured and binary)', async () => {
      const res = await emit(gw.events, '/', cloudEvent('x.event', { eventgatewayhops: 4 }));
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { errors: [{ message: 'Event exceeded the maximum hop count of 3 (loop protection)' }] });
      const binary = await send(`${gw.events}/`, {
        headers: { 'ce-specversion': '1.0', 'ce-id': 'b1', 'ce-source': '/t', 'ce-type': 'x.event', 'ce-eventgatewayhops': '9', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(binary.status, 400);
    });

    test('system events count hops: one more than the event they are about; none past the limit', async () => {
      assert.equal((await emit(gw.events, '/', cloudEvent('x.event'))).status, 202);
      assert.equal((await emit(gw.events, '/', cloudEvent('x.event', { eventgatewayhops: 2 }))).status, 202);
      assert.equal((await emit(gw.events, '/', cloudEvent('x.event', { eventgatewayhops: 3 }))).status, 202);
      await waitFor(() => callsTo(fn, '/obs').length >= 2, 15_000, 'two received events');
      await sleep(200);
      const hops = callsTo(fn, '/obs').map((c) => c.json<CloudEvent>()['eventgatewayhops']).sort();
      assert.deepEqual(hops, [1, 3]);
      assert.equal(gw.gateway.systemEvents.suppressed, 1);
    });
  });
}

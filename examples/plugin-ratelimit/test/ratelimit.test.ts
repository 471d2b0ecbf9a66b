import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, isGatewayError, Stage } from '@switchyard/core';
import type { GatewayOptions, GatewayPlugin } from '@switchyard/core';
import { requestJson, startTestGateway } from '@switchyard/core/testing';
import type { JsonReply } from '@switchyard/core/testing';
import { PLUGIN_NAME, RateLimitPlugin } from '../src/index.ts';
import type { RateLimitOptions } from '../src/index.ts';

type Errors = { errors: { message: string }[] };

/**
 * A started gateway with the plugin and a clock the test moves; closed after the suite. `emit` sends an event as
 * `space` (with the `header` space strategy, its `x-switchyard-space` header).
 */
async function start(options: Omit<RateLimitOptions, 'clock'>, gatewayOptions: GatewayOptions = {}) {
  const clock = { now: 0 };
  let reached = 0;
  const counter: GatewayPlugin = { name: 'count', apply: (gw) => void gw.hooks.validation.tap('count', () => void reached++) };
  const gateway = await startTestGateway({ ...gatewayOptions, plugins: [new RateLimitPlugin({ ...options, clock: () => clock.now }), counter] });
  after(() => gateway.close());
  const emit = (type = 'user.created', headers: Record<string, string> = {}, space = 'default'): Promise<JsonReply<Errors>> =>
    gateway.space(space).emit<Errors>(type, {}, { id: 'e1', headers });
  return { eventsUrl: gateway.eventsUrl, clock, emit, reached: () => reached };
}

/** The statuses of these requests, made one after the other. */
async function statuses(requests: (() => Promise<JsonReply<Errors>>)[]): Promise<number[]> {
  const out: number[] = [];
  for (const request of requests) out.push((await request()).status);
  return out;
}

describe('RateLimitPlugin over HTTP', () => {
  it('passes events under the limit and refuses the next with 429, Retry-After and the error envelope', async () => {
    const { emit, reached } = await start({ limit: 2, intervalMs: 10_000 });
    assert.equal((await emit()).status, 202);
    assert.equal((await emit()).status, 202);
    const refused = await emit();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '5'); // one token every 10 000 / 2 ms
    assert.deepEqual(refused.body, { errors: [{ message: 'Rate limit exceeded: 2 events per 10000 ms. Retry in 5 s.' }] });
    assert.equal(reached(), 2, 'a refused event never reaches the later stages');
  });

  it('refills evenly over the interval, never above the limit', async () => {
    const { emit, clock } = await start({ limit: 2, intervalMs: 1_000 });
    assert.deepEqual(await statuses([() => emit(), () => emit(), () => emit()]), [202, 202, 429]);
    clock.now += 499;
    assert.equal((await emit()).status, 429, 'not a whole token yet');
    clock.now += 1;
    assert.deepEqual(await statuses([() => emit(), () => emit()]), [202, 429]);
    clock.now += 60_000;
    assert.deepEqual(await statuses([() => emit(), () => emit(), () => emit()]), [202, 202, 429], 'an idle minute refills to the limit only');
  });

  it('keeps one bucket per API key; requests without a key count against their IP address', async () => {
    const { emit } = await start({ limit: 1, intervalMs: 60_000, key: 'apiKey' });
    assert.equal((await emit('user.created', { 'x-api-key': 'alice' })).status, 202);
    assert.equal((await emit('user.created', { authorization: 'Bearer alice' })).status, 429, 'the same key, sent as a bearer token');
    assert.equal((await emit('user.created', { 'x-api-key': 'bob' })).status, 202);
    assert.equal((await emit()).status, 202, 'no key: the IP bucket');
    assert.equal((await emit()).status, 429);
    assert.equal((await emit('user.created', { 'x-api-key': 'carol' })).status, 202, 'a keyed client is not limited by its IP');
  });

  it('keys by a header when asked', async () => {
    const { emit } = await start({ limit: 1, intervalMs: 60_000, key: { header: 'X-Tenant' } });
    assert.deepEqual(await statuses([() => emit('a', { 'x-tenant': 't1' }), () => emit('a', { 'x-tenant': 't2' })]), [202, 202]);
    assert.equal((await emit('a', { 'x-tenant': 't1' })).status, 429);
  });

  it('applies the first matching rule per event type and space, each with its own bucket', async () => {
    const { emit } = await start({
      limit: 2,
      intervalMs: 60_000,
      rules: [{ eventType: 'order.created', limit: 1, intervalMs: 60_000 }, { space: 'free', limit: 1, intervalMs: 60_000 }],
    }, { spaceStrategy: { kind: 'header' } });
    assert.equal((await emit('order.created')).status, 202);
    const refused = await emit('order.created');
    assert.equal(refused.status, 429);
    assert.match(refused.body.errors[0]!.message, /1 events per 60000 ms for event type "order.created"/);
    assert.deepEqual(await statuses([() => emit('user.created'), () => emit('user.created')]), [202, 202], 'other types: the top-level budget');
    assert.equal((await emit('user.created')).status, 429);
    assert.equal((await emit('user.created', {}, 'free')).status, 202, 'the free space has its own bucket');
    assert.match((await emit('user.created', {}, 'free')).body.errors[0]!.message, /for space "free"/);
    assert.deepEqual(await statuses([() => emit('user.created', {}, 'paid'), () => emit('user.created', {}, 'paid')]), [202, 202], 'buckets are per space');
  });

  it('counts each event of a CloudEvents batch; a batch past the limit is refused whole', async () => {
    const { eventsUrl, emit, reached } = await start({ limit: 2, intervalMs: 60_000 });
    const batch = [1, 2, 3].map((i) => ({ specversion: '1.0', id: `b${i}`, source: 'test', type: 'user.created', data: {} }));
    const refused = await requestJson(eventsUrl, { method: 'POST', body: batch, headers: { 'content-type': 'application/cloudevents-batch+json' } });
    assert.equal(refused.status, 429);
    assert.equal(reached(), 2, 'the first two events were checked and passed on before the third was refused');
    assert.equal((await emit()).status, 429, 'their tokens stay taken');
  });

  it('forgets the least recently used client past maxClients', async () => {
    const { emit } = await start({ limit: 1, intervalMs: 60_000, key: { header: 'x-tenant' }, maxClients: 2 });
    const as = (tenant: string) => emit('a', { 'x-tenant': tenant });
    assert.equal((await as('t1')).status, 202);
    assert.deepEqual(await statuses([() => as('t1'), () => as('t2')]), [429, 202]);
    assert.equal((await as('t3')).status, 202, 't1 is forgotten');
    assert.deepEqual(await statuses([() => as('t1'), () => as('t3')]), [202, 429]);
  });
});

describe('RateLimitPlugin: registration', () => {
  it('taps the auth stage first, ahead of authentication plugins', () => {
    const gateway = new Gateway().use(new RateLimitPlugin({ limit: 1, intervalMs: 1 }));
    assert.deepEqual(gateway.hooks.auth.taps.map((t) => [t.name, t.stage]), [[PLUGIN_NAME, Stage.FIRST]]);
  });

  it('refuses bad options with GW_ERR_PLUGIN_OPTIONS', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { limit: 0, intervalMs: 1000 },
      { limit: 1.5, intervalMs: 1000 },
      { limit: 10, intervalMs: '1s' },
      { limit: 10, intervalMs: 1000, key: 'cookie' },
      { limit: 10, intervalMs: 1000, key: { header: 'bad header' } },
      { limit: 10, intervalMs: 1000, rules: {} },
      { limit: 10, intervalMs: 1000, rules: [{ limit: 1, intervalMs: 1 }] },
      { limit: 10, intervalMs: 1000, rules: [{ eventType: '', limit: 1, intervalMs: 1 }] },
      { limit: 10, intervalMs: 1000, rules: [{ eventType: 'a', limit: -1, intervalMs: 1 }] },
      { limit: 10, intervalMs: 1000, maxClients: 0 },
      { limit: 10, intervalMs: 1000, clock: 5 },
    ];
    for (const options of bad) {
      assert.throws(() => new RateLimitPlugin(options as RateLimitOptions), (err: unknown) =>
        isGatewayError(err) && err.code === 'GW_ERR_PLUGIN_OPTIONS' && err.message.startsWith(`${PLUGIN_NAME}: `), JSON.stringify(options));
    }
    // @ts-expect-error: `limit` is required
    assert.throws(() => new RateLimitPlugin({ intervalMs: 1000 }));
    // @ts-expect-error: keys are 'ip', 'apiKey' or { header }
    assert.throws(() => new RateLimitPlugin({ limit: 1, intervalMs: 1000, key: 'cookie' }));
  });
});

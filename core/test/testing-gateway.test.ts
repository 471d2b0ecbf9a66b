/** `startTestGateway` of `@switchyard/core/testing`: a real gateway on free ports, driven over its two HTTP APIs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerPlugin, type GatewayPlugin, type Invocation } from '../src/index.ts';
import { captureLogger, makeEvent, requestJson, startTestGateway, waitFor } from '../src/testing/index.ts';

/** A provider of type `recorder` that keeps every invocation and answers sync calls with its function's `reply`. */
function recorder(): { plugin: GatewayPlugin; calls: Invocation[] } {
  const calls: Invocation[] = [];
  const plugin = providerPlugin({
    type: 'recorder',
    validate: (config) => (typeof config['reply'] === 'string' ? undefined : 'reply must be a string'),
    async invoke(invocation) {
      calls.push(invocation);
      const body = JSON.stringify({ statusCode: 200, body: `${String(invocation.function.provider['reply'])} ${invocation.event.id}` });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
    },
  });
  return { plugin, calls };
}

describe('testing: startTestGateway', () => {
  it('registers functions and subscriptions over the Config API, then emits over the Events API', async (t) => {
    const { plugin, calls } = recorder();
    const tg = await startTestGateway([plugin]);
    t.after(() => tg.close());
    assert.match(tg.eventsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(tg.configUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const space = tg.space();
    assert.equal(space.url, `${tg.configUrl}/v1/spaces/default`);

    const fn = await space.registerFunction('orders', 'recorder', { reply: 'got' });
    assert.deepEqual(fn, { space: 'default', functionId: 'orders', type: 'recorder', provider: { reply: 'got' } });
    assert.notEqual(tg.gateway.table.function('default', 'orders'), undefined, 'routed when registerFunction resolves');
    await assert.rejects(space.registerFunction('bad', 'recorder', {}), /POST functions in space "default": 400 .*reply must be a string/);
    const refused = await space.post('functions', { functionId: 'bad', type: 'recorder', provider: {} });
    assert.equal(refused.status, 400);

    const sync = await space.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'orders' });
    assert.equal(sync.path, '/orders');
    assert.equal(sync.method, 'POST');
    const reply = await space.emit('order.created', { n: 1 }, { path: '/orders', id: 'o-1' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.text, 'got o-1');

    const async = await space.subscribe({ type: 'async', eventType: 'order.created', functionId: 'orders' }); // the event type exists: reused
    assert.equal(async.path, '/');
    assert.equal((await space.emit('order.created', { n: 2 }, { headers: { 'x-extra': 'yes' } })).status, 202);
    await waitFor(() => calls.length === 2, 10_000, 'the async delivery');
    assert.equal(calls[1]!.mode, 'async');
    assert.deepEqual(calls[1]!.event.data, { n: 2 });
    assert.equal(calls[1]!.event.source, 'https://switchyard.test');
    assert.match(calls[1]!.event.id, /^event-\d+$/);
  });

  it('reads, replaces and deletes resources, and builds invocations for gateway.call', async (t) => {
    const { plugin } = recorder();
    const tg = await startTestGateway([plugin]);
    t.after(() => tg.close());
    const space = tg.space('shop');
    await space.registerFunction('f', 'recorder', { reply: 'one' });
    assert.equal((await space.put('functions', 'f', { type: 'recorder', provider: { reply: 'two' } })).status, 200);
    const read = await space.get('functions', 'f');
    assert.deepEqual((read.body as { provider: unknown }).provider, { reply: 'two' });
    assert.equal(((await space.get('functions')).body as { functions: unknown[] }).functions.length, 1);
    await waitFor(() => tg.gateway.table.function('shop', 'f')?.provider['reply'] === 'two', 5_000, 'the update routed');

    const result = await tg.gateway.call(space.invocation('f', makeEvent('x.y', {}, { id: 'direct' })));
    assert.equal(JSON.parse(result.body.toString('utf8')).body, 'two direct');
    assert.throws(() => space.invocation('nope'), /no function "nope" in space "shop"/);

    assert.equal((await space.delete('functions', 'f')).status, 204);
    assert.equal((await space.get('functions', 'f')).status, 404);
  });

  it('takes gateway options, and emits as the space the space strategy reads', async (t) => {
    const logger = captureLogger();
    for (const spaceStrategy of [{ kind: 'header' as const }, { kind: 'path' as const }]) {
      const { plugin, calls } = recorder();
      const tg = await startTestGateway({ plugins: [plugin], spaceStrategy, logger });
      t.after(() => tg.close());
      assert.equal(tg.gateway.logger, logger);
      for (const name of ['alpha', 'beta']) {
        await tg.space(name).registerFunction('f', 'recorder', { reply: name });
        await tg.space(name).subscribe({ type: 'sync', eventType: 'e', functionId: 'f', path: '/go' });
      }
      const reply = await tg.space('beta').emit('e', {}, { path: '/go', id: '1' });
      assert.equal(reply.text, 'beta 1', spaceStrategy.kind);
      assert.deepEqual(calls.map((c) => c.space), ['beta']);
    }
  });

  it('closes its sockets, and closes the gateway when it cannot start', async () => {
    const tg = await startTestGateway([]);
    await tg.close();
    await assert.rejects(requestJson(tg.eventsUrl), /fetch failed/);
    let closed = false;
    const broken: GatewayPlugin = {
      name: 'broken',
      apply(gateway) {
        gateway.hooks.start.tapPromise('broken', () => Promise.reject(new Error('no start')));
        gateway.hooks.close.tapPromise('broken', async () => void (closed = true));
      },
    };
    await assert.rejects(startTestGateway([broken]), /no start/);
    assert.equal(closed, true);
  });
});

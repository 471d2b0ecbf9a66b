/**
 * The weighted provider in a real Gateway: registered through the Config API, called through the Events API, with
 * real HTTP functions behind it (provider-http).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestJson, startFunctionServer, replyJson, waitFor, type TestSpace } from '@switchyard/core/testing';
import { namedFunction, rejectsWith, sequence, startGateway, syncRoute } from './helpers.ts';

const canary = (v1: number, v2: number) => ({ functions: [{ functionId: 'v1', weight: v1 }, { functionId: 'v2', weight: v2 }] });

async function twoVersions(t: Parameters<typeof startGateway>[0], space: TestSpace) {
  const v1 = await namedFunction(t, 'v1');
  const v2 = await namedFunction(t, 'v2');
  await space.registerFunction('v1', 'http', { url: v1.url });
  await space.registerFunction('v2', 'http', { url: v2.url });
  return { v1, v2 };
}

test('the Config API refuses bad weighted configs with 400 naming the field', async (t) => {
  const h = await startGateway(t);
  const space = h.space();
  const cases: Array<[unknown, RegExp]> = [
    [{}, /functions must be a non-empty array/],
    [{ functions: [{ functionId: 'v1', weight: -1 }] }, /functions\[0\]\.weight must be a positive integer/],
    [{ functions: [{ functionId: 7, weight: 1 }] }, /functions\[0\]\.functionId must be a non-empty string/],
    [{ functions: [{ functionId: 'v1', weight: 1 }, { functionId: 'v1', weight: 1 }] }, /functions\[1\]\.functionId "v1" is listed more than once/],
    [{ functions: [{ functionId: 'v1', weight: 1 }, { functionId: 'canary', weight: 1 }] }, /functions\[1\]\.functionId: a weighted function may not list itself \("canary"\)/],
  ];
  for (const [provider, message] of cases) {
    const reply = await space.post('functions', { functionId: 'canary', type: 'weighted', provider });
    assert.equal(reply.status, 400, reply.text);
    const body = reply.body as { errors: Array<{ message: string }> };
    assert.match(body.errors[0]!.message, /^Function doesn't validate\. Validation error: /);
    assert.match(body.errors[0]!.message, message);
  }
  // An update may not make a weighted function list itself either.
  await space.registerFunction('canary', 'weighted', canary(1, 1));
  const updated = await space.put('functions', 'canary', { type: 'weighted', provider: { functions: [{ functionId: 'canary', weight: 1 }] } });
  assert.equal(updated.status, 400, updated.text);
  assert.match(updated.text, /may not list itself/);
});

test('sync: each call goes to the target the random number picks, and its reply is the reply', async (t) => {
  const h = await startGateway(t, { random: sequence(0, 0.95, 0.5, 0.9) });
  const space = h.space();
  const { v1, v2 } = await twoVersions(t, space);
  await space.registerFunction('canary', 'weighted', canary(90, 10));
  await syncRoute(space, '/shop', 'canary');
  const bodies: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const reply = await requestJson(`${h.eventsUrl}/shop`);
    assert.equal(reply.status, 200, reply.text);
    bodies.push(reply.text);
  }
  assert.deepEqual(bodies, ['v1', 'v2', 'v1', 'v2']);
  assert.equal(v1.calls.length, 2);
  assert.equal(v2.calls.length, 2);
  // The target receives the event itself (the http.request event of the call), not a wrapper.
  const event = v2.calls[0]!.json<{ type: string; data: { path: string } }>();
  assert.equal(event.type, 'http.request');
  assert.equal(event.data.path, '/shop');
});

test('async: the chosen function gets the delivery, the other one nothing', async (t) => {
  const h = await startGateway(t, { random: sequence(0.97) });
  const space = h.space();
  const { v1, v2 } = await twoVersions(t, space);
  await space.registerFunction('canary', 'weighted', canary(90, 10));
  await space.subscribe({ type: 'async', eventType: 'order.created', functionId: 'canary' });
  const emitted = await space.emit('order.created', { orderId: 7 }, { id: 'order-7' });
  assert.equal(emitted.status, 202, emitted.text);
  await waitFor(() => v2.calls.length === 1, 10_000, 'delivery to v2');
  assert.deepEqual(v2.calls[0]!.json<{ id: string; data: unknown }>().data, { orderId: 7 });
  assert.equal(v2.calls[0]!.json<{ id: string }>().id, 'order-7');
  assert.equal(v1.calls.length, 0);
});

test('system events: invoking/invoked for the weighted function and for the chosen one', async (t) => {
  const h = await startGateway(t, { random: sequence(0.1) });
  const space = h.space();
  await twoVersions(t, space);
  await space.registerFunction('canary', 'weighted', canary(50, 50));
  const seen: string[] = [];
  h.gateway.hooks.systemEvent.tap('test', (_space, event) => {
    const data = event.data as { functionId?: string };
    if (event.type.startsWith('eventgateway.function.')) seen.push(`${event.type.slice('eventgateway.function.'.length)} ${data.functionId}`);
  });
  await h.gateway.call(space.invocation('canary'));
  assert.deepEqual(seen, ['invoking canary', 'invoking v1', 'invoked v1', 'invoked canary']);
});

test('a missing target function is a clear failure naming both functions', async (t) => {
  const h = await startGateway(t);
  const space = h.space();
  await space.registerFunction('canary', 'weighted', { functions: [{ functionId: 'gone', weight: 1 }] });
  await rejectsWith(h.gateway.call(space.invocation('canary')), 'GW_ERR_FUNCTION_NOT_FOUND', 'Weighted function "canary" chose function "gone", which does not exist in space "default"');
  await syncRoute(space, '/gone', 'canary');
  const reply = await requestJson(`${h.eventsUrl}/gone`);
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: 'Function call failed. Please check logs.' }] });
});

test('a 5xx from the chosen function is a failed call of the weighted function, with the reply kept', async (t) => {
  const h = await startGateway(t);
  const space = h.space();
  const broken = await startFunctionServer(replyJson({ statusCode: 200, body: 'never' }, 503));
  t.after(() => broken.close());
  await space.registerFunction('broken', 'http', { url: broken.url });
  await space.registerFunction('canary', 'weighted', { functions: [{ functionId: 'broken', weight: 1 }] });
  const err = await rejectsWith(h.gateway.call(space.invocation('canary')), 'GW_ERR_FUNCTION_FAILED', 'Function "canary" replied with status 503');
  assert.equal((err.cause as { status: number }).status, 503);
});

test('nested weighted functions work; cycles and chains past maxDepth fail without looping', async (t) => {
  const h = await startGateway(t, { maxDepth: 2 });
  const space = h.space();
  await twoVersions(t, space);
  await space.registerFunction('inner', 'weighted', { functions: [{ functionId: 'v2', weight: 1 }] });
  await space.registerFunction('outer', 'weighted', { functions: [{ functionId: 'inner', weight: 1 }] });
  const reply = await h.gateway.call(space.invocation('outer'));
  assert.equal(JSON.parse(reply.body.toString()).body, 'v2');

  // Depth 3 (top → outer → inner → v2) is past maxDepth 2.
  await space.registerFunction('top', 'weighted', { functions: [{ functionId: 'outer', weight: 1 }] });
  await rejectsWith(h.gateway.call(space.invocation('top')), 'GW_ERR_LOOP', 'Weighted function "outer" exceeds the nesting limit of 2 weighted functions: top → outer → inner');

  // a → b → a: refused as soon as the chain comes back.
  await space.registerFunction('a', 'weighted', { functions: [{ functionId: 'b', weight: 1 }] });
  await space.registerFunction('b', 'weighted', { functions: [{ functionId: 'a', weight: 1 }] });
  await assert.rejects(h.gateway.call(space.invocation('a')), /Weighted function "b" would call itself again: a → b → a/);
});

test('statistics: 2,000 sync calls over HTTP at 80/20 land within a tolerance that cannot flake', async (t) => {
  const h = await startGateway(t);
  const space = h.space();
  const { v1, v2 } = await twoVersions(t, space);
  await space.registerFunction('canary', 'weighted', canary(80, 20));
  await syncRoute(space, '/stats', 'canary');
  const total = 2_000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      const reply = await requestJson(`${h.eventsUrl}/stats`);
      assert.equal(reply.status, 200, reply.text);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  assert.equal(v1.calls.length + v2.calls.length, total);
  // Binomial(2000, 0.2): mean 400, sd ≈ 17.9. ±143 is 8 sd: a false failure has odds below 1e-14.
  assert.ok(Math.abs(v2.calls.length - 400) <= 143, `v2 got ${v2.calls.length} of ${total}`);
});

test('the README rollout: an http function becomes weighted with a PUT, and back, under the same subscription', async (t) => {
  const h = await startGateway(t, { random: sequence(0.99) });
  const space = h.space();
  const { v1, v2 } = await twoVersions(t, space);
  await space.registerFunction('orders', 'http', { url: v1.url });
  await syncRoute(space, '/orders', 'orders');
  assert.equal((await requestJson(`${h.eventsUrl}/orders`)).text, 'v1');

  const put = (body: unknown) => space.put('functions', 'orders', body);
  const toWeighted = await put({ type: 'weighted', provider: canary(95, 5) });
  assert.equal(toWeighted.status, 200, toWeighted.text);
  await waitFor(() => h.gateway.table.function('default', 'orders')?.type === 'weighted', 5_000, 'orders is weighted');
  assert.equal((await requestJson(`${h.eventsUrl}/orders`)).text, 'v2'); // 0.99 falls in v2's 5 %

  const back = await put({ type: 'http', provider: { url: v2.url } });
  assert.equal(back.status, 200, back.text);
  await waitFor(() => h.gateway.table.function('default', 'orders')?.type === 'http', 5_000, 'orders is http again');
  assert.equal((await requestJson(`${h.eventsUrl}/orders`)).text, 'v2');
  assert.equal(v1.calls.length, 1);
  assert.equal(v2.calls.length, 2);
});

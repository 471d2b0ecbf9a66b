import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { Gateway, GatewayPlugin } from '@switchyard/core';
import { Stage } from '@switchyard/core';
import { AuthPlugin } from '../src/index.ts';
import type { Authorization } from '../src/index.ts';
import type { Call, FunctionServer, Running } from './helpers.ts';
import { addFunction, emit01, emit10, replyJson, request, setup, startDistribution, startFunction, waitFor } from './helpers.ts';

/** An authorizer: `Bearer good…` is allowed as user-1, anything else denied with a message. */
function authorizer(principalId = 'user-1') {
  return (call: Call, res: ServerResponse) => {
    const { request: req } = call.json<{ request: { headers: Record<string, string> } }>();
    const token = req.headers['Authorization'] ?? '';
    res.setHeader('content-type', 'application/json');
    if (token.startsWith('Bearer good')) res.end(JSON.stringify({ authorization: { principalId, context: { role: 'admin', token } } }));
    else res.end(JSON.stringify({ error: { message: 'bad token' } }));
  };
}

/** Records `ctx.state.authorization` as a later `prepare` tap (a filter or transform) sees it, per subscription. */
function stateRecorder(seen: { subscriptionId: string; authorization: Authorization | undefined }[]): GatewayPlugin {
  return {
    name: 'test-state-recorder',
    apply(gw: Gateway) {
      gw.hooks.prepare.tapPromise({ name: 'test-state-recorder', stage: Stage.DEFAULT }, async (invocation, ctx) => {
        seen.push({ subscriptionId: invocation.subscription?.subscriptionId ?? '', authorization: ctx.state.authorization });
        return invocation;
      });
    },
  };
}

describe('authorizer functions over HTTP', () => {
  let gw: Running;
  let auth: FunctionServer;
  let otherAuth: FunctionServer;
  let target: FunctionServer;
  let asyncTarget: FunctionServer;
  let otherTarget: FunctionServer;
  let control: FunctionServer;
  const seen: { subscriptionId: string; authorization: Authorization | undefined }[] = [];

  before(async () => {
    auth = await startFunction(authorizer());
    otherAuth = await startFunction(authorizer('other-user'));
    target = await startFunction();
    asyncTarget = await startFunction();
    otherTarget = await startFunction();
    control = await startFunction();
    gw = await startDistribution([new AuthPlugin(), stateRecorder(seen)]);
    await addFunction(gw.config, 'auth', auth.url);
    await setup(gw.config, { functionId: 'target', url: target.url, eventType: 'user.created', authorizerId: 'auth', type: 'sync', path: '/users' });
    await setup(gw.config, { functionId: 'async-target', url: asyncTarget.url, eventType: 'order.placed', authorizerId: 'auth', type: 'async' });
    await setup(gw.config, { functionId: 'control', url: control.url, eventType: 'order.noauth', type: 'async' });
    // the same event type in another space, with that space's own authorizer (global routing: both get the event)
    await addFunction(gw.config, 'auth', otherAuth.url, 'other');
    await setup(gw.config, { space: 'other', functionId: 'other-target', url: otherTarget.url, eventType: 'order.placed', authorizerId: 'auth', type: 'async' });
  });
  after(async () => {
    await gw.close();
    await Promise.all([auth, otherAuth, target, asyncTarget, otherTarget, control].map((s) => s.close()));
  });

  it('sync: an allowed event reaches the function with its authorization; the authorizer got {event, request}', async () => {
    const before = auth.calls.length;
    const reply = await emit10(`${gw.events}/users?x=1`, 'user.created', { name: 'ann' }, { authorization: 'Bearer good-1' });
    assert.equal(reply.status, 200, reply.text);
    const delivered = target.calls.at(-1)!.json<Record<string, unknown>>();
    assert.deepEqual(delivered['eventgatewayauthorization'], { principalId: 'user-1', context: { role: 'admin', token: 'Bearer good-1' } });
    assert.equal(auth.calls.length, before + 1);
    const call = auth.calls.at(-1)!;
    assert.equal(call.headers['content-type'], 'application/json');
    const payload = call.json<{ event: Record<string, unknown>; request: Record<string, unknown> }>();
    assert.deepEqual(Object.keys(payload), ['event', 'request']);
    assert.equal(payload.event['type'], 'user.created');
    assert.equal(payload.event['specversion'], '1.0');
    assert.deepEqual(payload.event['data'], { name: 'ann' });
    assert.equal(payload.event['eventgatewayauthorization'], undefined, 'the authorizer sees the event before its own verdict');
    const req = payload.request;
    assert.equal(req['body'], null);
    assert.equal(req['params'], null);
    assert.equal(req['method'], 'POST');
    assert.equal(req['path'], '/users');
    assert.deepEqual(req['query'], { x: ['1'] });
    assert.equal((req['headers'] as Record<string, string>)['Authorization'], 'Bearer good-1');
  });

  it('sync: a denied event is a 403 with the authorizer\'s message, and the function is not called', async () => {
    const calls = target.calls.length;
    const reply = await emit10(`${gw.events}/users`, 'user.created', {}, { authorization: 'Bearer bad' });
    assert.equal(reply.status, 403);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(reply.body, { errors: [{ message: 'bad token' }] });
    assert.equal(target.calls.length, calls);
    const rejected = gw.systemEvents.filter((e) => e.event.type === 'eventgateway.event.rejected').at(-1);
    assert.deepEqual(rejected?.event.data, {
      space: 'default', subscriptionId: 'c3luYyx1c2VyLmNyZWF0ZWQsJTJGdXNlcnMsUE9TVA', functionId: 'target', eventType: 'user.created',
      reason: 'authorizer "auth" denied the event: bad token',
    });
  });

  it('async: each subscriber is authorized in its own space; a refused one is skipped and reported', async () => {
    const [a, o] = [asyncTarget.calls.length, otherTarget.calls.length];
    const reply = await emit10(gw.events, 'order.placed', { id: 1 }, { authorization: 'Bearer good-2' });
    assert.equal(reply.status, 202);
    await waitFor(() => asyncTarget.calls.length > a && otherTarget.calls.length > o);
    assert.deepEqual(asyncTarget.calls.at(-1)!.json<Record<string, unknown>>()['eventgatewayauthorization'],
      { principalId: 'user-1', context: { role: 'admin', token: 'Bearer good-2' } });
    assert.deepEqual(otherTarget.calls.at(-1)!.json<Record<string, unknown>>()['eventgatewayauthorization'],
      { principalId: 'other-user', context: { role: 'admin', token: 'Bearer good-2' } });
    assert.deepEqual(seen.slice(-2).map((s) => s.authorization?.principalId).sort(), ['other-user', 'user-1'], 'later prepare taps see each target\'s authorization');

    const rejectedBefore = gw.systemEvents.filter((e) => e.event.type === 'eventgateway.event.rejected').length;
    const c = control.calls.length;
    const denied = await emit10(gw.events, 'order.placed', { id: 2 }, { authorization: 'Bearer nope' });
    assert.equal(denied.status, 202);
    const rejected = gw.systemEvents.filter((e) => e.event.type === 'eventgateway.event.rejected').slice(rejectedBefore);
    assert.equal(rejected.length, 2);
    assert.deepEqual(rejected.map((r) => r.space).sort(), ['default', 'other']);
    for (const r of rejected) {
      const data = r.event.data as Record<string, unknown>;
      assert.equal(data['eventType'], 'order.placed');
      assert.equal(data['reason'], 'authorizer "auth" denied the event: bad token');
      assert.equal(typeof data['subscriptionId'], 'string');
    }
    // a later event proves the queue moved on: the refused deliveries were never enqueued
    await emit10(gw.events, 'order.noauth');
    await waitFor(() => control.calls.length > c);
    assert.equal(asyncTarget.calls.length, a + 1);
    assert.equal(otherTarget.calls.length, o + 1);
  });

  it('CloudEvents 0.1: the authorizer gets the 0.1 event; the authorization is merged into extensions.eventgateway', async () => {
    const a = asyncTarget.calls.length;
    const reply = await emit01(gw.events, 'order.placed', { id: 3 }, { authorization: 'Bearer good-3' }, { extensions: { eventgateway: { transformed: 'no' }, other: 'x' } });
    assert.equal(reply.status, 202);
    await waitFor(() => asyncTarget.calls.length > a);
    const sent = auth.calls.map((c) => c.json<{ event: Record<string, unknown> }>().event).filter((e) => e['eventType'] === 'order.placed').at(-1)!;
    assert.equal(sent['cloudEventsVersion'], '0.1');
    const delivered = asyncTarget.calls.at(-1)!.json<Record<string, unknown>>();
    assert.equal(delivered['cloudEventsVersion'], '0.1');
    assert.deepEqual(delivered['extensions'], {
      eventgateway: { transformed: 'no', authorization: { principalId: 'user-1', context: { role: 'admin', token: 'Bearer good-3' } } },
      other: 'x',
    });
  });

  it('an authorization sent by the client is removed (1.0 attribute and 0.1 extension)', async () => {
    const c = control.calls.length;
    const r1 = await emit10(gw.events, 'order.noauth', {}, {}, { eventgatewayauthorization: '{"principalId":"forged"}' });
    const r2 = await emit01(gw.events, 'order.noauth', {}, {}, { extensions: { eventgateway: { authorization: { principalId: 'forged' }, keep: '1' } } });
    assert.deepEqual([r1.status, r2.status], [202, 202], r1.text + r2.text);
    await waitFor(() => control.calls.length >= c + 2);
    const [v1, v01] = control.calls.slice(-2).map((call) => call.json<Record<string, unknown>>());
    const byVersion = v1!['specversion'] === '1.0' ? { v1: v1!, v01: v01! } : { v1: v01!, v01: v1! };
    assert.equal(Object.hasOwn(byVersion.v1, 'eventgatewayauthorization'), false);
    assert.deepEqual(byVersion.v01['extensions'], { eventgateway: { keep: '1' } });
  });
});

describe('authorizer failures', () => {
  let gw: Running;
  let target: FunctionServer;
  const authorizers: FunctionServer[] = [];

  before(async () => {
    target = await startFunction();
    gw = await startDistribution([new AuthPlugin()]);
    const replies: [string, ReturnType<typeof replyJson>][] = [
      ['empty', replyJson('')],
      ['not-json', replyJson('<html>')],
      ['failing', replyJson({ authorization: { principalId: 'x' } }, 500)],
      ['four-oh-four', replyJson({}, 404)],
      ['bad-context', replyJson({ authorization: { principalId: 'x', context: { n: 1 } } })],
      ['null-error', replyJson({ error: null, authorization: { principalId: 'ok' } })],
      ['empty-object', replyJson({})],
      ['silent-deny', replyJson({ error: {} })],
    ];
    for (const [id, handler] of replies) {
      const server = await startFunction(handler);
      authorizers.push(server);
      await addFunction(gw.config, id, server.url);
      await setup(gw.config, { functionId: `target-${id}`, url: target.url, eventType: `t.${id}`, authorizerId: id, type: 'sync', path: `/${id}` });
    }
  });
  after(async () => {
    await gw.close();
    await Promise.all([target, ...authorizers].map((s) => s.close()));
  });

  for (const id of ['empty', 'not-json', 'failing', 'four-oh-four', 'bad-context', 'silent-deny']) {
    it(`refuses with 403 "Unauthorized" when the authorizer ${id === 'silent-deny' ? 'denies without a message' : `reply is ${id}`}`, async () => {
      const reply = await emit10(`${gw.events}/${id}`, `t.${id}`);
      assert.equal(reply.status, 403, reply.text);
      assert.deepEqual(reply.body, { errors: [{ message: 'Unauthorized' }] });
    });
  }

  it('allows `error: null`, and `{}` (the original\'s quirk) without attaching anything', async () => {
    assert.equal((await emit10(`${gw.events}/null-error`, 't.null-error')).status, 200);
    assert.deepEqual(target.calls.at(-1)!.json<Record<string, unknown>>()['eventgatewayauthorization'], { principalId: 'ok', context: {} });
    assert.equal((await emit10(`${gw.events}/empty-object`, 't.empty-object')).status, 200);
    assert.equal(Object.hasOwn(target.calls.at(-1)!.json<Record<string, unknown>>(), 'eventgatewayauthorization'), false);
  });

  it('refuses when the authorizer function is gone from the routing table', async () => {
    // the Config API forbids deleting an authorizer in use, so remove it from the store directly
    await gw.gateway.store.delete('functions', 'default', 'empty-object');
    await waitFor(() => gw.gateway.table.function('default', 'empty-object') === undefined);
    const reply = await emit10(`${gw.events}/empty-object`, 't.empty-object');
    assert.equal(reply.status, 403);
    const rejected = gw.systemEvents.filter((e) => e.event.type === 'eventgateway.event.rejected').at(-1);
    assert.equal((rejected?.event.data as Record<string, unknown>)['reason'], 'authorizer function "empty-object" not found in space "default"');
  });
});

describe('authorizers never run for system events', () => {
  it('delivers eventgateway.* events to their subscribers without calling the authorizer', async () => {
    const auth = await startFunction(replyJson({ error: { message: 'no' } }));
    const sink = await startFunction();
    const target = await startFunction();
    const gw = await startDistribution([new AuthPlugin()]);
    try {
      await addFunction(gw.config, 'auth', auth.url);
      await setup(gw.config, { functionId: 'sink', url: sink.url, eventType: 'eventgateway.function.invoked', authorizerId: 'auth', type: 'async' });
      await setup(gw.config, { functionId: 'target', url: target.url, eventType: 'plain.event', type: 'async' });
      await emit10(gw.events, 'plain.event');
      await waitFor(() => sink.calls.some((c) => c.json<{ type: string }>().type === 'eventgateway.function.invoked'));
      assert.equal(auth.calls.length, 0);
    } finally {
      await gw.close();
      await Promise.all([auth.close(), sink.close(), target.close()]);
    }
  });
});

describe('authorizer cache', () => {
  it('reuses verdicts per (space, authorizer, event type, credentials) within the TTL; no credentials: no cache', async () => {
    const auth = await startFunction(authorizer());
    const target = await startFunction();
    const plugin = new AuthPlugin({ authorizerCache: { ttlMs: 60_000 } });
    const gw = await startDistribution([plugin]);
    try {
      await addFunction(gw.config, 'auth', auth.url);
      await setup(gw.config, { functionId: 'target', url: target.url, eventType: 'user.created', authorizerId: 'auth', type: 'sync' });
      const send = (headers: Record<string, string>) => emit10(gw.events, 'user.created', {}, headers);
      assert.equal((await send({ authorization: 'Bearer good-a' })).status, 200);
      assert.equal((await send({ authorization: 'Bearer good-a' })).status, 200);
      assert.equal(auth.calls.length, 1, 'second request served from the cache');
      assert.equal((await send({ authorization: 'Bearer bad' })).status, 403);
      assert.equal((await send({ authorization: 'Bearer bad' })).status, 403);
      assert.equal(auth.calls.length, 2, 'denials are cached too');
      assert.equal((await send({ authorization: 'Bearer good-a', cookie: 'session=2' })).status, 200);
      assert.equal(auth.calls.length, 3, 'another cookie is another caller');
      await send({});
      await send({});
      assert.equal(auth.calls.length, 5, 'requests without credentials are never cached');
      const cache = plugin.state(gw.gateway)?.authorizers?.cache;
      assert.equal(cache?.hits, 2);
      // a config change of event types or functions empties the cache
      const updated = await request(`${gw.config}/v1/spaces/default/eventtypes/user.created`, { method: 'PUT', body: { authorizerId: 'auth' } });
      assert.equal(updated.status, 200);
      await waitFor(() => cache?.size === 0);
      await send({ authorization: 'Bearer good-a' });
      assert.equal(auth.calls.length, 6);
    } finally {
      await gw.close();
      await Promise.all([auth.close(), target.close()]);
    }
  });
});

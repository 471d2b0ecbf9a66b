import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError, Stage, SystemEventType } from '@switchyard/core';
import type { ConfigResource, ConfigResourceInput, GatewayError, HttpReply, InvokeResult } from '@switchyard/core';
import { FILTERED_OUT, PLUGIN_NAME, TransformPlugin } from '../src/index.ts';
import { context, event, FN, harness, invocation, subscription } from './helpers.ts';

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isGatewayError(err), `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

function configure(h: ReturnType<typeof harness>, resource: ConfigResource, body: Record<string, unknown>, kind: ConfigResourceInput['kind'] = 'subscriptions') {
  return h.gateway.hooks.configResource.promise(resource, { kind, op: 'create', space: 'default', body });
}

describe('TransformPlugin: registration', () => {
  it('checks its options', () => {
    for (const bad of [{ timeoutMs: 0 }, { timeoutMs: Number.NaN }, { maxDepth: 1.5 }, { cacheSize: -1 }, { maxDepth: '10' }]) {
      assert.throws(() => new TransformPlugin(bad as never), (err: unknown) => isGatewayError(err) && err.code === 'GW_ERR_PLUGIN_OPTIONS', JSON.stringify(bad));
    }
  });

  it('taps by name and stage: prepare after authorization, respond after core mapping', () => {
    const { gateway } = harness();
    const tap = (taps: readonly { name: string; stage?: number }[]) => taps.find((t) => t.name === PLUGIN_NAME);
    assert.equal(tap(gateway.hooks.prepare.taps)?.stage, Stage.LATE);
    assert.deepEqual(gateway.hooks.respond.taps.map((t) => t.name), ['switchyard-core', PLUGIN_NAME]);
    assert.ok(tap(gateway.hooks.transform.taps));
    assert.ok(tap(gateway.hooks.configResource.taps));
  });

  it('checks at start that the installed jsonata enforces the limits', async () => {
    await harness().gateway.hooks.start.promise();
  });
});

describe('TransformPlugin: resource fields', () => {
  it('adds filter and transform after the core fields, only when sent', async () => {
    const h = harness();
    const sub = subscription();
    const out = await configure(h, sub, { filter: 'data.amount > 100', transform: '{ "a": data.amount }' });
    assert.deepEqual(Object.keys(out), [...Object.keys(sub), 'filter', 'transform']);
    assert.equal(await configure(h, sub, {}), sub, 'no fields: the resource is returned as is');
    assert.equal(await configure(h, sub, { filter: null }), sub, 'null counts as absent');
    assert.equal(h.plugin.expressions.compilations, 2);
  });

  it('refuses a syntax error with a 400 naming the field and the position', async () => {
    const err = await rejection(configure(harness(), subscription(), { filter: 'data.items[0' }));
    assert.equal(err.status, 400);
    assert.equal(err.message, 'Subscription doesn\'t validate. Validation error: filter: syntax error at position 12: Expected "]" before end of expression');
    const et = await rejection(configure(harness(), { space: 'default', name: 'a.b' }, { transform: '{ "a": }' }, 'eventtypes'));
    assert.equal(et.message, 'Event Type doesn\'t validate. Validation error: transform: syntax error at position 8: The symbol "}" cannot be used as a unary operator');
  });

  it('refuses fields that are not expressions, and responseTransform on async subscriptions', async () => {
    const h = harness();
    assert.match((await rejection(configure(h, subscription(), { transform: 5 }))).message, /transform: must be a string holding a JSONata expression$/);
    assert.match((await rejection(configure(h, subscription(), { filter: '  ' }))).message, /filter: must not be empty$/);
    assert.match((await rejection(configure(h, subscription(), { filter: 'a'.repeat(20_000) }))).message, /filter: longer than 16384 characters$/);
    const async = await rejection(configure(h, subscription(), { responseTransform: '$' }));
    assert.equal(async.message, "Subscription doesn't validate. Validation error: responseTransform: only sync subscriptions have a reply to transform");
    const sync = await configure(h, subscription({ type: 'sync' }), { responseTransform: '{ "body": body }' });
    assert.equal((sync as { responseTransform?: string }).responseTransform, '{ "body": body }');
  });

  it('refuses expressions on system events, which core delivers without these stages', async () => {
    const h = harness();
    const sub = await rejection(configure(h, subscription({ eventType: 'eventgateway.event.rejected' }), { filter: 'true' }));
    assert.equal(sub.message, "Subscription doesn't validate. Validation error: filter: not applied to system events (eventgateway.*)");
    const et = await rejection(configure(h, { space: 'default', name: 'eventgateway.function.invoked' }, { transform: 'data' }, 'eventtypes'));
    assert.equal(et.status, 400);
  });

  it('leaves other resource kinds alone', async () => {
    const h = harness();
    assert.equal(await configure(h, FN, { filter: 'a[' }, 'functions'), FN);
  });
});

describe('TransformPlugin: event type transform', () => {
  it('replaces the data before routing and keeps the envelope', async () => {
    const h = harness();
    h.put('eventtypes', { space: 'default', name: 'order.created', transform: '{ "total": data.amount, "who": data.customer.name }' });
    const ev = event({ eventgatewayhops: 1 });
    const out = await h.gateway.hooks.transform.promise(ev, context(ev));
    assert.deepEqual(out, { ...ev, datacontenttype: 'application/json', data: { total: 150, who: 'Ann' } });
    const other = event({ type: 'order.shipped' });
    assert.equal(await h.gateway.hooks.transform.promise(other, context(other)), other, 'no transform for that type: unchanged');
  });

  it('labels string data text/plain and leaves the event without data when the result is nothing', async () => {
    const h = harness();
    h.put('eventtypes', { space: 'default', name: 'order.created', transform: 'data.customer.name' });
    h.put('eventtypes', { space: 'default', name: 'order.empty', transform: 'data.nothing' });
    const named = await h.gateway.hooks.transform.promise(event(), context(event()));
    assert.equal(named.data, 'Ann');
    assert.equal(named.datacontenttype, 'text/plain');
    const empty = await h.gateway.hooks.transform.promise(event({ type: 'order.empty' }), context(event()));
    assert.ok(!('data' in empty) && !('datacontenttype' in empty));
  });

  it('fails the request with a 500 that says why (the configuration is at fault, not the client)', async () => {
    const h = harness();
    h.put('eventtypes', { space: 'default', name: 'order.created', transform: 'data.customer.name + 1' });
    const err = await rejection(h.gateway.hooks.transform.promise(event(), context(event())));
    assert.equal(err.status, 500);
    assert.equal(err.expose, true);
    assert.match(err.message, /^Transform failed for event type "order.created": The left side of the "\+" operator must evaluate to a number \(T2001 at position \d+\)$/);
  });
});

describe('TransformPlugin: subscription filter and transform', () => {
  const prepare = (h: ReturnType<typeof harness>, inv: ReturnType<typeof invocation>) => h.gateway.hooks.prepare.promise(inv, context(inv.event));

  it('delivers when the filter is truthy, skips when it is falsy', async () => {
    const h = harness();
    const sub = subscription({ filter: 'data.amount > 100 and type = "order.created"' });
    assert.equal((await prepare(h, invocation(sub, event()))).skip, undefined);
    assert.equal((await prepare(h, invocation(sub, event({ data: { amount: 5 } })))).skip, FILTERED_OUT);
    const nothing = subscription({ filter: 'data.missing' });
    assert.equal((await prepare(h, invocation(nothing, event()))).skip, FILTERED_OUT, 'nothing is falsy');
    const empty = subscription({ filter: 'data.tags' });
    assert.equal((await prepare(h, invocation(empty, event({ data: { tags: [] } })))).skip, FILTERED_OUT, 'JSONata truthiness: [] is false');
  });

  it('filters 0.1 events in the 1.0 shape, extensions and authorization included', async () => {
    const h = harness();
    const v01 = event({
      specversion: '0.1',
      extensions: { eventgateway: { authorization: { principalId: 'alice', context: { plan: 'gold' } } } },
    });
    const sub = subscription({ filter: 'specversion = "0.1" and extensions.eventgateway.authorization.context.plan = "gold"' });
    assert.equal((await prepare(h, invocation(sub, v01, '0.1'))).skip, undefined);
    const anonymous = event({ specversion: '0.1' });
    assert.equal((await prepare(h, invocation(sub, anonymous, '0.1'))).skip, FILTERED_OUT);
  });

  it('binds $authorization to the authorization the auth plugin set for this target', async () => {
    const h = harness();
    const sub = subscription({ filter: '$authorization.principalId = "alice"', transform: '{ "by": $authorization.context.plan, "amount": data.amount }' });
    const inv = invocation(sub, event());
    const ctx = context(inv.event);
    Object.assign(ctx.state, { authorization: { principalId: 'alice', context: { plan: 'gold' } } });
    const out = await h.gateway.hooks.prepare.promise(inv, ctx);
    assert.equal(out.skip, undefined);
    assert.deepEqual(out.event.data, { by: 'gold', amount: 150 });
    const anonymous = invocation(sub, event());
    assert.equal((await prepare(h, anonymous)).skip, FILTERED_OUT, 'no authorization: $authorization is nothing');
  });

  it('transforms the data the target receives, keeping the envelope', async () => {
    const h = harness();
    const sub = subscription({ filter: 'data.amount > 100', transform: '{ "id": id, "amount": data.amount, "currency": $uppercase(data.currency) }' });
    const ev = event();
    const inv = await prepare(h, invocation(sub, ev));
    assert.deepEqual(inv.event, { ...ev, data: { id: 'e-1', amount: 150, currency: 'EUR' } });
    assert.deepEqual(ev.data, { amount: 150, currency: 'eur', customer: { name: 'Ann' } }, 'the event other targets get is untouched');
  });

  it('does not evaluate for a target already skipped (e.g. refused by an authorizer)', async () => {
    const h = harness();
    const inv = invocation(subscription({ filter: 'data.customer.name + 1' }), event());
    inv.skip = 'authorizer refused';
    assert.equal((await prepare(h, inv)).skip, 'authorizer refused');
    assert.equal(h.systemEvents.length, 0);
  });

  it('skips an async target whose expression fails, and reports it (system event and warning)', async () => {
    const h = harness();
    const inv = await prepare(h, invocation(subscription({ transform: 'data.customer.name + 1' }), event()));
    assert.match(inv.skip ?? '', /^Transform failed for subscription sub-1: The left side of the "\+" operator/);
    const rejected = h.systemEvents.find(([, e]) => e.type === SystemEventType.EVENT_REJECTED);
    assert.ok(rejected, 'an eventgateway.event.rejected system event');
    assert.deepEqual(rejected[1].data, {
      space: 'default', subscriptionId: 'sub-1', functionId: 'fn', eventId: 'e-1', eventType: 'order.created', reason: inv.skip,
    });
    assert.ok(h.logger.records.some((r) => r.level === 'warn' && r.msg === 'delivery skipped: subscription expression failed'));
  });

  it('skips and reports an async target whose filter runs away', async () => {
    const h = harness({ timeoutMs: 20 });
    const inv = await prepare(h, invocation(subscription({ filter: '( $f := function($x){ $f($x) }; $f(1) )' }), event()));
    assert.equal(inv.skip, 'Filter failed for subscription sub-1: evaluation exceeded the time limit of 20 ms (is there an infinite loop?)');
    assert.equal(h.systemEvents.filter(([, e]) => e.type === SystemEventType.EVENT_REJECTED).length, 1);
  });

  it('fails a sync call with an exposed 500 naming the subscription', async () => {
    const h = harness();
    const err = await rejection(prepare(h, invocation(subscription({ type: 'sync', filter: '$nope()' }), event())));
    assert.equal(err.status, 500);
    assert.equal(err.expose, true);
    assert.match(err.message, /^Filter failed for subscription sub-1: .*T1006/);
  });

  it('evaluates a stored expression that never went through the Config API (store watch), compiling it once', async () => {
    const h = harness();
    const sub = subscription({ filter: 'data.amount > 100' });
    await prepare(h, invocation(sub, event()));
    await prepare(h, invocation(sub, event()));
    assert.equal(h.plugin.expressions.compilations, 1);
    const broken = subscription({ filter: 'data[' });
    assert.match((await prepare(h, invocation(broken, event()))).skip ?? '', /^Filter failed for subscription sub-1: syntax error at position 5/);
  });
});

describe('TransformPlugin: responseTransform', () => {
  const result = (body: unknown): InvokeResult => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
  const respond = (h: ReturnType<typeof harness>, transform: string | undefined, body: unknown): Promise<HttpReply> => {
    const sub = subscription({ type: 'sync', ...(transform === undefined ? {} : { responseTransform: transform }) });
    return h.gateway.hooks.respond.promise({ status: 200, headers: {}, body: '' }, result(body), invocation(sub, event()));
  };

  it('reshapes the reply core mapped, reading a JSON body as JSON', async () => {
    const h = harness();
    const reply = await respond(h, '{ "statusCode": 201, "headers": { "x-total": $string(body.total) }, "body": { "ok": true, "total": body.total } }', {
      statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ total: 7, internal: 'x' }),
    });
    assert.deepEqual(reply, { status: 201, headers: { 'x-total': '7', 'content-type': 'application/json' }, body: '{"ok":true,"total":7}' });
  });

  it('can keep what it does not change (JSONata transform operator)', async () => {
    const h = harness();
    const reply = await respond(h, '$ ~> | $ | { "statusCode": 202 } |', { statusCode: 200, headers: { 'x-a': 'b' }, body: 'plain text' });
    assert.deepEqual(reply, { status: 202, headers: { 'x-a': 'b' }, body: 'plain text' });
  });

  it('leaves replies of subscriptions without one alone', async () => {
    const reply = await respond(harness(), undefined, { statusCode: 204, body: '' });
    assert.equal(reply.status, 204);
  });

  it('fails with an exposed 500 when the result is not a reply', async () => {
    const h = harness();
    const bad = await rejection(respond(h, '{ "statusCode": 99 }', {}));
    assert.equal(bad.status, 500);
    assert.equal(bad.message, 'Response transform failed for subscription sub-1: statusCode must be an integer from 200 to 599, got 99');
    const scalar = await rejection(respond(h, '"x"', {}));
    assert.match(scalar.message, /the expression must produce an object \{statusCode, headers, body\}$/);
    const header = await rejection(respond(h, '{ "headers": { "bad name": "x" } }', {}));
    assert.match(header.message, /header name "bad name" is not a valid HTTP header name$/);
  });
});

/**
 * Over real HTTP, through the default distribution: resources with expressions made on the Config API, events
 * emitted on the Events API, real function servers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { captureLogger } from '@switchyard/core/testing';
import { TransformPlugin } from '../src/index.ts';
import type { Call, FunctionServer, Running } from './http.ts';
import { create, emit, request, sleep, startFunction, startGateway, waitFor } from './http.ts';

const ORDER_FILTER = 'data.amount > 100 and type = "order.created"';
const ORDER_TRANSFORM = '{ "orderId": id, "amount": data.amount, "customer": data.customer.name }';
const RUNAWAY = '( $f := function($x){ $f($x) }; $f(1) )';
const DEEP = '( $f := function($x){ 1 + $f($x) }; $f(1) )';

type Errors = { errors: { message: string }[] };

describe('transform plugin over HTTP (default distribution)', () => {
  let gw: Running;
  let fn: FunctionServer;
  const to = (path: string): Call[] => fn.calls.filter((c) => c.url === `/${path}`);
  const fnUrl = (path: string): string => `${fn.url}${path}`;

  before(async () => {
    gw = await startGateway([new TransformPlugin({ timeoutMs: 50 })], captureLogger());
    fn = await startFunction((call, res: ServerResponse) => {
      res.setHeader('content-type', 'application/json');
      if (call.url === '/api') {
        const reply = { statusCode: 200, headers: { 'content-type': 'application/json', 'x-debug': '1' }, body: JSON.stringify({ result: { id: 7, echo: call.json<{ data: unknown }>().data }, debug: 'internal' }) };
        return void res.end(JSON.stringify(reply));
      }
      res.end('{}');
    });
    for (const id of ['orders', 'audit', 'normalized', 'api', 'guarded', 'good', 'loop', 'deep', 'observer']) {
      await create(gw.config, 'functions', { functionId: id, type: 'http', provider: { url: fnUrl(id) } });
    }
  });
  after(async () => {
    await gw?.close();
    await fn?.close();
  });

  it('delivers only matching events to a filtered subscription, with the transformed data; others get every event', async () => {
    await create(gw.config, 'eventtypes', { name: 'order.created' });
    const sub = await create(gw.config, 'subscriptions', {
      type: 'async', eventType: 'order.created', functionId: 'orders', path: '/', method: 'POST', filter: ORDER_FILTER, transform: ORDER_TRANSFORM,
    });
    assert.deepEqual(Object.keys(sub), ['space', 'subscriptionId', 'type', 'eventType', 'functionId', 'path', 'method', 'filter', 'transform']);
    const plain = await create(gw.config, 'subscriptions', { type: 'async', eventType: 'order.created', functionId: 'audit', path: '/', method: 'POST' });
    assert.ok(!('filter' in plain) && !('transform' in plain), 'resources without the fields stay as the original returns them');
    const read = await request(`${gw.config}/v1/spaces/default/subscriptions/${String(sub['subscriptionId'])}`, 'GET');
    assert.deepEqual(read.body, sub);

    const customer = { name: 'Ann', email: 'ann@example.com' };
    assert.equal((await emit(gw.events, '/', 'order.created', { amount: 150, customer }, 'big')).status, 202);
    assert.equal((await emit(gw.events, '/', 'order.created', { amount: 50, customer }, 'small')).status, 202);
    // a CloudEvents 0.1 event: filtered in the 1.0 shape, delivered in 0.1
    const v01 = { eventType: 'order.created', cloudEventsVersion: '0.1', source: '/shop', eventID: 'old', contentType: 'application/json', data: { amount: 500, customer } };
    assert.equal((await request(`${gw.events}/`, 'POST', v01, { 'content-type': 'application/cloudevents+json' })).status, 202);

    await waitFor(() => to('audit').length === 3 && to('orders').length === 2, 5000, 'deliveries');
    await sleep(100);
    const got = to('orders').map((c) => c.json<Record<string, unknown>>());
    assert.equal(got.length, 2, 'the small order was filtered out');
    const big = got.find((e) => e['id'] === 'big');
    assert.deepEqual(big?.['data'], { orderId: 'big', amount: 150, customer: 'Ann' });
    assert.equal(big?.['datacontenttype'], 'application/json');
    const old = got.find((e) => e['eventID'] === 'old');
    assert.deepEqual(old?.['data'], { orderId: 'old', amount: 500, customer: 'Ann' });
    assert.equal(old?.['contentType'], 'application/json');
    assert.deepEqual(to('audit').map((c) => c.json<{ data: { amount: number } }>().data.amount).sort(), [150, 50, 500].sort());
  });

  it('normalises an event type\'s data before routing', async () => {
    await create(gw.config, 'eventtypes', { name: 'legacy.order', transform: '{ "amount": data.total_cents / 100, "currency": $uppercase(data.cur) }' });
    // the filter reads the normalised data
    await create(gw.config, 'subscriptions', { type: 'async', eventType: 'legacy.order', functionId: 'normalized', path: '/legacy', method: 'POST', filter: 'data.amount > 10' });
    assert.equal((await emit(gw.events, '/legacy', 'legacy.order', { total_cents: 1250, cur: 'eur' })).status, 202);
    assert.equal((await emit(gw.events, '/legacy', 'legacy.order', { total_cents: 500, cur: 'eur' })).status, 202);
    await waitFor(() => to('normalized').length === 1, 5000, 'normalised delivery');
    await sleep(100);
    assert.equal(to('normalized').length, 1);
    assert.deepEqual(to('normalized')[0]?.json<{ data: unknown }>().data, { amount: 12.5, currency: 'EUR' });
  });

  it('transforms a sync call\'s data and reshapes its reply with responseTransform', async () => {
    await create(gw.config, 'eventtypes', { name: 'http.request' });
    await create(gw.config, 'subscriptions', {
      type: 'sync', eventType: 'http.request', functionId: 'api', path: '/api/:id', method: 'GET',
      transform: '{ "id": data.params.id, "q": data.query.q[0] }',
      responseTransform: '{ "statusCode": 203, "headers": { "x-id": $string(body.result.id) }, "body": body.result }',
    });
    const res = await request(`${gw.events}/api/42?q=hello`, 'GET');
    assert.equal(res.status, 203, res.text);
    assert.equal(res.headers.get('x-id'), '7');
    assert.equal(res.headers.get('x-debug'), null, 'headers not in the result are not sent');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, { id: 7, echo: { id: '42', q: 'hello' } });
  });

  it('refuses a sync call whose filter is falsy with a 403 saying so', async () => {
    await create(gw.config, 'subscriptions', {
      type: 'sync', eventType: 'http.request', functionId: 'guarded', path: '/guarded', method: 'POST', filter: 'data.headers.`X-Tenant` = "acme"',
    });
    assert.equal((await request(`${gw.events}/guarded`, 'POST', {}, { 'x-tenant': 'acme' })).status, 200);
    const refused = await request<Errors>(`${gw.events}/guarded`, 'POST', {}, { 'x-tenant': 'other' });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { errors: [{ message: 'filtered out by subscription filter' }] });
    assert.equal(to('guarded').length, 1);
  });

  it('refuses bad expressions at create and update with a 400 naming the field and position', async () => {
    const bad = await request<Errors>(`${gw.config}/v1/spaces/default/subscriptions`, 'POST', {
      type: 'async', eventType: 'order.created', functionId: 'audit', path: '/bad', method: 'POST', filter: 'data.items[0',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { errors: [{ message: 'Subscription doesn\'t validate. Validation error: filter: syntax error at position 12: Expected "]" before end of expression' }] });
    const et = await request<Errors>(`${gw.config}/v1/spaces/default/eventtypes`, 'POST', { name: 'bad.type', transform: 'foo bar' });
    assert.equal(et.status, 400);
    assert.equal(et.body.errors[0]?.message, 'Event Type doesn\'t validate. Validation error: transform: syntax error at position 7: Syntax error: "bar"');
    assert.equal((await request(`${gw.config}/v1/spaces/default/eventtypes/bad.type`, 'GET')).status, 404);
    const upd = await request<Errors>(`${gw.config}/v1/spaces/default/eventtypes/legacy.order`, 'PUT', { transform: '$x.(' });
    assert.equal(upd.status, 400);
    assert.match(upd.body.errors[0]?.message ?? '', /^Event Type doesn't validate\. Validation error: transform: syntax error at position 4: /);
    const async = await request<Errors>(`${gw.config}/v1/spaces/default/subscriptions`, 'POST', {
      type: 'async', eventType: 'order.created', functionId: 'audit', path: '/bad', method: 'POST', responseTransform: 'body',
    });
    assert.equal(async.status, 400);
  });

  it('stops runaway expressions, reports the skipped target, and keeps serving', async () => {
    await create(gw.config, 'eventtypes', { name: 'eventgateway.event.rejected' });
    await create(gw.config, 'subscriptions', { type: 'async', eventType: 'eventgateway.event.rejected', functionId: 'observer', path: '/', method: 'POST' });
    await create(gw.config, 'eventtypes', { name: 'job.started' });
    await create(gw.config, 'subscriptions', { type: 'async', eventType: 'job.started', functionId: 'good', path: '/jobs', method: 'POST' });
    const loop = await create(gw.config, 'subscriptions', { type: 'async', eventType: 'job.started', functionId: 'loop', path: '/jobs', method: 'POST', filter: RUNAWAY });

    const accepted = await emit(gw.events, '/jobs', 'job.started', { n: 1 }, 'job-1');
    assert.equal(accepted.status, 202, 'the client gets 202 for the other targets');
    await waitFor(() => to('good').length === 1 && to('observer').length === 1, 5000, 'delivery and rejection report');
    assert.equal(to('loop').length, 0);
    const report = to('observer')[0]?.json<{ type: string; data: Record<string, unknown> }>();
    assert.equal(report?.type, 'eventgateway.event.rejected');
    assert.equal(report?.data['subscriptionId'], loop['subscriptionId']);
    assert.equal(report?.data['eventId'], 'job-1');
    assert.equal(report?.data['reason'], `Filter failed for subscription ${String(loop['subscriptionId'])}: evaluation exceeded the time limit of 50 ms (is there an infinite loop?)`);

    await create(gw.config, 'eventtypes', { name: 'job.sync' });
    const deep = await create(gw.config, 'subscriptions', { type: 'sync', eventType: 'job.sync', functionId: 'deep', path: '/deep', method: 'POST', transform: DEEP });
    const failed = await emit(gw.events, '/deep', 'job.sync', {});
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, { errors: [{ message: `Transform failed for subscription ${String(deep['subscriptionId'])}: evaluation exceeded the depth limit of 200 nested steps (is there a runaway recursion?)` }] });
    assert.equal(to('deep').length, 0);

    // still serving: a sync call and an async emit right after
    assert.equal((await request(`${gw.events}/api/1`, 'GET')).status, 203);
    assert.equal((await emit(gw.events, '/jobs', 'job.started', { n: 2 })).status, 202);
    await waitFor(() => to('good').length === 2, 5000, 'second delivery');
  });

  it('an update without the fields removes them (the whole resource is replaced)', async () => {
    const subs = await request<{ subscriptions: { subscriptionId: string; functionId: string }[] }>(`${gw.config}/v1/spaces/default/subscriptions`, 'GET');
    const orders = subs.body.subscriptions.find((s) => s.functionId === 'orders');
    assert.ok(orders);
    const updated = await request<Record<string, unknown>>(`${gw.config}/v1/spaces/default/subscriptions/${orders.subscriptionId}`, 'PUT', {
      type: 'async', eventType: 'order.created', functionId: 'orders', path: '/', method: 'POST',
    });
    assert.equal(updated.status, 200, updated.text);
    assert.ok(!('filter' in updated.body));
    const before = to('orders').length;
    await waitFor(() => gw.gateway.table.subscription('default', orders.subscriptionId)?.filter === undefined, 2000, 'routing update');
    assert.equal((await emit(gw.events, '/', 'order.created', { amount: 1 }, 'tiny')).status, 202);
    await waitFor(() => to('orders').length === before + 1, 5000, 'unfiltered delivery');
    assert.deepEqual(to('orders').at(-1)?.json<{ data: unknown }>().data, { amount: 1 });
  });
});

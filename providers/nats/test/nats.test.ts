/**
 * The nats provider against a private nats-server: services answering by plain subscription, a real Gateway
 * called over HTTP, async deliveries, timeouts, no responders, micro-service error replies, bad configs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError } from '@switchyard/core';
import { makeEvent, requestJson, waitFor } from '@switchyard/core/testing';
import { NatsProvider, natsProvider } from '../src/index.ts';
import { client, natsServer, service, startGateway } from './helpers.ts';

test('sync: an HTTP request becomes a NATS request; the service reply is the HTTP reply', async (t) => {
  const server = await natsServer(t);
  if (!server) return;
  const nc = await client(t, server.url);
  const received = await service(nc, 'svc.shop.get', (r) => {
    const event = JSON.parse(r.body) as { data: { path: string } };
    return { body: JSON.stringify({ statusCode: 201, headers: { 'x-served-by': 'nats' }, body: `served ${event.data.path}` }), headers: { 'x-trace': 'abc' } };
  });
  const h = await startGateway(t, { servers: server.url });
  const space = h.space();
  await space.registerFunction('shop', 'nats', { subject: 'svc.shop.get', timeout: 3000 });
  await space.subscribe({ type: 'sync', eventType: 'http.request', functionId: 'shop', path: '/shop', method: 'GET' });

  const reply = await requestJson(`${h.eventsUrl}/shop`);
  assert.equal(reply.status, 201, reply.text);
  assert.equal(reply.text, 'served /shop');
  assert.equal(reply.headers.get('x-served-by'), 'nats');
  // What the service got: structured CloudEvents JSON, with the content type and attributes in headers.
  const got = received[0]!;
  assert.equal(got.subject, 'svc.shop.get');
  assert.equal(got.headers['content-type'], 'application/cloudevents+json');
  assert.equal(got.headers['ce-type'], 'http.request');
  assert.equal(got.headers['ce-specversion'], '1.0');
  const event = JSON.parse(got.body) as { id: string; type: string; specversion: string };
  assert.equal(event.type, 'http.request');
  assert.equal(got.headers['ce-id'], event.id);

  // The InvokeResult itself: status 200, NATS headers lower-cased, the body.
  const result = await h.gateway.call(space.invocation('shop'));
  assert.equal(result.status, 200);
  assert.equal(result.headers['x-trace'], 'abc');
  assert.match(result.body.toString(), /"statusCode":201/);
});

test('async: an emitted event is delivered to the service; binary mode and payloads', async (t) => {
  const server = await natsServer(t);
  if (!server) return;
  const nc = await client(t, server.url);
  const structured = await service(nc, 'svc.orders.created', () => '');
  const binary = await service(nc, 'svc.orders.binary', () => 'ok');
  const h = await startGateway(t, { servers: server.url });
  const space = h.space();
  await space.registerFunction('orders', 'nats', { subject: 'svc.orders.created' });
  await space.registerFunction('orders-bin', 'nats', { subject: 'svc.orders.binary', binary: true });
  for (const functionId of ['orders', 'orders-bin']) await space.subscribe({ type: 'async', eventType: 'order.created', functionId });
  const emitted = await space.emit('order.created', { orderId: 42 }, { id: 'order-42' });
  assert.equal(emitted.status, 202, emitted.text);
  await waitFor(() => structured.length === 1 && binary.length === 1, 10_000, 'both deliveries');
  assert.deepEqual((JSON.parse(structured[0]!.body) as { data: unknown }).data, { orderId: 42 });
  assert.equal(structured[0]!.headers['ce-id'], 'order-42');
  // Binary mode: the data is the payload, the attributes are headers, the content type is the data's.
  assert.deepEqual(JSON.parse(binary[0]!.body), { orderId: 42 });
  assert.equal(binary[0]!.headers['content-type'], 'application/json');
  assert.equal(binary[0]!.headers['ce-type'], 'order.created');
  assert.equal(binary[0]!.headers['ce-source'], 'https://switchyard.test');

  // A payload set by core (authorizer calls) is sent as is.
  const invocation = { ...space.invocation('orders'), payload: { contentType: 'text/plain', body: 'just this' } };
  await h.gateway.call(invocation);
  await waitFor(() => structured.length === 2, 5_000, 'payload call');
  assert.equal(structured[1]!.body, 'just this');
  assert.equal(structured[1]!.headers['content-type'], 'text/plain');
});

test('timeout and no responders are failures with messages naming the subject', async (t) => {
  const server = await natsServer(t);
  if (!server) return;
  const nc = await client(t, server.url);
  const hung = await service(nc, 'svc.slow', () => undefined);
  const h = await startGateway(t, { servers: server.url, timeoutMs: 300 });
  const space = h.space();
  await space.registerFunction('slow', 'nats', { subject: 'svc.slow' });
  await space.registerFunction('fast-slow', 'nats', { subject: 'svc.slow', timeout: 100 });
  await space.registerFunction('nobody', 'nats', { subject: 'svc.nobody.home' });

  await assert.rejects(h.gateway.call(space.invocation('slow')), (err) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_TIMEOUT');
    assert.equal(err.message, 'Function "slow" timed out after 300 ms waiting for a reply on NATS subject "svc.slow"');
    return true;
  });
  await assert.rejects(h.gateway.call(space.invocation('fast-slow')), /timed out after 100 ms/);
  await waitFor(() => hung.length === 2, 5_000, 'both requests seen by the hung service');

  await assert.rejects(h.gateway.call(space.invocation('nobody')), (err) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.equal(err.status, 503);
    assert.equal(err.message, 'Function "nobody" call failed: no responders on NATS subject "svc.nobody.home" (503 Service Unavailable: no service is listening)');
    return true;
  });

  // Over HTTP: a failed sync call is a 500 with the generic message, as any (details go to logs and system events).
  await space.subscribe({ type: 'sync', eventType: 'http.request', functionId: 'nobody', path: '/nobody', method: 'GET' });
  const reply = await requestJson(`${h.eventsUrl}/nobody`);
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: 'Function call failed. Please check logs.' }] });
});

test('a NATS micro-service error reply: its code is the status, so a 5xx is a failure', async (t) => {
  const server = await natsServer(t);
  if (!server) return;
  const nc = await client(t, server.url);
  await service(nc, 'svc.err.500', () => ({ body: '', headers: { 'Nats-Service-Error-Code': '500', 'Nats-Service-Error': 'database down' } }));
  await service(nc, 'svc.err.404', () => ({ body: '{"statusCode":404,"body":"no such order"}', headers: { 'Nats-Service-Error-Code': '404', 'Nats-Service-Error': 'not found' } }));
  await service(nc, 'svc.err.bogus', () => ({ body: '', headers: { 'Nats-Service-Error-Code': 'oops', 'Nats-Service-Error': 'weird' } }));
  const h = await startGateway(t, { servers: server.url });
  const space = h.space();
  await space.registerFunction('e500', 'nats', { subject: 'svc.err.500' });
  await space.registerFunction('e404', 'nats', { subject: 'svc.err.404' });
  await space.registerFunction('bogus', 'nats', { subject: 'svc.err.bogus' });

  await assert.rejects(h.gateway.call(space.invocation('e500')), (err) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.equal(err.message, 'Function "e500" replied with status 500');
    const cause = err.cause as { status: number; headers: Record<string, string> };
    assert.equal(cause.status, 500);
    assert.equal(cause.headers['nats-service-error'], 'database down');
    return true;
  });
  const notFound = await h.gateway.call(space.invocation('e404'));
  assert.equal(notFound.status, 404);
  assert.equal(notFound.headers['nats-service-error'], 'not found');
  await assert.rejects(h.gateway.call(space.invocation('bogus')), /replied with status 500/);
});

test('bad configs get 400 from the Config API naming the field', async (t) => {
  const server = await natsServer(t);
  if (!server) return;
  const h = await startGateway(t, { servers: server.url });
  const space = h.space();
  const cases: Array<[unknown, RegExp]> = [
    [{}, /subject must be a non-empty string/],
    [{ subject: '' }, /subject must be a non-empty string/],
    [{ subject: 42 }, /subject must be a non-empty string/],
    [{ subject: 'svc.*.create' }, /subject "svc\.\*\.create" must not contain wildcards/],
    [{ subject: 'svc.>' }, /must not contain wildcards/],
    [{ subject: 'svc orders' }, /subject "svc orders" must not contain spaces or control characters/],
    [{ subject: 'svc..orders' }, /must not have empty tokens/],
    [{ subject: '.svc' }, /must not have empty tokens/],
    [{ subject: 'svc.orders', timeout: 0 }, /timeout must be a positive integer number of milliseconds/],
    [{ subject: 'svc.orders', timeout: 1.5 }, /timeout must be a positive integer/],
    [{ subject: 'svc.orders', timeout: '100' }, /timeout must be a positive integer/],
    [{ subject: 'svc.orders', binary: 'yes' }, /binary must be a boolean/],
  ];
  for (const [provider, message] of cases) {
    const reply = await space.post('functions', { functionId: 'f', type: 'nats', provider });
    assert.equal(reply.status, 400, `${JSON.stringify(provider)}: ${reply.text}`);
    const body = reply.body as { errors: Array<{ message: string }> };
    assert.match(body.errors[0]!.message, /^Function doesn't validate\. Validation error: /);
    assert.match(body.errors[0]!.message, message);
  }
});

test('options are checked when the plugin is made; start fails without a server; calls after close fail', async (t) => {
  assert.throws(() => natsProvider({ servers: [] }), /provider-nats: servers must name at least one NATS server/);
  assert.throws(() => natsProvider({ servers: 'nats://x', timeoutMs: -1 }), /provider-nats: timeoutMs must be a positive integer/);
  assert.throws(() => natsProvider({ servers: 'nats://x', user: 'u' }), /user and pass go together/);
  assert.throws(() => natsProvider({ servers: 'nats://x', tls: { certFile: 'c.pem' } }), /tls\.certFile and tls\.keyFile go together/);

  const server = await natsServer(t);
  if (!server) return;
  const provider = new NatsProvider({ servers: server.url });
  const fn = { space: 'default', functionId: 'f', type: 'nats', provider: { subject: 'svc.x' } };
  const call = () => provider.invoke({ space: 'default', function: fn, mode: 'sync', event: makeEvent('t'), specVersion: '1.0' });
  await assert.rejects(call(), /the NATS provider is not started/);
  await provider.start();
  await provider.close();
  await assert.rejects(call(), /the NATS provider is closed/);

  // Nothing listens on a stopped server's port: start rejects (the gateway does not start half-connected).
  const url = server.url;
  await server.stop();
  await assert.rejects(new NatsProvider({ servers: url, connectTimeoutMs: 1000 }).start());
});

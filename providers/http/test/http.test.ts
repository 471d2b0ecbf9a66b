/**
 * Delivery: what the function receives, what the provider hands back, and connection reuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpProvider, httpProvider } from '../src/index.ts';
import { invocation, sampleEvent, startServer, waitFor } from './helpers.ts';

test('structured mode (1.0): POSTs the event as application/cloudevents+json to path and query', async (t) => {
  const server = await startServer((_req, res) => {
    res.setHeader('X-Multi', ['a', 'b']);
    res.setHeader('Content-Type', 'application/json');
    res.end('{"statusCode":201}');
  });
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  const result = await provider.invoke(invocation({ url: `${server.origin}/fn/path?x=1&y=two` }));

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.method, 'POST');
  assert.equal(received.url, '/fn/path?x=1&y=two');
  assert.equal(received.headers['content-type'], 'application/cloudevents+json');
  assert.deepEqual(JSON.parse(received.body), sampleEvent());
  assert.equal(result.status, 200);
  assert.equal(result.headers['content-type'], 'application/json');
  assert.equal(result.headers['x-multi'], 'a, b');
  assert.ok(Buffer.isBuffer(result.body));
  assert.equal(result.body.toString(), '{"statusCode":201}');
});

test('structured mode (0.1): the original field names and order', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));
  const event = sampleEvent({ specversion: '0.1' });

  await provider.invoke(invocation({ url: server.origin }, { event }, '0.1'));

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.url, '/');
  assert.equal(received.headers['content-type'], 'application/cloudevents+json');
  const body = JSON.parse(received.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['eventType', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'contentType', 'data']);
  assert.equal(body['eventType'], 'order.created');
  assert.equal(body['cloudEventsVersion'], '0.1');
  assert.deepEqual(body['data'], { orderId: 42, note: 'hello world' });
});

test('binary mode: attributes as ce-* headers, data as the body, extra headers added', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  await provider.invoke(invocation({ url: server.origin, binary: true, headers: { 'X-Api-Key': 'k1', 'ce-id': 'ignored' } }));

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.headers['ce-id'], 'evt-1');
  assert.equal(received.headers['ce-type'], 'order.created');
  assert.equal(received.headers['ce-specversion'], '1.0');
  // header values are percent-encoded by core's encodeBinary (CloudEvents HTTP binding)
  assert.equal(decodeURIComponent(String(received.headers['ce-source'])), 'https://example.com/orders');
  assert.equal(decodeURIComponent(String(received.headers['ce-time'])), '2024-01-01T00:00:00Z');
  assert.equal(received.headers['content-type'], 'application/json');
  assert.equal(received.headers['x-api-key'], 'k1');
  assert.deepEqual(JSON.parse(received.body), { orderId: 42, note: 'hello world' });
});

test('extra headers are sent in structured mode; the content type stays the gateway\'s', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  await provider.invoke(invocation({ url: server.origin, headers: { 'X-Api-Key': 'secret', Authorization: 'Bearer t' } }));

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.headers['x-api-key'], 'secret');
  assert.equal(received.headers['authorization'], 'Bearer t');
  assert.equal(received.headers['content-type'], 'application/cloudevents+json');
});

test('URL credentials become Basic authorization, as Go\'s client does', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  await provider.invoke(invocation({ url: server.origin.replace('http://', 'http://user:p%40ss@') + '/auth' }));

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.url, '/auth');
  assert.equal(received.headers['authorization'], `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
});

test('payload override: the authorizer payload is sent as given', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  await provider.invoke(
    invocation({ url: server.origin, binary: true, headers: { 'x-extra': '1' } }, { payload: { contentType: 'application/json', body: '{"request":{}}' } }),
  );

  const [received] = server.received;
  assert.ok(received);
  assert.equal(received.headers['content-type'], 'application/json');
  assert.equal(received.headers['x-extra'], '1');
  assert.equal(received.headers['ce-id'], undefined);
  assert.equal(received.body, '{"request":{}}');
});

test('keep-alive: 50 sequential calls and 20 concurrent ones reuse few connections', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));
  const call = invocation({ url: `${server.origin}/keep` });

  for (let i = 0; i < 50; i += 1) {
    const result = await provider.invoke(call);
    assert.equal(result.status, 200);
  }
  assert.equal(server.received.length, 50);
  assert.ok(server.connections <= 2, `expected reuse, saw ${server.connections} connections`);

  await Promise.all(Array.from({ length: 20 }, () => provider.invoke(call)));
  assert.equal(server.received.length, 70);
  assert.ok(server.connections <= 21, `saw ${server.connections} connections`);
});

test('one pool per origin: two URLs on the same server share connections', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  for (let i = 0; i < 10; i += 1) {
    await provider.invoke(invocation({ url: `${server.origin}/a` }));
    await provider.invoke(invocation({ url: `${server.origin}/b?i=${i}` }));
  }
  assert.equal(server.received.length, 20);
  assert.equal(server.received[19]?.url, '/b?i=9');
  assert.ok(server.connections <= 2, `saw ${server.connections} connections`);
});

test('every status resolves: 404 and 500 come back with their body', async (t) => {
  const server = await startServer((req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 500;
    res.end(req.url === '/missing' ? 'not here' : 'boom');
  });
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  const missing = await provider.invoke(invocation({ url: `${server.origin}/missing` }));
  assert.equal(missing.status, 404);
  assert.equal(missing.body.toString(), 'not here');
  const failed = await provider.invoke(invocation({ url: `${server.origin}/error` }));
  assert.equal(failed.status, 500);
  assert.equal(failed.body.toString(), 'boom');
});

test('an empty reply body is an empty Buffer', async (t) => {
  const server = await startServer((_req, res) => {
    res.statusCode = 204;
    res.end();
  });
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), server.close()]));

  const result = await provider.invoke(invocation({ url: server.origin }));
  assert.equal(result.status, 204);
  assert.equal(result.body.length, 0);
});

test('a changed config on the same object is picked up', async (t) => {
  const first = await startServer();
  const second = await startServer();
  const provider = new HttpProvider();
  t.after(() => Promise.all([provider.close(), first.close(), second.close()]));
  const config: Record<string, unknown> = { url: first.origin };
  const call = invocation(config);

  await provider.invoke(call);
  config['url'] = `${second.origin}/moved`;
  config['headers'] = { 'x-moved': 'yes' };
  await provider.invoke(call);

  assert.equal(first.received.length, 1);
  assert.equal(second.received[0]?.url, '/moved');
  assert.equal(second.received[0]?.headers['x-moved'], 'yes');
});

test('close() closes the pools and later calls are refused', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider();
  t.after(() => server.close());

  await provider.invoke(invocation({ url: server.origin }));
  assert.equal(server.open.size, 1);
  await provider.close();
  await waitFor(() => server.open.size === 0);

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), { name: 'GatewayError', code: 'GW_ERR_FUNCTION_FAILED' });
  await provider.close(); // idempotent
});

test('httpProvider() is a plugin named provider-http', () => {
  const plugin = httpProvider({ timeoutMs: 1000 });
  assert.equal(plugin.name, 'provider-http');
  assert.equal(typeof plugin.apply, 'function');
});

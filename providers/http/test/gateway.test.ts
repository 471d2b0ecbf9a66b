/**
 * Wiring: the plugin in a real Gateway, registered through the Config API and called through the Events API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';
import { httpProvider } from '../src/index.ts';
import { startServer } from './helpers.ts';

async function send(url: string, method: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, text: await response.text() };
}

test('httpProvider() in a Gateway: validation on the Config API, sync call on the Events API', async (t) => {
  const fn = await startServer((_req, res, body) => {
    const event = JSON.parse(body) as { type: string; data: { path: string } };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ statusCode: 200, headers: { 'x-fn': 'yes' }, body: `${event.type} ${event.data.path}` }));
  });
  const gateway = new Gateway({ logger: captureLogger() }).use(httpProvider({ allowHosts: ['127.0.0.1'] }));
  t.after(() => fn.close());
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  t.after(() => gateway.close());
  const api = `${configUrl}/v1/spaces/default`;

  const bad = await send(`${api}/functions`, 'POST', { functionId: 'bad', type: 'http', provider: {} });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /missing required fields for HTTP endpoint/);
  const refused = await send(`${api}/functions`, 'POST', { functionId: 'far', type: 'http', provider: { url: 'http://example.com/' } });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /not in the allowed hosts/);

  const created = await send(`${api}/functions`, 'POST', { functionId: 'hello', type: 'http', provider: { url: `${fn.origin}/fn`, timeout: 1000 } });
  assert.equal(created.status, 201, created.text);
  assert.equal((await send(`${api}/eventtypes`, 'POST', { name: 'http.request' })).status, 201);
  const subscribed = await send(`${api}/subscriptions`, 'POST', { type: 'sync', eventType: 'http.request', functionId: 'hello', path: '/hello', method: 'GET' });
  assert.equal(subscribed.status, 201, subscribed.text);

  let reply = { status: 0, text: '' };
  for (let attempt = 0; attempt < 50 && reply.status !== 200; attempt += 1) {
    reply = await send(`${eventsUrl}/hello`, 'GET');
    if (reply.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20)); // routing table catching up
  }
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.text, 'http.request /hello');
  assert.equal(fn.received[0]?.headers['content-type'], 'application/cloudevents+json');
});

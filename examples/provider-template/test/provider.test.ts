/**
 * The file provider in a real Gateway over sockets: registration through the Config API, events emitted on the
 * Events API, and the lines they leave in the files.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGatewayError } from '@switchyard/core';
import { requestJson, startTestGateway, waitFor } from '@switchyard/core/testing';
import { FileProvider, fileProvider } from '../src/index.ts';

async function setup(t: TestContext) {
  const directory = await mkdtemp(join(tmpdir(), 'provider-template-test-'));
  const gateway = await startTestGateway([fileProvider({ directory })]);
  t.after(async () => {
    await gateway.close();
    await rm(directory, { recursive: true, force: true });
  });
  const lines = async (path: string): Promise<Array<Record<string, unknown>>> =>
    (await readFile(join(directory, path), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { eventsUrl: gateway.eventsUrl, space: gateway.space(), lines };
}

test('the Config API refuses bad paths with 400 and the reason', async (t) => {
  const { space } = await setup(t);
  const cases: Array<[unknown, RegExp]> = [
    [{}, /path must be a relative file path ending in "\.jsonl"/],
    [{ path: 'events.txt' }, /ending in "\.jsonl"/],
    [{ path: '/etc/passwd.jsonl' }, /must be relative to the provider's directory/],
    [{ path: '../up.jsonl' }, /may only have segments/],
    [{ path: 'a/../../up.jsonl' }, /may only have segments/],
    [{ path: '.hidden.jsonl' }, /may only have segments/],
    [{ path: 'a//b.jsonl' }, /may only have segments/],
  ];
  for (const [provider, message] of cases) {
    const reply = await space.post('functions', { functionId: 'f', type: 'file', provider });
    assert.equal(reply.status, 400, `${JSON.stringify(provider)}: ${reply.text}`);
    assert.match((reply.body as { errors: Array<{ message: string }> }).errors[0]!.message, message);
  }
});

test('async: 40 events emitted at once become 40 whole lines, one per event', async (t) => {
  const { space, lines } = await setup(t);
  await space.registerFunction('audit', 'file', { path: 'audit/orders.jsonl' });
  await space.subscribe({ type: 'async', eventType: 'order.created', functionId: 'audit' });
  const big = 'x'.repeat(20_000); // large lines, written concurrently: each must stay whole
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => space.emit('order.created', { i, big }, { id: `o-${i}` })));
  assert.ok(replies.every((r) => r.status === 202));
  await waitFor(async () => (await lines('audit/orders.jsonl')).length === 40, 10_000, '40 lines');
  const written = await lines('audit/orders.jsonl');
  assert.deepEqual(written.map((e) => e['id']).sort(), Array.from({ length: 40 }, (_, i) => `o-${i}`).sort());
  assert.ok(written.every((e) => e['type'] === 'order.created' && e['specversion'] === '1.0'));
});

test('sync: the reply says where the event went; a CloudEvents 0.1 event is written in 0.1', async (t) => {
  const { eventsUrl, space, lines } = await setup(t);
  await space.registerFunction('capture', 'file', { path: 'capture.jsonl' });
  await space.subscribe({ type: 'sync', eventType: 'http.request', functionId: 'capture', path: '/capture', method: 'PUT' });
  const reply = await requestJson(`${eventsUrl}/capture`, { method: 'PUT', body: { a: 1 } });
  assert.equal(reply.status, 200, reply.text);
  assert.equal((reply.body as { appended: string }).appended, 'capture.jsonl');
  const [line] = await lines('capture.jsonl');
  assert.equal(line?.['type'], 'http.request');
  assert.deepEqual((line?.['data'] as { body: unknown }).body, { a: 1 });

  await space.subscribe({ type: 'async', eventType: 'legacy.event', functionId: 'capture' });
  const v01 = { cloudEventsVersion: '0.1', eventID: 'old-1', source: 'https://legacy.example/', eventType: 'legacy.event', contentType: 'application/json', data: { v: 1 } };
  assert.equal((await requestJson(eventsUrl, { method: 'POST', body: v01, headers: { 'content-type': 'application/cloudevents+json' } })).status, 202);
  await waitFor(async () => (await lines('capture.jsonl')).length === 2, 10_000, 'the 0.1 line');
  const old = (await lines('capture.jsonl'))[1]!;
  assert.equal(old['eventID'], 'old-1');
  assert.equal(old['cloudEventsVersion'], '0.1');
});

test('options fail loud; close waits for writes, then calls are refused', async () => {
  assert.throws(() => fileProvider({ directory: '' }), (err) => isGatewayError(err) && err.code === 'GW_ERR_PLUGIN_OPTIONS');
  const directory = await mkdtemp(join(tmpdir(), 'provider-template-close-'));
  try {
    const provider = new FileProvider({ directory });
    await provider.start();
    const fn = { space: 'default', functionId: 'f', type: 'file', provider: { path: 'x.jsonl' } };
    const call = () => provider.invoke({ space: 'default', function: fn, mode: 'async', specVersion: '1.0', event: { specversion: '1.0', id: '1', source: 's', type: 't' } });
    const pending = [call(), call(), call()];
    await provider.close();
    assert.equal((await readFile(join(directory, 'x.jsonl'), 'utf8')).split('\n').filter(Boolean).length, 3);
    await Promise.all(pending);
    await assert.rejects(call(), /the file provider is closed/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

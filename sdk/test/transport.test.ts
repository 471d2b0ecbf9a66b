/**
 * The transport: deadlines (`timeoutMs`, per call), the caller's `AbortSignal`, network failures wrapped with their
 * cause, and an injected `fetch`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Switchyard, SwitchyardError } from '../src/index.ts';
import type { FetchLike } from '../src/index.ts';
import { startHarness } from './helpers.ts';

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const err = await promise.then(() => assert.fail('resolved'), (e: unknown) => e);
  assert.ok(err instanceof SwitchyardError, String(err));
  return err;
}

describe('a server that never answers', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('the client\'s timeoutMs ends a Config API call with kind "timeout"', async () => {
    const sy = new Switchyard({ configUrl: url, timeoutMs: 150 });
    const started = Date.now();
    const err = await failure(sy.functions.list());
    assert.equal(err.kind, 'timeout');
    assert.equal(err.status, 0);
    assert.deepEqual(err.messages, ['no reply within 150 ms']);
    assert.equal(err.method, 'GET');
    assert.equal(err.url, `${url}/v1/spaces/default/functions`);
    assert.equal((err.cause as Error).name, 'TimeoutError');
    assert.ok(Date.now() - started < 5_000);
  });

  test('a per-call timeoutMs overrides the client\'s, for emit and call too', async () => {
    const sy = new Switchyard({ eventsUrl: url, timeoutMs: 0 });
    assert.equal((await failure(sy.emit({ type: 't', source: '/s' }, { timeoutMs: 100 }))).kind, 'timeout');
    assert.equal((await failure(sy.call('/x', { timeoutMs: 100 }))).kind, 'timeout');
  });

  test('the caller\'s AbortSignal ends a call with kind "aborted"', async () => {
    const sy = new Switchyard({ configUrl: url, eventsUrl: url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failure(sy.eventTypes.get('x', { signal: controller.signal }));
    assert.equal(err.kind, 'aborted');
    assert.equal(err.status, 0);
    assert.equal((await failure(sy.emit({ type: 't', source: '/s' }, { signal: AbortSignal.abort() }))).kind, 'aborted');
  });
});

test('a refused connection is kind "network" with the cause', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const err = await failure(new Switchyard({ configUrl: `http://127.0.0.1:${port}` }).spaces());
  assert.equal(err.kind, 'network');
  assert.equal(err.status, 0);
  assert.match(err.messages[0]!, /ECONNREFUSED/);
  assert.ok(err.cause instanceof Error);
});

test('an injected fetch makes every call, with the client\'s headers', async () => {
  const h = await startHarness();
  const seen: { method: string; url: string; headers: Headers }[] = [];
  const counting: FetchLike = (input, init) => {
    seen.push({ method: init.method ?? 'GET', url: input, headers: new Headers(init.headers) });
    return fetch(input, init);
  };
  try {
    const sy = h.client({ fetch: counting, headers: { 'x-client': 'sdk-test' } });
    await sy.functions.create({ functionId: 'f', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
    assert.equal((await sy.functions.list()).length, 1);
    assert.equal((await sy.emit({ type: 'nobody.listens', source: '/s' })).status, 202);
    assert.deepEqual(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`), [
      'POST /v1/spaces/default/functions', 'GET /v1/spaces/default/functions', 'POST /',
    ]);
    assert.ok(seen.every((s) => s.headers.get('x-client') === 'sdk-test'));
    assert.equal(seen[0]!.headers.get('content-type'), 'application/json');
    assert.equal(seen[2]!.headers.get('content-type'), 'application/cloudevents+json');
  } finally {
    await h.close();
  }
});

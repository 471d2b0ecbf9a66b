/**
 * Failure semantics: timeouts, transport errors, the response size limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpProvider } from '../src/index.ts';
import { closedPort, invocation, startServer, waitFor } from './helpers.ts';

function silent(): void {}

test('timeout: a server that never answers rejects with GW_ERR_FUNCTION_TIMEOUT (provider default)', async (t) => {
  const server = await startServer(silent);
  const provider = new HttpProvider({ timeoutMs: 150 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  const started = Date.now();
  await assert.rejects(provider.invoke(invocation({ url: server.origin })), (err: Error & { code?: string; status?: number }) => {
    assert.equal(err.name, 'GatewayError');
    assert.equal(err.code, 'GW_ERR_FUNCTION_TIMEOUT');
    assert.equal(err.status, 500);
    assert.match(err.message, /fn-test/);
    assert.match(err.message, /150 ms/);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
  // the request was aborted: its connection is closed (undici may open a fresh idle one)
  const hung = [...server.open];
  assert.equal(hung.length, 1);
  await waitFor(() => hung.every((socket) => socket.destroyed));
});

test('timeout: the function\'s `timeout` overrides the provider default', async (t) => {
  const server = await startServer(silent);
  const provider = new HttpProvider({ timeoutMs: 60_000 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  const started = Date.now();
  await assert.rejects(provider.invoke(invocation({ url: server.origin, timeout: 80 })), { code: 'GW_ERR_FUNCTION_TIMEOUT', message: /80 ms/ });
  assert.ok(Date.now() - started < 2000);
});

test('timeout: a body that stalls after the headers counts too', async (t) => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
  });
  const provider = new HttpProvider({ timeoutMs: 100 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), { code: 'GW_ERR_FUNCTION_TIMEOUT' });
});

test('timeout: a call queued behind a busy connection still times out on time', async (t) => {
  const server = await startServer(silent);
  const provider = new HttpProvider({ timeoutMs: 100, connections: 1 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  const first = provider.invoke(invocation({ url: server.origin, timeout: 5000 }));
  first.catch(() => undefined);
  const started = Date.now();
  await assert.rejects(provider.invoke(invocation({ url: server.origin })), { code: 'GW_ERR_FUNCTION_TIMEOUT' });
  assert.ok(Date.now() - started < 1000, 'the queued call waited for the busy one');
  server.server.closeAllConnections();
  await assert.rejects(first, { code: 'GW_ERR_FUNCTION_FAILED' });
});

test('connection refused rejects with GW_ERR_FUNCTION_FAILED and the cause', async (t) => {
  const port = await closedPort();
  const provider = new HttpProvider();
  t.after(() => provider.close());

  await assert.rejects(provider.invoke(invocation({ url: `http://127.0.0.1:${port}/fn` })), (err: Error & { code?: string }) => {
    assert.equal(err.name, 'GatewayError');
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.match(err.message, /fn-test/);
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(err.cause instanceof Error);
    return true;
  });
});

test('a server that drops the connection rejects with GW_ERR_FUNCTION_FAILED', async (t) => {
  const server = await startServer((req) => req.socket.destroy());
  const provider = new HttpProvider();
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), { code: 'GW_ERR_FUNCTION_FAILED' });
});

test('oversized reply with a content-length is refused before reading: GW_ERR_RESPONSE_TOO_LARGE', async (t) => {
  const server = await startServer((_req, res) => res.end(Buffer.alloc(2048, 'x')));
  const provider = new HttpProvider({ maxResponseBytes: 1024 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'GW_ERR_RESPONSE_TOO_LARGE');
    assert.match(err.message, /1024 bytes/);
    return true;
  });
});

test('oversized chunked reply is aborted while reading: GW_ERR_RESPONSE_TOO_LARGE', async (t) => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }); // no content-length: chunked
    const chunk = Buffer.alloc(512, 'y');
    let sent = 0;
    const pump = (): void => {
      if (res.destroyed || sent >= 64) return void res.end();
      sent += 1;
      res.write(chunk, () => setImmediate(pump));
    };
    pump();
  });
  const provider = new HttpProvider({ maxResponseBytes: 4096 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), { code: 'GW_ERR_RESPONSE_TOO_LARGE' });
});

test('a reply of exactly maxResponseBytes is accepted, and the pool keeps working after a refusal', async (t) => {
  const server = await startServer((req, res) => res.end(Buffer.alloc(req.url === '/big' ? 1025 : 1024, 'z')));
  const provider = new HttpProvider({ maxResponseBytes: 1024 });
  t.after(async () => {
    await server.close();
    await provider.close();
  });

  await assert.rejects(provider.invoke(invocation({ url: `${server.origin}/big` })), { code: 'GW_ERR_RESPONSE_TOO_LARGE' });
  const result = await provider.invoke(invocation({ url: `${server.origin}/fits` }));
  assert.equal(result.body.length, 1024);
});

test('a config that bypassed validation is refused at invoke with its reason', async (t) => {
  const provider = new HttpProvider();
  t.after(() => provider.close());

  await assert.rejects(provider.invoke(invocation({})), { code: 'GW_ERR_FUNCTION_FAILED', message: /missing required fields for HTTP endpoint/ });
  await assert.rejects(provider.invoke(invocation(null as unknown as Record<string, unknown>)), {
    code: 'GW_ERR_FUNCTION_FAILED',
    message: /missing required fields for HTTP endpoint/,
  });
  await assert.rejects(provider.invoke(invocation({ url: 'http://127.0.0.1:1/', timeout: -1 })), {
    code: 'GW_ERR_FUNCTION_FAILED',
    message: /timeout must be a positive integer/,
  });
});

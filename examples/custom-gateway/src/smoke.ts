/**
 * Smoke test: run `gateway.js` as a child process on free ports, register a function (a real local HTTP server)
 * and a sync subscription with a transform through the Config API, call it, check the reply and the metrics,
 * then SIGTERM and expect exit code 0. Exits 1 with the reason (and the gateway's output) on failure.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@switchyard/core';
import { requestJson, startFunctionServer, waitFor } from '@switchyard/core/testing';

// A sync function answers with the HTTP response to send: `{ statusCode, headers, body }` (body a string).
const fn = await startFunctionServer((call, res) => {
  const { data } = call.json<CloudEvent & { data: { name: string } }>();
  const body = JSON.stringify({ greeting: `Hello, ${data.name}!` });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'application/json' }, body }));
});
const child = spawn(process.execPath, [fileURLToPath(new URL('gateway.js', import.meta.url))], {
  env: { ...process.env, EVENTS_PORT: '0', CONFIG_PORT: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

function expect(condition: boolean, what: string, detail: unknown): void {
  if (!condition) throw new Error(`${what}: got ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}

try {
  await waitFor(() => /Config API http/.test(output), 15_000, 'the gateway to print its addresses');
  const [, events, config] = /Events API (\S+), Config API (\S+)/.exec(output)!;
  const space = `${config}/v1/spaces/default`;
  const register = async (path: string, body: unknown): Promise<void> => {
    const res = await requestJson(`${space}/${path}`, { method: 'POST', body });
    expect(res.status === 201, `POST ${path}`, `${res.status} ${res.text}`);
  };
  await register('functions', { functionId: 'hello', type: 'http', provider: { url: fn.url } });
  await register('eventtypes', { name: 'http.request' });
  await register('subscriptions', {
    type: 'sync', eventType: 'http.request', functionId: 'hello', method: 'GET', path: '/hello',
    transform: '{ "name": data.query.name[0] }', // JSONata, from @switchyard/plugin-transform
  });

  const reply = await requestJson(`${events}/hello?name=Ada`);
  expect(reply.status === 200 && JSON.stringify(reply.body) === '{"greeting":"Hello, Ada!"}', 'GET /hello?name=Ada', `${reply.status} ${reply.text}`);
  expect(fn.calls.length === 1, 'calls to the function', fn.calls.length);

  const metrics = await requestJson(`${config}/v1/metrics`);
  const line = 'switchyard_invocation_duration_seconds_count{space="default",function="hello",outcome="success"} 1';
  expect(metrics.status === 200 && metrics.text.includes(line), `/v1/metrics with ${line}`, `${metrics.status} ${metrics.text.slice(0, 500)}`);

  child.kill('SIGTERM');
  const [code, signal] = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit 10 s after SIGTERM')), 10_000))]);
  expect(code === 0, 'exit after SIGTERM', { code, signal });
  console.log('custom-gateway: ok (function registered, GET /hello?name=Ada → {"greeting":"Hello, Ada!"}, metrics counted, exit 0 on SIGTERM)');
} catch (err) {
  console.error(`custom-gateway smoke FAILED: ${err instanceof Error ? err.message : String(err)}\n--- gateway output ---\n${output}`);
  process.exitCode = 1;
} finally {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  await fn.close();
}

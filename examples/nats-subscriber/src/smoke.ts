/**
 * Smoke test: a private nats-server, a cluster-mode gateway on it (`createGateway({ nats })`), the subscriber as a
 * child process, a real function; one event emitted; the subscriber must print the system events it caused. Then
 * everything is stopped (the subscriber by SIGTERM, expecting exit 0). Exits 1 with the reason on failure.
 * Without a nats-server binary: a loud skip and exit 0 — except under CI=true, where that is a failure.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { requestJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import { startNatsServer } from '@switchyard/plugin-nats/testing';
import { createGateway } from 'switchyard';

const EXPECTED = [/^received user\.created in default$/m, /^invoking fn-welcome with user\.created$/m, /^invoked fn-welcome in \d+ ms$/m];

let nats;
try {
  nats = await startNatsServer(); // undefined (after a loud warning) when there is no nats-server; throws under CI=true
} catch (err) {
  console.error(`nats-subscriber smoke FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
if (nats === undefined) {
  console.log('nats-subscriber: SKIPPED — no nats-server binary (install nats-server or set NATS_SERVER_BIN)');
  process.exit(0);
}

const gateway = createGateway({ nats: { servers: nats.url } });
const fn = await startFunctionServer(); // answers every delivery 200 {}
const subscriber = spawn(process.execPath, [fileURLToPath(new URL('subscriber.js', import.meta.url)), nats.url], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
subscriber.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
subscriber.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
const exited = once(subscriber, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

try {
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  await waitFor(() => output.includes('watching '), 15_000, 'the subscriber to connect');
  const space = `${configUrl}/v1/spaces/default`;
  for (const [path, body] of [
    ['functions', { functionId: 'fn-welcome', type: 'http', provider: { url: fn.url } }],
    ['eventtypes', { name: 'user.created' }],
    ['subscriptions', { type: 'async', eventType: 'user.created', functionId: 'fn-welcome', method: 'POST', path: '/' }],
  ] as const) {
    const res = await requestJson(`${space}/${path}`, { method: 'POST', body });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
  }
  // Config lives in JetStream KV: wait until the gateway's routing has the subscription before emitting.
  await waitFor(() => [...gateway.table.async('default', 'POST', '/', 'user.created')].length === 1, 10_000, 'the subscription to reach routing');
  const event = { specversion: '1.0', id: 'u-1', source: 'smoke', type: 'user.created', data: { name: 'Ada' } };
  const emitted = await requestJson(eventsUrl, { method: 'POST', body: event, headers: { 'content-type': 'application/cloudevents+json' } });
  if (emitted.status !== 202) throw new Error(`emit: expected 202, got ${emitted.status} ${emitted.text}`);
  await waitFor(() => EXPECTED.every((line) => line.test(output)), 15_000, `the subscriber to print ${EXPECTED.join(', ')}`);
  subscriber.kill('SIGTERM');
  const [code, signal] = await exited;
  if (code !== 0) throw new Error(`the subscriber exited with ${code ?? signal} after SIGTERM`);
  console.log(`nats-subscriber: ok — the subscriber printed:\n${output.trim()}`);
} catch (err) {
  console.error(`nats-subscriber smoke FAILED: ${err instanceof Error ? err.message : String(err)}\n--- subscriber output ---\n${output}`);
  process.exitCode = 1;
} finally {
  if (subscriber.exitCode === null && subscriber.signalCode === null && subscriber.pid !== undefined) process.kill(subscriber.pid, 'SIGKILL');
  await gateway.close({ timeoutMs: 5_000 }).catch((err: unknown) => console.error('gateway close failed', err));
  await fn.close();
  await nats.stop();
}

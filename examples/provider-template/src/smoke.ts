/**
 * Smoke test: a real gateway with the file provider, a function registered through the Config API, an event
 * emitted on the Events API, and the line it must leave in the file; then a sync call and its reply; then close.
 * Exits 0 only when every step held; otherwise non-zero with the reason.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '@switchyard/core';
import { requestJson, waitFor } from '@switchyard/core/testing';
import { fileProvider } from './index.ts';

const directory = await mkdtemp(join(tmpdir(), 'provider-template-smoke-'));
const gateway = new Gateway().use(fileProvider({ directory }));
const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
const api = `${configUrl}/v1/spaces/default`;

async function create(kind: string, body: unknown): Promise<void> {
  const reply = await requestJson(`${api}/${kind}`, { method: 'POST', body });
  if (reply.status !== 201) throw new Error(`POST ${kind}: expected 201, got ${reply.status} ${reply.text}`);
}

try {
  const refused = await requestJson(`${api}/functions`, { method: 'POST', body: { functionId: 'bad', type: 'file', provider: { path: '../escape.jsonl' } } });
  if (refused.status !== 400) throw new Error(`a path outside the directory: expected 400, got ${refused.status} ${refused.text}`);

  await create('functions', { functionId: 'audit', type: 'file', provider: { path: 'audit/users.jsonl' } });
  await create('eventtypes', { name: 'user.created' });
  await create('subscriptions', { type: 'async', eventType: 'user.created', functionId: 'audit', path: '/', method: 'POST' });
  await waitFor(() => [...gateway.table.async('default', 'POST', '/', 'user.created')].length === 1, 5_000, 'the subscription to be routed');

  const event = { specversion: '1.0', id: 'smoke-1', source: 'smoke', type: 'user.created', datacontenttype: 'application/json', data: { name: 'Ada' } };
  const emitted = await requestJson(eventsUrl, { method: 'POST', body: event, headers: { 'content-type': 'application/cloudevents+json' } });
  if (emitted.status !== 202) throw new Error(`emit: expected 202, got ${emitted.status} ${emitted.text}`);

  const file = join(directory, 'audit', 'users.jsonl');
  const lines = async (): Promise<Array<{ id?: string; data?: unknown }>> =>
    (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id?: string });
  await waitFor(async () => (await lines()).length === 1, 10_000, 'the event to be appended');
  const [written] = await lines();
  if (written?.id !== 'smoke-1' || JSON.stringify(written.data) !== '{"name":"Ada"}') throw new Error(`unexpected line: ${JSON.stringify(written)}`);

  await create('eventtypes', { name: 'http.request' });
  await create('subscriptions', { type: 'sync', eventType: 'http.request', functionId: 'audit', path: '/audit', method: 'POST' });
  await waitFor(() => gateway.table.sync('default', 'POST', '/audit', 'http.request') !== undefined, 5_000, 'the sync route');
  const sync = await requestJson(`${eventsUrl}/audit`, { method: 'POST', body: { hello: 'world' } });
  if (sync.status !== 200 || (sync.body as { appended?: string }).appended !== 'audit/users.jsonl') throw new Error(`sync call: got ${sync.status} ${sync.text}`);
  if ((await lines()).length !== 2) throw new Error('the sync call did not append a line');

  console.log(`provider-template: ok (async event and sync call appended to ${file}; sync reply ${sync.text})`);
} catch (err) {
  console.error(`provider-template smoke FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await gateway.close();
  await rm(directory, { recursive: true, force: true });
}

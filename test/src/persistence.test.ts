/**
 * Persistence through the real CLI (`switchyard --data-dir`): configuration survives a restart and routing works
 * from it at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '@switchyard/core';
import type { CliProcess } from './helpers.ts';
import { api, callsTo, cliPorts, cloudEvent, emit, send, spawnCli, startFunction, stopCli, subscribe, waitFor, withCli } from './helpers.ts';

test('config survives a restart with --data-dir (SIGTERM, restart on the same dir, routing works)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-persist-'));
  const fn = await startFunction((call, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(call.url === '/sync' ? { statusCode: 200, body: 'persisted' } : {}));
  });
  await withCli(t, async (track) => {
    const first = await cliPorts();
    let cli = track(await spawnCli(['--data-dir', dir, ...first.args]));
    await subscribe(first.config, { functionId: 'sync-fn', url: `${fn.url}sync`, eventType: 'http.request', type: 'sync', path: '/persist/:id', method: 'GET' });
    await subscribe(first.config, { functionId: 'async-fn', url: `${fn.url}async`, eventType: 'saved.event', type: 'async', path: '/persist' });
    assert.equal((await api(first.config, 'POST', '/v1/spaces/other/eventtypes', { name: 'other.type', metadata: { team: 'b' } })).status, 201);
    assert.equal((await api(first.config, 'POST', '/v1/spaces/default/cors', { method: 'GET', path: '/persist/:id', allowedOrigins: ['http://app.example'] })).status, 201);
    assert.equal((await send(`${first.events}/persist/1`, { method: 'GET' })).body, 'persisted');
    const before = {
      functions: (await api(first.config, 'GET', '/v1/spaces/default/functions')).text,
      subscriptions: (await api(first.config, 'GET', '/v1/spaces/default/subscriptions')).text,
      eventTypes: (await api(first.config, 'GET', '/v1/spaces/other/eventtypes')).text,
      cors: (await api(first.config, 'GET', '/v1/spaces/default/cors')).text,
    };
    const code = await stopCli(cli);
    assert.equal(code, 0, cli.output());

    // Restart on other ports, same directory.
    const second = await cliPorts();
    cli = track(await spawnCli(['--data-dir', dir, ...second.args]));
    assert.equal((await api(second.config, 'GET', '/v1/spaces/default/functions')).text, before.functions);
    assert.equal((await api(second.config, 'GET', '/v1/spaces/default/subscriptions')).text, before.subscriptions);
    assert.equal((await api(second.config, 'GET', '/v1/spaces/other/eventtypes')).text, before.eventTypes);
    assert.equal((await api(second.config, 'GET', '/v1/spaces/default/cors')).text, before.cors);

    const sync = await send(`${second.events}/persist/2`, { method: 'GET', headers: { origin: 'http://app.example' } });
    assert.equal(sync.status, 200);
    assert.equal(sync.body, 'persisted');
    assert.equal(sync.headers['access-control-allow-origin'], 'http://app.example');
    const params = callsTo(fn, '/sync').at(-1)!.json<{ data: { params: unknown } }>().data.params;
    assert.deepEqual(params, { id: '2' });

    const event = cloudEvent('saved.event');
    assert.equal((await emit(second.events, '/persist', event)).status, 202);
    await waitFor(() => callsTo(fn, '/async').some((c) => c.json<CloudEvent>().id === event.id), 5000, 'async delivery after restart');

    // Changes after the restart persist too.
    assert.equal((await api(second.config, 'DELETE', '/v1/spaces/other/eventtypes/other.type')).status, 204);
    assert.equal(await stopCli(cli), 0, cli.output());
    const third = await cliPorts();
    cli = track(await spawnCli(['--data-dir', dir, ...third.args]));
    assert.equal((await api(third.config, 'GET', '/v1/spaces/other/eventtypes/other.type')).status, 404);
    assert.equal((await api(third.config, 'GET', '/v1/spaces/default/subscriptions')).text, before.subscriptions);
    assert.equal(await stopCli(cli), 0, cli.output());
  }, async () => {
    await fn.close();
    await rm(dir, { recursive: true, force: true });
  });
});

test('without --data-dir nothing survives a restart', async () => {
  let cli: CliProcess | undefined;
  try {
    const ports = await cliPorts();
    cli = await spawnCli(ports.args);
    assert.equal((await api(ports.config, 'POST', '/v1/spaces/default/eventtypes', { name: 'volatile.type' })).status, 201);
    assert.equal(await stopCli(cli), 0, cli.output());
    cli = await spawnCli(ports.args);
    assert.equal((await api(ports.config, 'GET', '/v1/spaces/default/eventtypes/volatile.type')).status, 404);
    assert.equal(await stopCli(cli), 0, cli.output());
  } finally {
    if (cli) await stopCli(cli, 'SIGKILL');
  }
});

test('a crash (SIGKILL) mid-load loses no accepted event: the journal is replayed on restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-crash-'));
  const counts = new Map<string, number>();
  const fn = await startFunction(async (call, res) => {
    await new Promise((r) => setTimeout(r, 5));
    const id = call.json<CloudEvent>().id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    res.end('{}');
  });
  await withCli(t, async (track) => {
    const ports = await cliPorts();
    const args = ['--data-dir', dir, '--workers', '2', '--workers-backlog', '1000', ...ports.args];
    let cli = track(await spawnCli(args));
    await subscribe(ports.config, { functionId: 'counter', url: fn.url, eventType: 'crash.event', type: 'async', path: '/crash' });
    const events = Array.from({ length: 200 }, () => cloudEvent('crash.event'));
    const accepted: string[] = [];
    let answered = 0;
    let next = 0;
    const running = cli;
    const client = async (): Promise<void> => {
      while (next < events.length) {
        const event = events[next++]!;
        try {
          if ((await emit(ports.events, '/crash', event)).status === 202) accepted.push(event.id);
        } catch {
          // the process is gone
        }
        if (++answered === 80) running.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    await cli.exited;
    const undelivered = accepted.filter((id) => !counts.has(id)).length;
    cli = track(await spawnCli(args));
    await waitFor(() => accepted.every((id) => counts.has(id)), 20_000, 'every accepted event after the crash');
    assert.equal(await stopCli(cli), 0, cli.output().slice(-3000));
    const duplicates = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    t.diagnostic(`accepted ${accepted.length}/200, undelivered at the crash ${undelivered}, unique ${counts.size}, duplicates ${duplicates}`);
    assert.ok(accepted.length >= 80);
  }, async () => {
    await fn.close();
    await rm(dir, { recursive: true, force: true });
  });
});

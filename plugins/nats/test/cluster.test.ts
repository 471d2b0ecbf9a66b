/** JetStream specifics beyond the contracts: a consumer shared by several gateways, and NATS going away. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { captureLogger, makeDelivery, recorder, waitFor } from '@switchyard/core/testing';
import { natsCluster, NatsLink, NatsQueue, NatsStore } from '../src/index.ts';
import { startNatsServer } from './nats-server.ts';

const server = await startNatsServer({ jetstream: true });

describe('NATS cluster specifics', { skip: server === undefined ? 'nats-server not found' : false }, () => {
  after(async () => server?.stop());
  const link = (timeoutMs = 5_000): NatsLink => new NatsLink({ servers: server!.url, timeoutMs, logger: captureLogger() });

  it('queues of several gateways share one consumer: each delivery goes to exactly one of them', async () => {
    const options = { stream: 'SHARED', consumer: 'shared', subjectPrefix: 'shared', workers: 4, backlog: 1_000 };
    const one = new NatsQueue({ link: link(), ...options });
    const two = new NatsQueue({ link: link(), ...options });
    const a = recorder();
    const b = recorder();
    await one.start(a.handler);
    await two.start(b.handler);
    const batch = Array.from({ length: 200 }, () => makeDelivery());
    await one.enqueue(batch.slice(0, 100));
    await two.enqueue(batch.slice(100));
    const ids = (): string[] => [...a.calls, ...b.calls].map((c) => c.id);
    await waitFor(() => batch.every((d) => ids().includes(d.id)), 10_000, 'all 200 delivered');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ids().length, 200, 'no delivery made twice');
    assert.ok(a.calls.length > 0 && b.calls.length > 0, `both gateways worked (${a.calls.length}/${b.calls.length})`);
    await one.close({ drain: true, timeoutMs: 5_000 });
    await two.close({ drain: true, timeoutMs: 5_000 });
  });

  it('the same delivery id enqueued twice is stored once (Nats-Msg-Id)', async () => {
    const queue = new NatsQueue({ link: link(), stream: 'DEDUPE', consumer: 'dedupe', subjectPrefix: 'dedupe', workers: 1 });
    const delivery = makeDelivery();
    await queue.enqueue([delivery]);
    await queue.enqueue([delivery]);
    assert.equal(queue.depth(), 1);
    const { calls, handler } = recorder();
    await queue.start(handler);
    await waitFor(() => calls.length === 1 && queue.depth() === 0, 5_000, 'delivered');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls.length, 1);
    await queue.close();
  });

  it('natsCluster shares one connection and closes it after the last part', async () => {
    const cluster = natsCluster({ servers: server!.url, bucket: 'shared-conn', stream: 'SHARED_CONN', subjectPrefix: 'sc', logger: captureLogger() });
    await cluster.store.open();
    await cluster.bus.open();
    await cluster.queue.enqueue([makeDelivery()]);
    const { nc } = await cluster.link.handles();
    await cluster.store.close();
    await cluster.bus.close();
    assert.equal(nc.isClosed(), false);
    await cluster.queue.close();
    await waitFor(() => nc.isClosed(), 5_000, 'connection closed');
  });

  it('opens an existing bucket made with other settings', async () => {
    const first = new NatsStore({ link: link(), bucket: 'settings', replicas: 1 });
    await first.open();
    await first.create('functions', 'default', 'f', { v: 1 });
    const second = new NatsStore({ link: link(), bucket: 'settings', replicas: 3 });
    await second.open();
    assert.deepEqual((await second.get('functions', 'default', 'f'))?.value, { v: 1 });
    await first.close();
    await second.close();
  });

  it('refuses with 503 when NATS is unreachable, instead of accepting and losing', async () => {
    const down = new NatsQueue({ link: new NatsLink({ servers: 'nats://127.0.0.1:1', timeoutMs: 500, logger: captureLogger() }), stream: 'DOWN' });
    await assert.rejects(down.enqueue([makeDelivery()]), (err: { code?: string; status?: number; headers?: Record<string, string> }) => {
      assert.equal(err.code, 'GW_ERR_QUEUE_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.equal(err.headers?.['Retry-After'], '1');
      return true;
    });
    await down.close();
  });

  it('a server restart: watches resume, stored deliveries survive, the queue consumes again', async () => {
    const own = await startNatsServer({ jetstream: true });
    assert.ok(own);
    const make = () => natsCluster({ servers: own.url, timeoutMs: 1_000, bucket: 'restart', stream: 'RESTART', subjectPrefix: 'restart', logger: captureLogger() });
    const gw1 = make();
    const gw2 = make();
    try {
      await gw1.store.open();
      await gw2.store.open();
      const seen: string[] = [];
      await gw2.store.watch((c) => void seen.push(c.op === 'put' ? c.entry.id : `-${c.key.id}`));
      await gw1.queue.enqueue([makeDelivery({ id: 'kept' })]);
      await own.restart();
      await waitFor(async () => (await gw1.store.create('functions', 'default', 'after-restart', {}).catch(() => undefined)) !== undefined, 10_000, 'write after restart');
      await waitFor(() => seen.includes('after-restart'), 10_000, 'watch resumed');
      const { calls, handler } = recorder();
      await gw2.queue.start(handler);
      await waitFor(() => calls.some((c) => c.id === 'kept'), 10_000, 'delivery stored before the restart delivered');
    } finally {
      await gw1.close();
      await gw2.close();
      await own.stop();
    }
  });

  it('refuses with 503 when NATS goes away after start', async () => {
    const own = await startNatsServer({ jetstream: true });
    assert.ok(own);
    const queue = new NatsQueue({ link: new NatsLink({ servers: own.url, timeoutMs: 1_000, logger: captureLogger() }), stream: 'GONE' });
    try {
      await queue.enqueue([makeDelivery()]);
      await own.stop();
      const started = Date.now();
      await assert.rejects(queue.enqueue([makeDelivery()]), { code: 'GW_ERR_QUEUE_UNAVAILABLE', status: 503 });
      assert.ok(Date.now() - started < 5_000, `refused after ${Date.now() - started} ms`);
    } finally {
      await queue.close();
      await own.stop();
    }
  });
});

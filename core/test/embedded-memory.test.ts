import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../src/embedded/memory-bus.ts';
import { MemoryQueue } from '../src/embedded/memory-queue.ts';
import { MemoryStore } from '../src/embedded/memory-store.ts';
import type { StoreChange } from '../src/store.ts';
import {
  CONTRACT_RETRY_POLICY,
  captureLogger,
  configStoreContract,
  deferred,
  deliveryQueueContract,
  makeDelivery,
  recorder,
  sleep,
  systemBusContract,
  waitFor,
  watcher,
} from '../src/testing/index.ts';

const nothing = async (): Promise<void> => {};

configStoreContract('MemoryStore', async () => ({ store: new MemoryStore({ logger: captureLogger() }), cleanup: nothing }));
deliveryQueueContract('MemoryQueue', async (options) => ({ queue: new MemoryQueue({ ...options, logger: captureLogger() }), cleanup: nothing }));
systemBusContract('MemoryBus', async () => ({ bus: new MemoryBus({ logger: captureLogger() }), cleanup: nothing }));

describe('MemoryStore specifics', () => {
  it('notifies watchers synchronously, before the write resolves', async () => {
    const store = new MemoryStore();
    const seen: StoreChange[] = [];
    await store.watch((change) => seen.push(change));
    const write = store.create('functions', 'default', 'f', {});
    assert.equal(seen.length, 1);
    await write;
  });

  it('reports a throwing watcher to the logger', async () => {
    const logger = captureLogger();
    const store = new MemoryStore({ logger });
    await store.watch(() => {
      throw new Error('bug');
    });
    await store.create('functions', 'default', 'f', {});
    assert.equal(logger.records.filter((r) => r.level === 'error').length, 1);
  });

  it('refuses operations after close', async () => {
    const store = new MemoryStore();
    await store.close();
    await assert.rejects(store.get('functions', 'default', 'f'), { code: 'GW_ERR_STORE' });
    await assert.rejects(store.create('functions', 'default', 'f', {}), { code: 'GW_ERR_STORE' });
  });

  it('starts from a snapshot and keeps counting revisions from it', async () => {
    const store = new MemoryStore({ initial: { revision: 41, entries: [{ kind: 'functions', space: 's', id: 'f', value: { v: 1 }, revision: 40 }] } });
    assert.equal((await store.get('functions', 's', 'f'))?.revision, 40);
    assert.equal((await store.create('functions', 's', 'g', {}))?.revision, 42);
  });
});

describe('MemoryQueue specifics', () => {
  it('a scheduled retry holds no worker', async () => {
    const queue = new MemoryQueue({ workers: 1, retryPolicy: { ...CONTRACT_RETRY_POLICY, minBackoffMs: 300, maxBackoffMs: 300 }, logger: captureLogger() });
    const { calls, handler } = recorder((d) => (d.subscriptionId === 'flaky' && d.attempts === 1 ? { ok: false, retryable: true, reason: 'x' } : { ok: true }));
    await queue.start(handler);
    const flaky = makeDelivery({ subscriptionId: 'flaky' });
    const steady = makeDelivery();
    await queue.enqueue([flaky]);
    await waitFor(() => calls.length === 1);
    await queue.enqueue([steady]);
    await waitFor(() => calls.length === 2, 200, 'the second delivery ran while the first waited for its retry');
    assert.equal(calls[1]!.id, steady.id);
    await waitFor(() => calls.length === 3);
    await queue.close();
  });

  it('counts scheduled retries against the backlog', async () => {
    const queue = new MemoryQueue({ workers: 1, backlog: 1, retryPolicy: { ...CONTRACT_RETRY_POLICY, minBackoffMs: 5_000, maxBackoffMs: 5_000 }, logger: captureLogger() });
    const obs = watcher();
    await queue.start(async () => ({ ok: false, retryable: true, reason: 'x' }), obs);
    await queue.enqueue([makeDelivery(), makeDelivery()]);
    await waitFor(() => obs.retried.length === 2);
    assert.deepEqual(queue.stats(), { queued: 0, scheduled: 2, inFlight: 0 });
    await assert.rejects(queue.enqueue([makeDelivery()]), { code: 'GW_ERR_QUEUE_FULL', status: 429 });
    await queue.close();
  });

  it('accepts a delivery id already queued once only', async () => {
    const queue = new MemoryQueue({ logger: captureLogger() });
    const d = makeDelivery();
    await queue.enqueue([d, { ...d }]);
    await queue.enqueue([d]);
    assert.equal(queue.depth(), 1);
    const { calls, handler } = recorder();
    await queue.start(handler);
    await waitFor(() => queue.depth() === 0);
    assert.equal(calls.length, 1);
    await queue.close();
  });

  it('does not let the caller change an accepted delivery', async () => {
    const queue = new MemoryQueue({ logger: captureLogger() });
    const d = makeDelivery();
    await queue.enqueue([d]);
    const { calls, handler } = recorder();
    await queue.start(handler);
    await waitFor(() => calls.length === 1);
    assert.equal(d.attempts, 0);
    await queue.close();
  });

  it('logs the deliveries abandoned by a close without a journal', async () => {
    const logger = captureLogger();
    const queue = new MemoryQueue({ workers: 1, logger });
    const gate = deferred();
    await queue.start(async () => (await gate.promise, { ok: true }));
    await queue.enqueue([makeDelivery(), makeDelivery(), makeDelivery()]);
    await queue.close({ drain: true, timeoutMs: 50 });
    const errors = logger.records.filter((r) => r.level === 'error');
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0]!.obj, { unfinished: 3, inFlight: 1 });
    gate.resolve();
  });

  it('treats a handler result that is not an outcome as a retryable failure', async () => {
    const queue = new MemoryQueue({ retryPolicy: { ...CONTRACT_RETRY_POLICY, maxAttempts: 1 }, logger: captureLogger() });
    const obs = watcher();
    await queue.start(async () => undefined as never, obs);
    await queue.enqueue([makeDelivery()]);
    await waitFor(() => obs.dead.length === 1);
    assert.match(obs.dead[0]!.reason, /no outcome/);
    await queue.close();
  });

  it('refuses a second start and bad options', async () => {
    const queue = new MemoryQueue({ logger: captureLogger() });
    await queue.start(async () => ({ ok: true }));
    await assert.rejects(queue.start(async () => ({ ok: true })), { code: 'GW_ERR_ALREADY_STARTED' });
    await queue.close();
    assert.throws(() => new MemoryQueue({ workers: 0 }), RangeError);
  });
});

describe('MemoryBus specifics', () => {
  it('logs throwing and rejecting handlers', async () => {
    const logger = captureLogger();
    const bus = new MemoryBus({ logger });
    bus.subscribe('a', () => {
      throw new Error('sync');
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a rejecting handler, on purpose: the bus must log it
    bus.subscribe('a', async () => {
      throw new Error('async');
    });
    bus.publish('a', { specversion: '1.0', id: '1', source: 's', type: 't' });
    await sleep(10);
    assert.equal(logger.records.filter((r) => r.level === 'error').length, 2);
  });

  it('logs an event it cannot copy instead of throwing', async () => {
    const logger = captureLogger();
    const bus = new MemoryBus({ logger });
    bus.subscribe('a', () => undefined);
    assert.doesNotThrow(() => bus.publish('a', { specversion: '1.0', id: '1', source: 's', type: 't', data: { f: () => 1 } }));
    assert.equal(logger.records.filter((r) => r.level === 'error').length, 1);
  });

  it('rejects malformed patterns', () => {
    const bus = new MemoryBus();
    for (const pattern of ['', 'a..b', 'a.>.b', '.a']) assert.throws(() => bus.subscribe(pattern, () => undefined), TypeError, pattern);
  });
});

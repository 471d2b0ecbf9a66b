/**
 * The `DeliveryQueue` contract: the in-process queue (with and without a journal) and the JetStream queue run
 * these exact tests. Timing assumptions are generous (waits up to seconds); spacing checks allow 5 ms of timer skew.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayError } from '../../errors.ts';
import type { DeliveryOutcome, DeliveryQueue } from '../../queue.ts';
import { deferred, makeDelivery, sleep, waitFor } from '../helpers.ts';
import { durabilityTests } from './delivery-queue-durability.ts';
import { CONTRACT_RETRY_POLICY, recorder, watcher, type DeliveryQueueFactory, type QueueTest } from './queue-kit.ts';

const fail = (reason: string, retryable = true): DeliveryOutcome => ({ ok: false, retryable, reason });

/** Register the `DeliveryQueue` contract tests (node:test) for one implementation. */
export function deliveryQueueContract(name: string, factory: DeliveryQueueFactory): void {
  const test: QueueTest = (title, options, fn) => {
    it(title, async () => {
      const harness = await factory({ workers: 4, backlog: 100, retryPolicy: CONTRACT_RETRY_POLICY, ...options });
      const queues: DeliveryQueue[] = [harness.queue];
      const track = (queue: DeliveryQueue): DeliveryQueue => (queues.push(queue), queue);
      try {
        await fn({ queue: harness.queue, harness, track });
      } finally {
        for (const queue of queues) await queue.close().catch(() => undefined);
        await harness.cleanup();
      }
    });
  };

  describe(`DeliveryQueue contract: ${name}`, () => {
    test('delivers every accepted delivery', {}, async ({ queue }) => {
      const { calls, handler } = recorder();
      await queue.start(handler);
      const batches = [0, 1, 2].map(() => Array.from({ length: 20 }, () => makeDelivery()));
      for (const batch of batches) await queue.enqueue(batch);
      const ids = batches.flat().map((d) => d.id);
      await waitFor(() => ids.every((id) => calls.some((c) => c.id === id)), 10_000, 'all 60 delivered');
      await waitFor(() => queue.depth() === 0, 5_000, 'depth 0');
      for (const call of calls) assert.equal(call.attempts, 1);
    });

    test('delivers what was enqueued before start', {}, async ({ queue }) => {
      const batch = Array.from({ length: 5 }, () => makeDelivery());
      await queue.enqueue(batch);
      const { calls, handler } = recorder();
      await queue.start(handler);
      await waitFor(() => batch.every((d) => calls.some((c) => c.id === d.id)), 10_000, 'all delivered');
    });

    test('never runs more handlers at once than workers', { workers: 3 }, async ({ queue }) => {
      let active = 0;
      let peak = 0;
      let done = 0;
      await queue.start(async () => {
        peak = Math.max(peak, ++active);
        await sleep(30);
        active -= 1;
        done += 1;
        return { ok: true };
      });
      await queue.enqueue(Array.from({ length: 15 }, () => makeDelivery()));
      await waitFor(() => done === 15, 10_000, 'all delivered');
      assert.ok(peak <= 3, `peak concurrency ${peak} exceeds 3 workers`);
      assert.ok(peak >= 2, `peak concurrency ${peak}: deliveries did not run in parallel`);
    });

    test('a full backlog refuses the whole batch with 429 and Retry-After', { workers: 1, backlog: 2 }, async ({ queue }) => {
      const gate = deferred();
      const { calls, handler } = recorder(async () => (await gate.promise, { ok: true }));
      await queue.start(handler);
      const [a, b, c, d, e] = Array.from({ length: 5 }, () => makeDelivery());
      await queue.enqueue([a!]);
      await waitFor(() => calls.length === 1, 5_000, 'first delivery in flight');
      await queue.enqueue([b!]);
      const full = (err: unknown): boolean => {
        assert.ok(isGatewayError(err), 'a GatewayError');
        assert.equal(err.code, 'GW_ERR_QUEUE_FULL');
        assert.equal(err.status, 429);
        assert.ok(Number(err.headers['Retry-After']) >= 1, 'Retry-After');
        return true;
      };
      await assert.rejects(queue.enqueue([c!, d!]), full);
      await queue.enqueue([c!]);
      assert.equal(queue.depth(), 3);
      await assert.rejects(queue.enqueue([d!]), full);
      await assert.rejects(queue.enqueue([d!, e!]), full);
      assert.equal(queue.depth(), 3);
      gate.resolve();
      await waitFor(() => calls.length === 3 && queue.depth() === 0, 5_000, 'accepted ones delivered');
      await sleep(200);
      assert.deepEqual(new Set(calls.map((call) => call.id)), new Set([a!.id, b!.id, c!.id]));
    });

    test('retries a retryable failure with backoff, counting attempts', { retryPolicy: { maxAttempts: 4, minBackoffMs: 50, maxBackoffMs: 200, maxAgeMs: 60_000 } }, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder((d) => (d.attempts < 3 ? fail(`upstream 500 (${d.attempts})`) : { ok: true }));
      await queue.start(handler, obs);
      await queue.enqueue([makeDelivery()]);
      await waitFor(() => calls.length === 3 && queue.depth() === 0, 10_000, 'third attempt succeeded');
      assert.deepEqual(calls.map((c) => c.attempts), [1, 2, 3]);
      for (let i = 1; i < calls.length; i++) assert.ok(calls[i]!.at - calls[i - 1]!.at >= 45, `retry ${i} came after ${calls[i]!.at - calls[i - 1]!.at} ms`);
      assert.equal(obs.retried.length, 2);
      for (const r of obs.retried) assert.ok(r.delayMs >= 50 && r.delayMs <= 200, `delay ${r.delayMs}`);
      assert.equal(obs.retried[0]?.reason, 'upstream 500 (1)');
      await sleep(100);
      assert.equal(obs.dead.length, 0);
      assert.equal(calls.length, 3);
    });

    test('waits at least an upstream Retry-After', { retryPolicy: { maxAttempts: 3, minBackoffMs: 10, maxBackoffMs: 1_000, maxAgeMs: 60_000 } }, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder((d) => (d.attempts === 1 ? { ok: false, retryable: true, reason: '429', status: 429, retryAfterMs: 200 } : { ok: true }));
      await queue.start(handler, obs);
      await queue.enqueue([makeDelivery()]);
      await waitFor(() => calls.length === 2, 10_000, 'second attempt');
      assert.ok(obs.retried[0]!.delayMs >= 200, `delay ${obs.retried[0]!.delayMs}`);
      assert.ok(calls[1]!.at - calls[0]!.at >= 195, `retry came after ${calls[1]!.at - calls[0]!.at} ms`);
    });

    test('dead-letters a non-retryable failure without retrying', {}, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder(() => ({ ok: false, retryable: false, reason: 'upstream 400', status: 400 }));
      await queue.start(handler, obs);
      const delivery = makeDelivery();
      await queue.enqueue([delivery]);
      await waitFor(() => obs.dead.length === 1, 5_000, 'dead letter');
      assert.deepEqual(obs.dead, [{ id: delivery.id, attempts: 1, reason: 'upstream 400' }]);
      await sleep(200);
      assert.equal(calls.length, 1);
      assert.equal(obs.retried.length, 0);
      assert.equal(queue.depth(), 0);
    });

    test('dead-letters once maxAttempts are used up', {}, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder(() => fail('still down'));
      await queue.start(handler, obs);
      const delivery = makeDelivery();
      await queue.enqueue([delivery]);
      await waitFor(() => obs.dead.length === 1, 10_000, 'dead letter');
      assert.deepEqual(obs.dead, [{ id: delivery.id, attempts: 3, reason: 'still down' }]);
      assert.deepEqual(calls.map((c) => c.attempts), [1, 2, 3]);
      assert.equal(obs.retried.length, 2);
      await sleep(200);
      assert.equal(calls.length, 3);
      assert.equal(queue.depth(), 0);
    });

    test('a throwing handler is a retryable failure', {}, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder((d) => {
        if (d.attempts === 1) throw new Error('handler exploded');
        return { ok: true };
      });
      await queue.start(handler, obs);
      await queue.enqueue([makeDelivery()]);
      await waitFor(() => calls.length === 2 && queue.depth() === 0, 10_000, 'second attempt succeeded');
      assert.equal(obs.retried.length, 1);
      assert.match(obs.retried[0]!.reason, /handler exploded/);
    });

    test("a delivery's own retry policy overrides the queue's", { retryPolicy: { ...CONTRACT_RETRY_POLICY, maxAttempts: 5 } }, async ({ queue }) => {
      const obs = watcher();
      const { calls, handler } = recorder(() => fail('down'));
      await queue.start(handler, obs);
      await queue.enqueue([makeDelivery({ retryPolicy: { ...CONTRACT_RETRY_POLICY, maxAttempts: 2 } })]);
      await waitFor(() => obs.dead.length === 1, 10_000, 'dead letter');
      assert.equal(calls.length, 2);
    });

    test('depth counts accepted, unfinished deliveries', { workers: 1 }, async ({ queue }) => {
      const gate = deferred();
      await queue.start(async () => (await gate.promise, { ok: true }));
      assert.equal(queue.depth(), 0);
      await queue.enqueue(Array.from({ length: 3 }, () => makeDelivery()));
      assert.equal(queue.depth(), 3);
      gate.resolve();
      await waitFor(() => queue.depth() === 0, 5_000, 'depth 0');
    });

    test('close with drain waits for queued, in-flight and retrying deliveries', { workers: 2 }, async ({ queue }) => {
      const { calls, handler } = recorder(async (d) => {
        await sleep(20);
        return d.attempts === 1 && d.subscriptionId === 'flaky' ? fail('once') : { ok: true };
      });
      await queue.start(handler);
      const steady = Array.from({ length: 8 }, () => makeDelivery());
      const flaky = Array.from({ length: 2 }, () => makeDelivery({ subscriptionId: 'flaky' }));
      await queue.enqueue([...steady, ...flaky]);
      await queue.close({ drain: true, timeoutMs: 10_000 });
      const ok = new Set(calls.filter((c) => c.attempts === (flaky.some((f) => f.id === c.id) ? 2 : 1)).map((c) => c.id));
      assert.equal(ok.size, 10, 'every delivery finished before close resolved');
      assert.equal(queue.depth(), 0);
    });

    test('refuses deliveries once closing, with 503 and Retry-After', { workers: 1 }, async ({ queue }) => {
      const gate = deferred();
      await queue.start(async () => (await gate.promise, { ok: true }));
      await queue.enqueue([makeDelivery()]);
      const closing = queue.close({ drain: true, timeoutMs: 10_000 });
      const unavailable = (err: unknown): boolean => {
        assert.ok(isGatewayError(err), 'a GatewayError');
        assert.equal(err.code, 'GW_ERR_QUEUE_UNAVAILABLE');
        assert.equal(err.status, 503);
        assert.ok(Number(err.headers['Retry-After']) >= 1, 'Retry-After');
        return true;
      };
      await assert.rejects(queue.enqueue([makeDelivery()]), unavailable);
      gate.resolve();
      await closing;
      await assert.rejects(queue.enqueue([makeDelivery()]), unavailable);
    });

    durabilityTests(test);
  });
}

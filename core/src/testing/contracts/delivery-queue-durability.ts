/** The durability part of the `DeliveryQueue` contract; its tests run when the factory gives `reopen`. */
import assert from 'node:assert/strict';
import { makeDelivery, sleep, waitFor } from '../helpers.ts';
import { recorder, watcher, type QueueTest } from './queue-kit.ts';

/** Register the restart tests on `test` (they pass trivially for a queue without `reopen`). */
export function durabilityTests(test: QueueTest): void {
  test('keeps queued and in-flight deliveries across close without drain', { workers: 2 }, async ({ queue, harness, track }) => {
    if (harness.reopen === undefined) return;
    const hung = recorder(() => new Promise(() => undefined));
    await queue.start(hung.handler);
    const batch = Array.from({ length: 5 }, () => makeDelivery());
    await queue.enqueue(batch);
    await waitFor(() => hung.calls.length === 2, 5_000, 'two deliveries in flight');
    await queue.close();
    const again = track(await harness.reopen());
    const { calls, handler } = recorder();
    await again.start(handler);
    await waitFor(() => batch.every((d) => calls.some((c) => c.id === d.id)), 10_000, 'all 5 delivered after reopen');
    for (const call of calls) {
      const wasInFlight = hung.calls.some((h) => h.id === call.id);
      assert.ok(call.attempts >= (wasInFlight ? 2 : 1), `attempts ${call.attempts} of a delivery ${wasInFlight ? 'in flight' : 'queued'} at close`);
    }
    await waitFor(() => again.depth() === 0, 5_000, 'depth 0');
  });

  test('keeps deliveries enqueued before start across close', {}, async ({ queue, harness, track }) => {
    if (harness.reopen === undefined) return;
    const batch = Array.from({ length: 3 }, () => makeDelivery());
    await queue.enqueue(batch);
    await queue.close();
    const again = track(await harness.reopen());
    const { calls, handler } = recorder();
    await again.start(handler);
    await waitFor(() => batch.every((d) => calls.some((c) => c.id === d.id)), 10_000, 'all delivered after reopen');
  });

  test('keeps attempt counts of retrying deliveries across a restart', { retryPolicy: { maxAttempts: 5, minBackoffMs: 100, maxBackoffMs: 200, maxAgeMs: 60_000 } }, async ({ queue, harness, track }) => {
    if (harness.reopen === undefined) return;
    const obs = watcher();
    await queue.start(async () => ({ ok: false, retryable: true, reason: 'down' }), obs);
    const delivery = makeDelivery();
    await queue.enqueue([delivery]);
    await waitFor(() => obs.retried.length === 1, 5_000, 'first retry scheduled');
    await queue.close();
    const again = track(await harness.reopen());
    const { calls, handler } = recorder();
    await again.start(handler);
    await waitFor(() => calls.length === 1, 10_000, 'delivered after reopen');
    assert.equal(calls[0]!.id, delivery.id);
    assert.equal(calls[0]!.attempts, 2);
  });

  test('does not redeliver finished deliveries after a restart', {}, async ({ queue, harness, track }) => {
    if (harness.reopen === undefined) return;
    const first = recorder();
    await queue.start(first.handler);
    await queue.enqueue(Array.from({ length: 5 }, () => makeDelivery()));
    await queue.close({ drain: true, timeoutMs: 10_000 });
    assert.equal(first.calls.length, 5);
    const again = track(await harness.reopen());
    const { calls, handler } = recorder();
    await again.start(handler);
    await sleep(300);
    assert.equal(calls.length, 0);
    assert.equal(again.depth(), 0);
  });
}

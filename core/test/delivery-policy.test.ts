import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSystemEventCycle, parseRetryPolicy } from '../src/config/retry-policy.ts';
import { validateSubscription } from '../src/config/validate.ts';
import { DeadLetters } from '../src/dead-letters.ts';
import type { CloudEvent } from '../src/event.ts';
import { hopsOf, setHops } from '../src/event.ts';
import { MemoryStore } from '../src/embedded/memory-store.ts';
import { MemoryQueue } from '../src/embedded/memory-queue.ts';
import type { Logger } from '../src/logger.ts';
import type { Delivery } from '../src/queue.ts';
import { DEFAULT_RETRY_POLICY, mergeRetryPolicy } from '../src/queue.ts';
import type { Subscription } from '../src/resources.ts';

const PREFIX = "Subscription doesn't validate. Validation error: ";
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

describe('retryPolicy on subscriptions', () => {
  const body = (retryPolicy: unknown) => ({ type: 'async', eventType: 'a.b', functionId: 'f', retryPolicy });

  test('absent or null: not stored, so the output is the original\'s', () => {
    assert.equal('retryPolicy' in validateSubscription(body(undefined), 'default'), false);
    assert.equal('retryPolicy' in validateSubscription(body(null), 'default'), false);
  });

  test('stored in field order, partial allowed', () => {
    const sub = validateSubscription(body({ maxAgeMs: 1000, maxAttempts: 3 }), 'default');
    assert.deepEqual(sub.retryPolicy, { maxAttempts: 3, maxAgeMs: 1000 });
    assert.deepEqual(Object.keys(sub), ['space', 'subscriptionId', 'type', 'eventType', 'functionId', 'path', 'method', 'retryPolicy']);
  });

  test('each field is checked', () => {
    const cases: [unknown, string][] = [
      [{ maxAttempts: 0 }, 'retryPolicy.maxAttempts must be an integer from 1 to 100'],
      [{ maxAttempts: 1.5 }, 'retryPolicy.maxAttempts must be an integer from 1 to 100'],
      [{ maxAttempts: '3' }, 'retryPolicy.maxAttempts must be an integer from 1 to 100'],
      [{ maxAttempts: 101 }, 'retryPolicy.maxAttempts must be an integer from 1 to 100'],
      [{ minBackoffMs: -1 }, 'retryPolicy.minBackoffMs must be an integer from 1 to 3600000'],
      [{ maxBackoffMs: 86_400_001 }, 'retryPolicy.maxBackoffMs must be an integer from 1 to 86400000'],
      [{ maxAgeMs: true }, 'retryPolicy.maxAgeMs must be an integer from 1 to 604800000'],
      [{ minBackoffMs: 500, maxBackoffMs: 100 }, 'retryPolicy.minBackoffMs must not be greater than retryPolicy.maxBackoffMs'],
      [{ attempts: 3 }, 'retryPolicy has an unknown field "attempts" (allowed: maxAttempts, minBackoffMs, maxBackoffMs, maxAgeMs)'],
      [[1], 'retryPolicy must be an object'],
      [5, 'retryPolicy must be an object'],
    ];
    for (const [policy, message] of cases) {
      assert.throws(() => parseRetryPolicy({ retryPolicy: policy }), { code: 'GW_ERR_VALIDATION', status: 400, message: PREFIX + message }, JSON.stringify(policy));
    }
  });

  test('merged over a default', () => {
    assert.deepEqual(mergeRetryPolicy(DEFAULT_RETRY_POLICY, { maxAttempts: 2 }), { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 });
    assert.equal(mergeRetryPolicy(DEFAULT_RETRY_POLICY, undefined), DEFAULT_RETRY_POLICY);
  });
});

describe('loop protection', () => {
  test('hop count: 1.0 attribute (number or binary-mode string), 0.1 extensions; 0 otherwise', () => {
    const v1 = { specversion: '1.0', id: '1', source: 's', type: 't' } as CloudEvent;
    assert.equal(hopsOf(v1), 0);
    assert.equal(hopsOf({ ...v1, eventgatewayhops: 3 }), 3);
    assert.equal(hopsOf({ ...v1, eventgatewayhops: '7' }), 7);
    assert.equal(hopsOf({ ...v1, eventgatewayhops: 'x' }), 0);
    assert.equal(hopsOf({ ...v1, eventgatewayhops: -2 }), 0);
    assert.equal(hopsOf(setHops({ ...v1 }, 2)), 2);
    const v01 = { specversion: '0.1', id: '1', source: 's', type: 't', extensions: { a: 'b' } } as CloudEvent;
    const set = setHops({ ...v01 }, 4);
    assert.deepEqual(set['extensions'], { a: 'b', eventgatewayhops: 4 });
    assert.equal(set['eventgatewayhops'], undefined);
    assert.equal(hopsOf(set), 4);
  });

  test('cycle: only an async POST / subscription to delivery.retried that may be retried is refused', () => {
    const sub = (eventType: string, extra: Partial<Subscription> = {}): Subscription => ({
      space: 'default', subscriptionId: 'x', type: 'async', eventType, functionId: 'f', path: '/', method: 'POST', ...extra,
    });
    assert.throws(() => checkSystemEventCycle(sub('eventgateway.delivery.retried')), { status: 400, message: /cycle of system events/ });
    assert.throws(() => checkSystemEventCycle(sub('eventgateway.delivery.retried', { retryPolicy: { maxAttempts: 2 } })), { status: 400 });
    checkSystemEventCycle(sub('eventgateway.delivery.retried', { retryPolicy: { maxAttempts: 1 } }));
    checkSystemEventCycle(sub('eventgateway.delivery.retried', { path: '/other' }));
    checkSystemEventCycle(sub('eventgateway.delivery.deadLettered'));
    checkSystemEventCycle(sub('eventgateway.function.invoked'));
    checkSystemEventCycle(sub('eventgateway.event.rejected'));
  });
});

describe('DeadLetters', () => {
  const delivery = (id: string): Delivery => ({
    id, space: 'default', subscriptionId: 'sub', functionId: 'fn', attempts: 3, acceptedAt: 1000, specVersion: '1.0',
    event: { specversion: '1.0', id: `e-${id}`, source: 's', type: 'a.b' },
  });

  test('a store failure is logged loudly and never thrown', async () => {
    const errors: string[] = [];
    const logger: Logger = { ...silent, error: (_o: object | string, msg?: string) => void errors.push(msg ?? '') };
    const store = new MemoryStore();
    store.create = () => Promise.reject(new Error('disk full'));
    const dl = new DeadLetters({ store, enqueue: (ds) => new MemoryQueue({ logger: silent }).enqueue(ds), logger, newDelivery: () => delivery('x') });
    dl.record(delivery('d1'), { ok: false, retryable: true, reason: 'boom' });
    await dl.flush();
    assert.match(errors[0] ?? '', /DEAD LETTER LOST/);
  });

  test('records: reason, attempts, status or error, oldest first; 404 for unknown ids', async () => {
    const store = new MemoryStore();
    await store.open();
    const dl = new DeadLetters({ store, enqueue: (ds) => new MemoryQueue({ logger: silent }).enqueue(ds), logger: silent, newDelivery: () => delivery('x') });
    dl.record(delivery('b'), { ok: false, retryable: false, reason: 'Function replied with status 404', status: 404 }, 2000);
    dl.record(delivery('a'), { ok: false, retryable: true, reason: 'connection refused' }, 3000);
    await dl.flush();
    const list = await dl.list('default');
    assert.deepEqual(list.map((d) => d.deadLetterId), ['b', 'a']);
    assert.equal(list[0]!.status, 404);
    assert.equal(list[0]!.error, undefined);
    assert.equal(list[1]!.error, 'connection refused');
    assert.equal(list[1]!.attempts, 3);
    assert.equal(list[1]!.acceptedAt, new Date(1000).toISOString());
    await assert.rejects(dl.get('default', 'zzz'), { status: 404, message: 'Dead letter "zzz" not found.' });
    await assert.rejects(dl.redrive('default', 'a'), { status: 400, message: /subscription "sub" no longer exists/ });
  });
});

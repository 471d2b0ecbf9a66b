/**
 * Async delivery features through the SDK: a subscription's retry policy, dead letters (list, filter, get, delete,
 * redrive that delivers), and subscription filters and transforms, against the real distribution.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replyJson, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { SwitchyardError } from '../src/index.ts';
import type { Switchyard } from '../src/index.ts';
import { startFixture } from './helpers.ts';

describe('retry policy and dead letters', () => {
  let sy: Switchyard, fn: FunctionServer, close: () => Promise<void>;
  let status = 400;
  before(async () => {
    ({ sy, fn, close } = await startFixture({}, (call, res) => replyJson({}, status)(call, res)));
    await sy.functions.create({ functionId: 'flaky', type: 'http', provider: { url: fn.url } });
    await sy.eventTypes.create({ name: 'job.queued' });
  });
  after(() => close());

  test('a 4xx is dead-lettered after one attempt; redrive delivers it again; delete removes one', async () => {
    const sub = await sy.subscriptions.create({ type: 'async', eventType: 'job.queued', functionId: 'flaky', path: '/jobs' });
    await sy.emit({ type: 'job.queued', source: '/q', id: 'job-1', data: { n: 1 } }, { path: '/jobs' });
    await sy.emit({ type: 'job.queued', source: '/q', id: 'job-2', data: { n: 2 } }, { path: '/jobs' });
    let letters = await sy.deadLetters.list();
    await waitFor(async () => (letters = await sy.deadLetters.list({ subscriptionId: sub.subscriptionId })).length === 2, 10_000, 'two dead letters');
    const first = letters.find((l) => l.event['id'] === 'job-1')!;
    assert.equal(first.subscriptionId, sub.subscriptionId);
    assert.equal(first.functionId, 'flaky');
    assert.equal(first.eventType, 'job.queued');
    assert.equal(first.status, 400);
    assert.equal(first.attempts, 1);
    assert.equal(first.specVersion, '1.0');
    assert.deepEqual(first.event['data'], { n: 1 });
    assert.deepEqual(await sy.deadLetters.get(first.deadLetterId), first);
    assert.deepEqual(await sy.deadLetters.list({ subscriptionId: 'other' }), []);

    status = 200;
    const calls = fn.calls.length;
    const redriven = await sy.deadLetters.redrive(first.deadLetterId);
    assert.equal(redriven.deadLetterId, first.deadLetterId);
    assert.equal(typeof redriven.deliveryId, 'string');
    await waitFor(() => fn.calls.length > calls, 10_000, 'the redriven delivery');
    assert.equal(fn.calls.at(-1)!.json<{ id: string }>().id, 'job-1');
    await waitFor(async () => (await sy.deadLetters.list()).every((l) => l.deadLetterId !== first.deadLetterId), 10_000, 'the redriven dead letter removed');

    const second = letters.find((l) => l.event['id'] === 'job-2')!;
    await sy.deadLetters.delete(second.deadLetterId);
    assert.deepEqual(await sy.deadLetters.list(), []);
    const err = await sy.deadLetters.redrive(second.deadLetterId).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof SwitchyardError);
    assert.equal(err.status, 404);
    assert.deepEqual(err.messages, [`Dead letter "${second.deadLetterId}" not found.`]);
    await sy.subscriptions.delete(sub.subscriptionId);
  });

  test('the subscription\'s retryPolicy sets the attempts made before dead-lettering', async () => {
    status = 503;
    const sub = await sy.subscriptions.create({
      type: 'async', eventType: 'job.queued', functionId: 'flaky', path: '/retry',
      retryPolicy: { maxAttempts: 3, minBackoffMs: 5, maxBackoffMs: 20 },
    });
    const calls = fn.calls.length;
    await sy.emit({ type: 'job.queued', source: '/q', id: 'job-3' }, { path: '/retry' });
    let letters = await sy.deadLetters.list();
    await waitFor(async () => (letters = await sy.deadLetters.list({ subscriptionId: sub.subscriptionId })).length === 1, 15_000, 'the dead letter');
    assert.equal(letters[0]!.attempts, 3);
    assert.equal(letters[0]!.status, 503);
    assert.equal(fn.calls.length - calls, 3);
    await sy.deadLetters.delete(letters[0]!.deadLetterId);
    await sy.subscriptions.delete(sub.subscriptionId);
  });
});

describe('subscription filter and transform', () => {
  let sy: Switchyard, fn: FunctionServer, close: () => Promise<void>;
  before(async () => ({ sy, fn, close } = await startFixture()));
  after(() => close());

  test('only events passing the filter are delivered, with the transformed data', async () => {
    await sy.functions.create({ functionId: 'vip', type: 'http', provider: { url: fn.url } });
    await sy.eventTypes.create({ name: 'order.placed', transform: '{"total": data.amount}' });
    await sy.subscriptions.create({
      type: 'async', eventType: 'order.placed', functionId: 'vip', filter: 'data.total > 10', transform: '{"total": data.total, "vip": true}',
    });
    await sy.emit({ type: 'order.placed', source: '/shop', id: 'small', data: { amount: 5 } });
    await sy.emit({ type: 'order.placed', source: '/shop', id: 'big', data: { amount: 20 } });
    await waitFor(() => fn.calls.length >= 1, 10_000, 'the big order');
    const event = fn.calls[0]!.json<{ id: string; data: unknown }>();
    assert.equal(event.id, 'big');
    assert.deepEqual(event.data, { total: 20, vip: true });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fn.calls.length, 1, 'the small order was filtered out');
  });
});

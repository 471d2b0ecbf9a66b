/**
 * The `SystemBus` contract: the in-process bus and the NATS bus run these exact tests. Deliveries may arrive
 * asynchronously over a socket, so absence is checked after a later message to another subscriber arrived.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SystemBus } from '../../bus.ts';
import type { CloudEvent } from '../../event.ts';
import { sleep, waitFor } from '../helpers.ts';

/** What a `systemBusContract` factory returns: a bus not yet opened. */
export interface SystemBusHarness {
  readonly bus: SystemBus;
  /** Called after the contract closed the bus. */
  cleanup(): Promise<void>;
}

export type SystemBusFactory = () => Promise<SystemBusHarness>;

interface Received {
  readonly subject: string;
  readonly event: CloudEvent;
}

function event(n: number): CloudEvent {
  return { specversion: '1.0', id: `e${n}`, source: 'https://switchyard.test', type: 'eventgateway.test', data: { n, nested: { list: [n] } } };
}

/** Register the `SystemBus` contract tests (node:test) for one implementation. */
export function systemBusContract(name: string, factory: SystemBusFactory): void {
  const test = (title: string, fn: (bus: SystemBus) => Promise<void>): void => {
    it(title, async () => {
      const harness = await factory();
      try {
        await harness.bus.open();
        await fn(harness.bus);
      } finally {
        await harness.bus.close().catch(() => undefined);
        await harness.cleanup();
      }
    });
  };
  const recorder = (bus: SystemBus, pattern: string): Received[] => {
    const received: Received[] = [];
    bus.subscribe(pattern, (e, subject) => received.push({ subject, event: e }));
    return received;
  };
  /** Publish a marker on a subject only `witness` hears, and wait for it: earlier messages have been routed. */
  const settle = async (bus: SystemBus): Promise<void> => {
    const witness = recorder(bus, 'contract.settle');
    bus.publish('contract.settle', event(-1));
    await waitFor(() => witness.length === 1, 5_000, 'settle marker');
    await sleep(50);
  };

  describe(`SystemBus contract: ${name}`, () => {
    test('delivers on an exact subject only, with the subject and the event', async (bus) => {
      const received = recorder(bus, 'eventgateway.default.eventgateway.function.invoked');
      bus.publish('eventgateway.default.eventgateway.function.invoked', event(1));
      bus.publish('eventgateway.default.eventgateway.function.invoking', event(2));
      bus.publish('eventgateway.other.eventgateway.function.invoked', event(3));
      await waitFor(() => received.length >= 1, 5_000, 'delivery');
      await settle(bus);
      assert.deepEqual(received, [{ subject: 'eventgateway.default.eventgateway.function.invoked', event: event(1) }]);
    });

    test('`*` matches exactly one token', async (bus) => {
      const received = recorder(bus, 'eventgateway.*.ping');
      bus.publish('eventgateway.a.ping', event(1));
      bus.publish('eventgateway.a.b.ping', event(2));
      bus.publish('eventgateway.ping', event(3));
      bus.publish('eventgateway.b.ping', event(4));
      await waitFor(() => received.length >= 2, 5_000, 'deliveries');
      await settle(bus);
      assert.deepEqual(received.map((r) => r.subject), ['eventgateway.a.ping', 'eventgateway.b.ping']);
    });

    test('`>` matches one or more trailing tokens', async (bus) => {
      const received = recorder(bus, 'eventgateway.>');
      bus.publish('eventgateway.a', event(1));
      bus.publish('eventgateway.a.b.c', event(2));
      bus.publish('eventgateway', event(3));
      bus.publish('other.a', event(4));
      await waitFor(() => received.length >= 2, 5_000, 'deliveries');
      await settle(bus);
      assert.deepEqual(received.map((r) => r.event.id), ['e1', 'e2']);
    });

    test('every matching subscriber gets each event, in publish order', async (bus) => {
      const one = recorder(bus, 'orders.*');
      const two = recorder(bus, 'orders.>');
      for (let i = 0; i < 20; i++) bus.publish(`orders.${i % 2 === 0 ? 'even' : 'odd'}`, event(i));
      await waitFor(() => one.length === 20 && two.length === 20, 5_000, 'all deliveries');
      const ids = Array.from({ length: 20 }, (_, i) => `e${i}`);
      assert.deepEqual(one.map((r) => r.event.id), ids);
      assert.deepEqual(two.map((r) => r.event.id), ids);
    });

    test('unsubscribe stops deliveries to that subscriber only', async (bus) => {
      const stopped: CloudEvent[] = [];
      const unsubscribe = bus.subscribe('x.y', (e) => stopped.push(e));
      const running = recorder(bus, 'x.y');
      bus.publish('x.y', event(1));
      await waitFor(() => stopped.length === 1 && running.length === 1, 5_000, 'first delivery');
      unsubscribe();
      unsubscribe(); // idempotent
      bus.publish('x.y', event(2));
      await waitFor(() => running.length === 2, 5_000, 'second delivery');
      await settle(bus);
      assert.deepEqual(stopped.map((e) => e.id), ['e1']);
    });

    test('a throwing handler affects neither the publisher nor other handlers', async (bus) => {
      let thrown = 0;
      bus.subscribe('boom', () => {
        thrown += 1;
        throw new Error('handler bug');
      });
      const received = recorder(bus, 'boom');
      assert.doesNotThrow(() => bus.publish('boom', event(1)));
      assert.doesNotThrow(() => bus.publish('boom', event(2)));
      await waitFor(() => received.length === 2 && thrown === 2, 5_000, 'both delivered to both');
    });

    test('handlers never run inside publish', async (bus) => {
      const received = recorder(bus, 'sync.check');
      bus.publish('sync.check', event(1));
      assert.equal(received.length, 0);
      await waitFor(() => received.length === 1, 5_000, 'delivery');
    });

    test('a handler does not see later changes the publisher makes to the event', async (bus) => {
      const received = recorder(bus, 'copy.check');
      const e = event(1);
      bus.publish('copy.check', e);
      (e.data as { n: number }).n = 99;
      await waitFor(() => received.length === 1, 5_000, 'delivery');
      assert.deepEqual(received[0]?.event, event(1));
    });

    test('publishing after close does not throw', async (bus) => {
      await bus.close();
      assert.doesNotThrow(() => bus.publish('late', event(1)));
    });
  });
}

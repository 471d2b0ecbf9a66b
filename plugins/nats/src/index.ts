/**
 * `@switchyard/plugin-nats`: Switchyard's cluster mode. `natsCluster(options)` gives a gateway its `ConfigStore`
 * (JetStream KV), `DeliveryQueue` (JetStream work queue) and `SystemBus` (NATS subjects) on one connection:
 *
 *   const nats = natsCluster({ servers: 'nats://127.0.0.1:4222' });
 *   const gateway = new Gateway({ store: nats.store, queue: nats.queue, bus: nats.bus, subjectPrefix: nats.subjectPrefix });
 */
export { natsCluster } from './cluster.ts';
export type { NatsCluster, NatsOptions } from './cluster.ts';
export { NatsLink } from './connection.ts';
export type { NatsConnectOptions, NatsHandles } from './connection.ts';
export { NatsStore, DEFAULT_BUCKET } from './store.ts';
export type { NatsStoreOptions } from './store.ts';
export { NatsQueue, DEFAULT_STREAM } from './queue.ts';
export type { NatsQueueOptions } from './queue.ts';
export { NatsBus } from './bus.ts';
export type { NatsBusOptions } from './bus.ts';
export { encodeKey, decodeKey } from './keys.ts';

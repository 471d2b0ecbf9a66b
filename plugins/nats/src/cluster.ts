/** `natsCluster`: the store, queue and bus of one gateway on one shared NATS connection. */
import type { Logger, RetryPolicy } from '@switchyard/core';
import { DEFAULT_SUBJECT_PREFIX } from '@switchyard/core';
import { NatsBus } from './bus.ts';
import { NatsLink } from './connection.ts';
import type { NatsConnectOptions } from './connection.ts';
import { NatsQueue } from './queue.ts';
import { NatsStore } from './store.ts';

export interface NatsOptions extends NatsConnectOptions {
  /** Prefix of system-event subjects and of the delivery stream's subjects. Default `eventgateway`. */
  readonly subjectPrefix?: string;
  /** Delivery stream. Default `SWITCHYARD_DELIVERIES`. */
  readonly stream?: string;
  /** Durable consumer of the delivery stream, shared by all gateways. Default `switchyard`. */
  readonly consumer?: string;
  /** KV bucket of the configuration. Default `switchyard-config`. */
  readonly bucket?: string;
  /** Replicas of the stream and the bucket when they are created. Default 1. */
  readonly replicas?: number;
  /** Concurrent deliveries per gateway. Default 100. */
  readonly workers?: number;
  /** Deliveries that may wait beyond the workers before enqueue answers 429. Default 200. */
  readonly backlog?: number;
  readonly retryPolicy?: RetryPolicy;
  /** See `NatsQueueOptions.ackWaitMs`. Default 60 000. */
  readonly ackWaitMs?: number;
  readonly logger?: Logger;
}

export interface NatsCluster {
  readonly store: NatsStore;
  readonly queue: NatsQueue;
  readonly bus: NatsBus;
  readonly link: NatsLink;
  readonly subjectPrefix: string;
  /** Close all three (the queue without draining); the connection closes with the last. */
  close(): Promise<void>;
}

export function natsCluster(options: NatsOptions): NatsCluster {
  const link = new NatsLink(options);
  const subjectPrefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const store = new NatsStore({ link, ...pick(options, 'bucket', 'replicas') });
  const queue = new NatsQueue({ link, subjectPrefix, ...pick(options, 'stream', 'consumer', 'replicas', 'workers', 'backlog', 'retryPolicy', 'ackWaitMs') });
  const bus = new NatsBus({ link });
  return {
    store,
    queue,
    bus,
    link,
    subjectPrefix,
    async close() {
      await queue.close();
      await bus.close();
      await store.close();
    },
  };
}

function pick<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

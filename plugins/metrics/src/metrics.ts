/**
 * The metric set of one gateway, registered in one prom-client `Registry`. The Event Gateway's own metrics keep
 * their names, types, labels and buckets (reference §10) under `prefix` (default `eventgateway_`); Switchyard's
 * additions are always `switchyard_*`.
 */
import { Counter, Gauge, Histogram, exponentialBuckets } from 'prom-client';
import type { Registry } from 'prom-client';

/** How a function call or a delivery attempt ended. A bounded set: it is a label value. */
export type Outcome = 'success' | 'client_error' | 'server_error' | 'error';

/** `success` below 400, `client_error` 4xx, `server_error` 5xx, `error` when there was no reply at all. */
export function outcomeOf(status: number | undefined): Outcome {
  if (status === undefined) return 'error';
  if (status < 400) return 'success';
  return status < 500 ? 'client_error' : 'server_error';
}

/** The label value of the async path on `events_received/processed/dropped_total` (the original's quirk, kept). */
export const ASYNC_TYPE = 'custom';

/** Resource kinds of the store whose counts are exported, with their metric names (without prefix). */
export const COUNTED_KINDS = Object.freeze({
  eventtypes: 'eventtypes_total',
  functions: 'functions_total',
  subscriptions: 'subscriptions_total',
  cors: 'cors_total',
} as const);
export type CountedKind = keyof typeof COUNTED_KINDS;

export interface MetricSources {
  /** Deliveries accepted and not finished (`DeliveryQueue.depth()`). */
  readonly backlog: () => number;
  /** Resources per space of one kind, as last seen by the store watch. */
  readonly resources: (kind: CountedKind) => ReadonlyMap<string, number>;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Create and register every metric. Throws when a name is already registered in `registry`. */
export function createMetrics(registry: Registry, prefix: string, sources: MetricSources) {
  const registers = [registry];
  const resourceGauge = (kind: CountedKind, noun: string) => new Gauge({
    name: `${prefix}${COUNTED_KINDS[kind]}`,
    help: `Number of ${noun} in the config store, per space.`,
    labelNames: ['space'],
    registers,
    collect(this: Gauge<'space'>) {
      for (const [space, count] of sources.resources(kind)) this.set({ space }, count);
    },
  });
  return {
    received: new Counter({
      name: `${prefix}events_received_total`,
      help: 'Events received: per sync call with the event type, per async subscriber with type "custom".',
      labelNames: ['space', 'type'], registers,
    }),
    processed: new Counter({
      name: `${prefix}events_processed_total`,
      help: 'Events processed: a sync call answered or failed, an async delivery delivered or dead-lettered.',
      labelNames: ['space', 'type'], registers,
    }),
    dropped: new Counter({
      name: `${prefix}events_dropped_total`,
      help: 'Async deliveries refused because the delivery backlog was full (the client got a 429).',
      labelNames: ['space', 'type'], registers,
    }),
    backlog: new Gauge({
      name: `${prefix}events_backlog`,
      help: 'Async deliveries accepted and not yet finished (queued, scheduled for retry, or in flight).',
      registers,
      collect(this: Gauge) {
        this.set(sources.backlog());
      },
    }),
    processing: new Histogram({
      name: `${prefix}events_custom_processing_seconds`,
      help: 'Time from accepting an async delivery to the start of its first attempt.',
      buckets: exponentialBuckets(1e-5, 2, 20), registers,
    }),
    resources: {
      eventtypes: resourceGauge('eventtypes', 'event types'),
      functions: resourceGauge('functions', 'functions'),
      subscriptions: resourceGauge('subscriptions', 'subscriptions'),
      cors: resourceGauge('cors', 'CORS configurations'),
    },
    configRequests: new Counter({
      name: `${prefix}config_requests_total`,
      help: 'Configuration API calls on event types, functions, subscriptions and CORS, errors included.',
      labelNames: ['space', 'resource', 'operation'], registers,
    }),
    configDuration: new Histogram({
      name: `${prefix}config_request_duration_seconds`,
      help: 'Configuration API call duration (event types, functions, subscriptions, CORS).',
      buckets: exponentialBuckets(0.0005, 2, 16), registers,
    }),
    invocationDuration: new Histogram({
      name: 'switchyard_invocation_duration_seconds',
      help: 'Function call duration (sync calls, async delivery attempts, authorizers), by outcome.',
      labelNames: ['space', 'function', 'outcome'],
      buckets: exponentialBuckets(0.0005, 2, 16), registers,
    }),
    deliveryAttempts: new Counter({
      name: 'switchyard_delivery_attempts_total',
      help: 'Async delivery attempts, by outcome.',
      labelNames: ['space', 'function', 'outcome'], registers,
    }),
    retries: new Counter({
      name: 'switchyard_delivery_retries_total',
      help: 'Failed async delivery attempts rescheduled for another try.',
      labelNames: ['space', 'function'], registers,
    }),
    deadLetters: new Counter({
      name: 'switchyard_dead_letters_total',
      help: 'Async deliveries dead-lettered (policy exhausted or not retryable).',
      labelNames: ['space', 'function'], registers,
    }),
    watchLag: new Histogram({
      name: 'switchyard_config_watch_lag_seconds',
      help: 'Time from a config change being written to the store until this gateway\'s routing applied it.',
      buckets: exponentialBuckets(0.0001, 2, 18), registers,
    }),
    rejected: new Counter({
      name: 'switchyard_events_rejected_total',
      help: 'Events API requests rejected, by HTTP status.',
      labelNames: ['status'], registers,
    }),
  };
}

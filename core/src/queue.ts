/**
 * `DeliveryQueue`: asynchronous, at-least-once delivery of events to subscribed functions. Implementations: in
 * process (optionally journaled to a directory) and JetStream (`@switchyard/plugin-nats`); one contract suite
 * (`@switchyard/core/testing` `deliveryQueueContract`).
 *
 * The queue owns retry scheduling: a failed, retryable delivery is put back with a delay from `backoffDelay`,
 * never retried in a loop inside a worker.
 */
import type { CloudEvent, SpecVersion } from './event.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A delivery older than this is dead-lettered instead of retried. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  minBackoffMs: 250,
  maxBackoffMs: 30_000,
  maxAgeMs: 3_600_000,
});

export interface Delivery {
  /** Unique per delivery (one event to one subscription). */
  readonly id: string;
  readonly space: string;
  readonly subscriptionId: string;
  readonly functionId: string;
  /** The event as this subscriber gets it. */
  readonly event: CloudEvent;
  readonly specVersion: SpecVersion;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms when the delivery was accepted. */
  readonly acceptedAt: number;
  readonly retryPolicy?: RetryPolicy;
}

export type DeliveryOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
      readonly status?: number;
      /** From an upstream `Retry-After`. */
      readonly retryAfterMs?: number;
    };

export type DeliveryHandler = (delivery: Delivery) => Promise<DeliveryOutcome>;

export interface DeliveryObserver {
  /** A failed delivery was rescheduled `delayMs` from now. */
  retrying?(delivery: Delivery, outcome: DeliveryOutcome & { ok: false }, delayMs: number): void;
  /** A delivery exhausted its policy or is not retryable. */
  deadLettered?(delivery: Delivery, outcome: DeliveryOutcome & { ok: false }): void;
}

export interface DeliveryQueue {
  /**
   * The policy of deliveries that carry none of their own. Optional; the gateway merges a subscription's partial
   * `retryPolicy` over it (over `DEFAULT_RETRY_POLICY` when a queue does not say).
   */
  readonly defaultRetryPolicy?: RetryPolicy;
  /** Begin consuming. Deliveries accepted before a restart (journal, stream) are resumed. */
  start(handler: DeliveryHandler, observer?: DeliveryObserver): Promise<void>;
  /**
   * Accept deliveries. Resolves only once every one is stored (journaled, or in JetStream). Rejects with
   * `GatewayError` `GW_ERR_QUEUE_FULL` (429) or `GW_ERR_QUEUE_UNAVAILABLE` (503), both with `Retry-After`,
   * and then none of the batch was accepted.
   */
  enqueue(deliveries: readonly Delivery[]): Promise<void>;
  /** Deliveries accepted and not yet finished. */
  depth(): number;
  /**
   * Stop consuming. With `drain`, wait (up to `timeoutMs`) for queued and in-flight deliveries to finish first;
   * a durable queue leaves what remains for the next start.
   */
  close(options?: { readonly drain?: boolean; readonly timeoutMs?: number }): Promise<void>;
}

/**
 * Capped exponential backoff with full jitter (AWS architecture blog), floored at `minBackoffMs`, and at least
 * an upstream's `Retry-After` when one was given. `attempt` is the number of attempts made so far (≥ 1).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** Math.max(0, attempt - 1));
  const jittered = policy.minBackoffMs + random() * Math.max(0, ceiling - policy.minBackoffMs);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxBackoffMs)));
}

/** A subscription's partial policy over a default (fields left out come from the default). */
export function mergeRetryPolicy(base: RetryPolicy, override: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (override === undefined) return base;
  return Object.freeze({
    maxAttempts: override.maxAttempts ?? base.maxAttempts,
    minBackoffMs: override.minBackoffMs ?? base.minBackoffMs,
    maxBackoffMs: override.maxBackoffMs ?? base.maxBackoffMs,
    maxAgeMs: override.maxAgeMs ?? base.maxAgeMs,
  });
}

/** Whether a failed delivery may be tried again under its policy. */
export function mayRetry(delivery: Delivery, outcome: DeliveryOutcome & { ok: false }, policy: RetryPolicy, now = Date.now()): boolean {
  return outcome.retryable && delivery.attempts < policy.maxAttempts && now - delivery.acceptedAt < policy.maxAgeMs;
}
